// How `gexbert evaluate` splits the samples: cross-validation folds without --test (full mode), one
// stratified 70/30 split with --quick, the given test files with --test. Real TCGA count files.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import { expectedSeconds, foldCount, planSplits } from '../../src/evaluate/run.ts';

const counts = path.join(sharedDir(), 'data', 'tcga', 'counts');
const quiet = () => {};

function countBy(labels: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

describe('evaluation splits', () => {
  it('cross-validates without --test: the folds partition the samples, each stratified by cancer type', () => {
    expect(foldCount({ folds: 3 })).toBe(3);
    const plan = planSplits({ train: counts, out: '/unused', folds: 3 }, quiet);
    const n = plan.data.labels.length;
    expect(plan.splits).toHaveLength(3);
    const seen = new Array<number>(n).fill(0);
    for (const { train, test } of plan.splits) {
      expect(train.length + test.length).toBe(n);
      expect(new Set([...train, ...test]).size).toBe(n);
      for (const i of test) seen[i]!++;
      // Each type's share of the fold is its share of the data, within one sample.
      const all = countBy(plan.data.labels);
      const fold = countBy(test.map((i) => plan.data.labels[i]!));
      for (const [type, total] of all)
        expect(Math.abs((fold.get(type) ?? 0) - total / 3)).toBeLessThanOrEqual(1);
    }
    expect(seen.every((c) => c === 1)).toBe(true);
    expect(plan.description).toMatch(/3-fold cross-validation/);
  });

  it('uses one stratified 70/30 split with --quick, and the given files with --test', () => {
    expect(foldCount({ quick: true })).toBe(1);
    expect(foldCount({ test: counts, folds: 5 })).toBe(1);
    const quick = planSplits({ train: counts, out: '/unused', quick: true }, quiet);
    expect(quick.splits).toHaveLength(1);
    const n = quick.data.labels.length;
    expect(quick.splits[0]!.test.length / n).toBeCloseTo(0.3, 1);
    expect(quick.description).toMatch(/70\/30 split/);
    const chol = path.join(counts, 'TCGA_CHOL_Counts.exp.gz');
    const given = planSplits({ train: counts, test: chol, out: '/unused' }, quiet);
    expect(given.splits[0]!.train).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(given.splits[0]!.test.map((i) => given.data.labels[i])).toEqual(
      given.splits[0]!.test.map(() => 'CHOL'),
    );
    expect(expectedSeconds(false, 3)).toBe(3 * expectedSeconds(false, 1));
  });
});
