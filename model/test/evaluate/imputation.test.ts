/**
 * The imputation task's gene set beyond the GexBERT vocabulary (tasks/imputation.ts wideGeneSet) on real
 * counts: the most variable allowed genes of the training samples, standardised with training statistics.
 * Expected values are recomputed here from the raw counts with plain loops.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { combineCounts, parseCountTsv, stratifiedSplit } from '../../src/evaluate/index.ts';
import { toExpression } from '../../src/evaluate/inputs.ts';
import { wideGeneSet } from '../../src/evaluate/tasks/imputation.ts';
import { sharedDir } from '../survival/fixtures.ts';

const DATA = join(sharedDir, 'data', 'tcga', 'counts');
const TYPES = ['CHOL', 'UCS'];

describe('the wide imputation gene set (TCGA CHOL and UCS)', () => {
  const { counts, labels } = combineCounts(
    TYPES.map((type) => ({
      label: type,
      table: parseCountTsv(
        gunzipSync(readFileSync(join(DATA, `TCGA_${type}_Counts.exp.gz`))).toString('utf8'),
      ),
    })),
  );
  const split = stratifiedSplit(labels, 0.3, 5);
  const trainCounts = toExpression(counts, split.train);
  const testCounts = toExpression(counts, split.test);
  const G = counts.geneIds.length;
  const allowedGenes = new Set(counts.geneIds.filter((_, g) => g % 2 === 0));
  const set = wideGeneSet({ trainCounts, testCounts, allowedGenes }, 300);

  /** log2(CPM + 1) of sample `s` (row of an ExpressionMatrix), gene `g`, by hand. */
  const log2cpm = (m: typeof trainCounts, s: number, g: number): number => {
    let lib = 0;
    for (let j = 0; j < G; j++) lib += m.values[s * G + j]!;
    return Math.log2((m.values[s * G + g]! * 1e6) / lib + 1);
  };
  const trainStats = (g: number): { mean: number; variance: number } => {
    const v = Array.from({ length: trainCounts.nSamples }, (_, s) => log2cpm(trainCounts, s, g));
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) };
  };

  it('takes the most variable allowed genes of the training samples, not for GexBERT', () => {
    expect(set.gexbert).toBe(false);
    expect(set.genes.length).toBe(300);
    expect(set.genes.every((g) => allowedGenes.has(g))).toBe(true);
    const chosen = new Set(set.genes);
    const index = new Map(counts.geneIds.map((g, i) => [g, i]));
    const leastChosen = Math.min(...set.genes.slice(0, 40).map((g) => trainStats(index.get(g)!).variance));
    // Compare with a sample of allowed genes left out (all of them would take long by hand).
    const left = counts.geneIds
      .filter((g) => allowedGenes.has(g) && !chosen.has(g))
      .filter((_, i) => i % 97 === 0);
    const mostLeft = Math.max(...left.map((g) => trainStats(index.get(g)!).variance));
    expect(mostLeft).toBeLessThanOrEqual(leastChosen);
  });

  it('standardises training and test samples with the training mean and sd', () => {
    const index = new Map(counts.geneIds.map((g, i) => [g, i]));
    for (const c of [0, 123, 299]) {
      const g = index.get(set.genes[c]!)!;
      const { mean, variance } = trainStats(g);
      const sd = Math.sqrt(variance);
      expect(set.train.data[2 * set.train.cols + c]).toBeCloseTo((log2cpm(trainCounts, 2, g) - mean) / sd, 4);
      expect(set.test.data[1 * set.test.cols + c]).toBeCloseTo((log2cpm(testCounts, 1, g) - mean) / sd, 4);
    }
    expect(set.train.rows).toBe(split.train.length);
    expect(set.test.rows).toBe(split.test.length);
  });
});
