/**
 * The full mode's wide GexBERT (fold.ts WIDE_VOCABULARY) on real counts: prepareFold trains it on the
 * fold's training samples only, its z space holds the 5,000-gene imputation set (tasks/imputation.ts), and
 * its decoder restores genes the 1,000-gene model does not know, from a profile of thousands of genes
 * (the case that needs the attention budget of infer.ts), and it embeds the 1,024-gene random panels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import { randomGenePanel } from '../../src/data/dataset.ts';
import { loadCountsDir } from '../../src/data/inputs.ts';
import { closeFold, embedPanel, prepareFold, WIDE_VOCABULARY } from '../../src/evaluate/fold.ts';
import { Measurements } from '../../src/evaluate/measurements.ts';
import { panelModel, panelSizes } from '../../src/evaluate/tasks/classification.ts';
import { vocabularyGeneSet } from '../../src/evaluate/tasks/imputation.ts';
import { restore } from '../../src/gexbert/inference/infer.ts';
import { selectRows } from '../../src/stats/matrix.ts';
import { stratifiedSplit } from '../../src/stats/split.ts';

describe('the wide GexBERT of a full-mode fold (TCGA, all six cohorts)', () => {
  it('holds the 5,000-gene set in its z space, restores genes outside the main vocabulary and reads 1,024-gene panels', async () => {
    const data = loadCountsDir(join(sharedDir(), 'data', 'tcga', 'counts'));
    const split = stratifiedSplit(data.labels, 0.3, 5);
    const allowedGenes = new Set(data.counts.geneIds.filter((_, g) => g % 2 === 0));
    const notes: string[] = [];
    const out = mkdtempSync(join(tmpdir(), 'gexbert-wide-'));
    const fold = await prepareFold({
      fold: 0,
      folds: 1,
      seed: 3,
      quick: false,
      log: () => {},
      out,
      data,
      trainIdx: split.train,
      testIdx: split.test,
      trainDescription: 'test',
      survival: null,
      allowedGenes,
      measurements: new Measurements(),
      note: (t) => notes.push(t),
      maxSteps: 3,
    });
    try {
      const wide = fold.wide!;
      expect(wide.vocab).toHaveLength(WIDE_VOCABULARY);
      expect(new Set(wide.vocab).size).toBe(WIDE_VOCABULARY);
      expect(wide.vocab.every((g) => allowedGenes.has(g))).toBe(true);
      expect(fold.vocab).toHaveLength(1000);
      expect(notes.some((n) => n.startsWith(`GexBERT-${WIDE_VOCABULARY}: `))).toBe(true);
      const set = vocabularyGeneSet(wide, WIDE_VOCABULARY);
      expect(set.genes).toEqual(wide.vocab);
      expect([set.train.rows, set.train.cols]).toEqual([split.train.length, WIDE_VOCABULARY]);
      expect([set.test.rows, set.test.cols]).toEqual([split.test.length, WIDE_VOCABULARY]);
      expect(vocabularyGeneSet(fold, 256).genes).toHaveLength(256);
      // 3 test samples with 70% of the 5,000 genes measured restore the other 30%, including genes
      // outside the main model's vocabulary.
      const main = new Set(fold.vocab);
      const hidden = wide.vocab.filter((_, v) => v % 10 < 3);
      expect(hidden.filter((g) => !main.has(g)).length).toBeGreaterThan(1000);
      const kept = wide.vocab.filter((_, v) => v % 10 >= 3);
      const at = new Map(wide.vocab.map((g, v) => [g, v]));
      const profiles = [0, 1, 2].map((i) => ({
        genes: kept,
        values: Float32Array.from(kept, (g) => set.test.data[i * set.test.cols + at.get(g)!]!),
        unit: 'z' as const,
      }));
      const restored = await restore(wide.predictor, wide.stats, profiles, hidden, { unit: 'z' });
      expect(restored.reports.map((r) => r.inputGenes)).toEqual([kept.length, kept.length, kept.length]);
      for (const row of restored.values) {
        expect(row).toHaveLength(hidden.length);
        expect(row.every(Number.isFinite)).toBe(true);
      }
      // 1,024-gene panels are drawn from the wide vocabulary and embedded by the wide model.
      expect(panelSizes(false, [1000, WIDE_VOCABULARY])).toEqual([16, 64, 256, 1024]);
      expect(panelSizes(false, [1000])).toEqual([16, 64, 256, 1000]);
      expect(panelSizes(true, [1000])).toEqual([16, 64]);
      expect(panelModel(fold, 1024)).toBe(wide);
      expect(panelModel(fold, 256)).toBe(fold);
      const inPanel = new Uint8Array(WIDE_VOCABULARY);
      for (const g of randomGenePanel(WIDE_VOCABULARY, 1024, 1)) inPanel[g] = 1;
      const e = await embedPanel(wide, selectRows(wide.testZ, [0, 1, 2, 3]), inPanel);
      expect([e.rows, e.cols]).toEqual([4, fold.config.width]);
      expect(e.data.every(Number.isFinite)).toBe(true);
    } finally {
      await closeFold(fold);
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
