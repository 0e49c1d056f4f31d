/**
 * The imputation task's gene set beyond the fold model's vocabulary (tasks/imputation.ts wideVocabularySet)
 * on real counts: a second GexBERT with a wider vocabulary, trained on the training samples only, whose
 * z space holds the set and whose decoder restores genes the 1,000-gene model does not know.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ready } from '../../src/engine/tf.ts';
import { stratifiedSplit } from '../../src/evaluate/index.ts';
import { loadCountsDir, toExpression } from '../../src/evaluate/inputs.ts';
import { wideVocabularySet } from '../../src/evaluate/tasks/imputation.ts';
import { loadCheckpoint } from '../../src/gexbert/checkpoint.ts';
import { restore } from '../../src/gexbert/index.ts';
import { sharedDir } from '../survival/fixtures.ts';
import { CHECKPOINT } from './tcgaFold.ts';

describe('the wide imputation gene set (TCGA, all six cohorts)', () => {
  it('is the vocabulary of a GexBERT trained with a wider vocabulary, which restores genes the 1,000-gene model lacks', async () => {
    await ready();
    const { counts, labels } = loadCountsDir(join(sharedDir, 'data', 'tcga', 'counts'));
    const split = stratifiedSplit(labels, 0.3, 5);
    const trainCounts = toExpression(counts, split.train);
    const testCounts = toExpression(counts, split.test);
    const allowedGenes = new Set(counts.geneIds.filter((_, g) => g % 2 === 0));
    const set = await wideVocabularySet(
      {
        trainCounts,
        testCounts,
        allowedGenes,
        seed: 3,
        fold: 0,
        folds: 1,
        dir: mkdtempSync(join(tmpdir(), 'gexbert-wide-')),
        log: () => {},
      },
      2000,
      { maxSteps: 3 },
    );
    try {
      expect(set.genes).toHaveLength(2000);
      expect(new Set(set.genes).size).toBe(2000);
      expect(set.genes.every((g) => allowedGenes.has(g))).toBe(true);
      expect(set.model.stats.genes).toEqual(set.genes);
      expect([set.train.rows, set.train.cols]).toEqual([split.train.length, 2000]);
      expect([set.test.rows, set.test.cols]).toEqual([split.test.length, 2000]);
      // Genes outside the shipped 1,000-gene vocabulary are restored (finite) from the others.
      const shipped = new Set(loadCheckpoint(CHECKPOINT).stats.genes);
      const outside = set.genes.filter((g) => !shipped.has(g)).slice(0, 50);
      expect(outside.length).toBe(50);
      const keep = set.genes.filter((g) => !outside.includes(g));
      const at = new Map(set.genes.map((g, i) => [g, i]));
      const profiles = [0, 1, 2].map((i) => ({
        genes: keep,
        values: Float32Array.from(keep, (g) => set.test.data[i * set.test.cols + at.get(g)!]!),
        unit: 'z' as const,
      }));
      const restored = await restore(set.model.predictor, set.model.stats, profiles, outside, { unit: 'z' });
      for (const row of restored.values) expect(row.every(Number.isFinite)).toBe(true);
    } finally {
      await set.model.predictor.release();
    }
  }, 120_000);
});
