import { describe, expect, it } from 'vitest';
import {
  applyMask,
  fitStandardizer,
  fromRows,
  imputationMetrics,
  knnImpute,
  mcarMask,
  meanImpute,
  selectRows,
  tuneKnnK,
} from '../../src/stats/index.ts';
import { lowRank } from './synthetic.ts';

describe('MCAR masks', () => {
  it('masks exactly the requested fraction, seeded', () => {
    const mask = mcarMask(20, 50, 0.3, 1);
    expect(mask.reduce((s, v) => s + v, 0)).toBe(300);
    expect(mcarMask(20, 50, 0.3, 1)).toEqual(mask);
    expect(mcarMask(20, 50, 0.3, 2)).not.toEqual(mask);
    const masked = applyMask(fromRows([[1, 2]]), Uint8Array.from([0, 1]));
    expect(masked.data[0]).toBe(1);
    expect(masked.data[1]).toBeNaN();
  });
});

describe('imputers on a hand-computed case', () => {
  const reference = fromRows([
    [0, 0, 0],
    [1, 1, 2],
    [10, 10, 20],
    [1.2, Number.NaN, 4],
  ]);
  const target = fromRows([[0.9, Number.NaN, Number.NaN]]);

  it('per-gene mean uses the observed reference values', () => {
    const imputed = meanImpute(reference, target);
    expect(Array.from(imputed.data)).toEqual([0.9, 11 / 3, 26 / 4]);
  });

  it('KNN averages the nearest donors that observe the gene (distance on co-observed genes)', () => {
    // Distances on gene 0: row1 0.1, row3 0.3, row0 0.9, row2 9.1.
    const k2 = knnImpute(reference, target, 2);
    expect(k2.data[0]).toBe(0.9);
    expect(k2.data[1]).toBeCloseTo((1 + 0) / 2, 12); // row3 does not observe gene 1
    expect(k2.data[2]).toBeCloseTo((2 + 4) / 2, 12);
    const k1 = knnImpute(reference, target, 1);
    expect(k1.data[1]).toBeCloseTo(1, 12);
    expect(k1.data[2]).toBeCloseTo(2, 12);
  });
});

describe('imputation on low-rank synthetic data', () => {
  const { x } = lowRank(200, 80, [5, 4, 3], 0.5, 21);
  const trainRows = Array.from({ length: 150 }, (_, i) => i);
  const testRows = Array.from({ length: 50 }, (_, i) => 150 + i);
  const train = selectRows(x, trainRows);
  const test = selectRows(x, testRows);
  const standardizer = fitStandardizer(train);

  it('KNN beats the per-gene mean; the training-mean imputation has Pearson 0 by construction', () => {
    const { k, rmse: errors, candidates } = tuneKnnK(train, { seed: 5 });
    expect(candidates).toContain(k);
    expect(errors.length).toBe(candidates.length);
    for (const rate of [0.3, 0.7]) {
      const mask = mcarMask(test.rows, test.cols, rate, 8);
      const masked = applyMask(test, mask);
      const knn = imputationMetrics(test, knnImpute(train, masked, k), mask, standardizer);
      const mean = imputationMetrics(test, meanImpute(train, masked), mask, standardizer);
      expect(knn.n).toBe(Math.round(rate * test.rows * test.cols));
      expect(mean.pearson).toBe(0);
      expect(knn.pearson).toBeGreaterThan(0.6);
      expect(knn.rmse).toBeLessThan(0.8 * mean.rmse);
      // Mean imputation from the test rows' own observed values varies per gene but still carries ~0 signal.
      const own = imputationMetrics(test, meanImpute(masked, masked), mask, standardizer);
      expect(Math.abs(own.pearson)).toBeLessThan(0.15);
    }
  });

  it('a perfect imputation scores Pearson 1 and RMSE 0', () => {
    const mask = mcarMask(test.rows, test.cols, 0.5, 9);
    const m = imputationMetrics(test, test, mask, standardizer);
    expect(m.pearson).toBeCloseTo(1, 12);
    expect(m.rmse).toBe(0);
  });
});
