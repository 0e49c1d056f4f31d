import { describe, expect, it } from 'vitest';
import { fitPca, row, symmetricEigen, transformPca } from '../../src/stats/index.ts';
import { lowRank } from './synthetic.ts';

describe('symmetric eigen-decomposition', () => {
  it('diagonalises a known 2 x 2 matrix', () => {
    // [[2, 1], [1, 2]]: eigenvalues 3 and 1, vectors (1, 1)/sqrt2 and (1, -1)/sqrt2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0]!)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0]! * vectors[2]!).toBeCloseTo(0.5, 12); // same sign: (1, 1) direction
  });

  it('reconstructs a random symmetric matrix as V diag(values) V^T', () => {
    const n = 6;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        const v = Math.cos(i * 7 + j * 3);
        a[i * n + j] = v;
        a[j * n + i] = v;
      }
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += vectors[i * n + c]! * values[c]! * vectors[j * n + c]!;
        expect(s).toBeCloseTo(a[i * n + j]!, 10);
      }
  });
});

describe('PCA', () => {
  function checkRecovery(n: number, p: number) {
    const { x, loadings } = lowRank(n, p, [6, 3], 0.05, n + p);
    const pca = fitPca(x, 3);
    // Two planted components carry almost all the variance; the third is noise.
    expect(pca.explainedVarianceRatio[0]! + pca.explainedVarianceRatio[1]!).toBeGreaterThan(0.97);
    expect(pca.explainedVarianceRatio[2]!).toBeLessThan(0.01);
    expect(pca.explainedVariance[0]!).toBeGreaterThan(pca.explainedVariance[1]!);
    // Orthonormal components.
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 3; b++) {
        const ra = row(pca.components, a);
        const rb = row(pca.components, b);
        let d = 0;
        for (let j = 0; j < p; j++) d += ra[j]! * rb[j]!;
        expect(d).toBeCloseTo(a === b ? 1 : 0, 8);
      }
    // The planted loadings lie in the span of the first two components.
    for (const v of loadings) {
      let inSpan = 0;
      for (let c = 0; c < 2; c++) {
        const comp = row(pca.components, c);
        let d = 0;
        for (let j = 0; j < p; j++) d += comp[j]! * v[j]!;
        inSpan += d * d;
      }
      expect(inSpan).toBeGreaterThan(0.99);
    }
    // Training scores are centred, and their variances are the explained variances.
    const scores = transformPca(pca, x);
    for (let c = 0; c < 3; c++) {
      let mean = 0;
      let ss = 0;
      for (let i = 0; i < n; i++) mean += scores.data[i * 3 + c]! / n;
      for (let i = 0; i < n; i++) ss += (scores.data[i * 3 + c]! - mean) ** 2;
      expect(Math.abs(mean)).toBeLessThan(1e-9);
      expect(ss / (n - 1)).toBeCloseTo(pca.explainedVariance[c]!, 6);
    }
  }

  it('recovers a planted rank-2 structure from the covariance (n > p)', () => {
    checkRecovery(120, 25);
  });

  it('recovers a planted rank-2 structure from the Gram matrix (n < p)', () => {
    checkRecovery(40, 300);
  });

  it('rejects an impossible number of components', () => {
    const { x } = lowRank(5, 3, [1], 0.1, 1);
    expect(() => fitPca(x, 4)).toThrow(RangeError);
  });
});
