/** Principal component analysis fitted on training rows and applied to new rows. */
import { symmetricEigen } from './eigen.ts';
import { colMeans, type Matrix, row, zeros } from './matrix.ts';

/** A fitted PCA. */
export interface Pca {
  /** Column means of the training data (the centre). */
  mean: Float64Array;
  /** k x p, row-major: row c is the unit-length loading vector of component c (orthonormal rows). */
  components: Matrix;
  /** Variance (n - 1 denominator) of the training scores along each component, descending. */
  explainedVariance: Float64Array;
  /** explainedVariance / total variance of the training data. */
  explainedVarianceRatio: Float64Array;
  totalVariance: number;
}

/**
 * Fits PCA with `k` components by eigen-decomposing the covariance matrix (p x p) or, when there are
 * fewer rows than columns, the Gram matrix of the centred rows (n x n), whichever is smaller (symmetric
 * Jacobi). Component signs are fixed so that each loading vector's largest-magnitude entry is positive.
 */
export function fitPca(x: Matrix, k: number): Pca {
  const n = x.rows;
  const p = x.cols;
  if (n < 2) throw new RangeError('PCA needs at least two rows');
  const kMax = Math.min(n - 1, p);
  if (!(k >= 1 && k <= kMax)) throw new RangeError(`k must be in [1, ${kMax}], got ${k}`);
  const mean = colMeans(x);
  const xc = zeros(n, p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xc.data[i * p + j] = x.data[i * p + j]! - mean[j]!;
  let totalVariance = 0;
  for (let i = 0; i < n * p; i++) totalVariance += xc.data[i]! ** 2;
  totalVariance /= n - 1;

  const components = zeros(k, p);
  const explainedVariance = new Float64Array(k);
  if (p <= n) {
    const cov = new Float64Array(p * p);
    for (let i = 0; i < n; i++) {
      const r = row(xc, i);
      for (let a = 0; a < p; a++) {
        const ra = r[a]!;
        if (ra === 0) continue;
        for (let b = a; b < p; b++) cov[a * p + b]! += ra * r[b]!;
      }
    }
    for (let a = 0; a < p; a++)
      for (let b = a; b < p; b++) {
        const v = cov[a * p + b]! / (n - 1);
        cov[a * p + b] = v;
        cov[b * p + a] = v;
      }
    const eig = symmetricEigen(cov, p);
    for (let c = 0; c < k; c++) {
      explainedVariance[c] = Math.max(0, eig.values[c]!);
      for (let j = 0; j < p; j++) components.data[c * p + j] = eig.vectors[j * p + c]!;
    }
  } else {
    const gram = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const ri = row(xc, i);
      for (let l = i; l < n; l++) {
        const rl = row(xc, l);
        let s = 0;
        for (let j = 0; j < p; j++) s += ri[j]! * rl[j]!;
        gram[i * n + l] = s;
        gram[l * n + i] = s;
      }
    }
    const eig = symmetricEigen(gram, n);
    for (let c = 0; c < k; c++) {
      const lambda = Math.max(0, eig.values[c]!);
      explainedVariance[c] = lambda / (n - 1);
      // v = Xc' u / ||Xc' u||
      const comp = row(components, c);
      for (let i = 0; i < n; i++) {
        const u = eig.vectors[i * n + c]!;
        if (u === 0) continue;
        const ri = row(xc, i);
        for (let j = 0; j < p; j++) comp[j]! += u * ri[j]!;
      }
      let norm = 0;
      for (let j = 0; j < p; j++) norm += comp[j]! ** 2;
      norm = Math.sqrt(norm);
      if (norm > 0) for (let j = 0; j < p; j++) comp[j]! /= norm;
    }
  }
  for (let c = 0; c < k; c++) {
    const comp = row(components, c);
    let maxIdx = 0;
    for (let j = 1; j < p; j++) if (Math.abs(comp[j]!) > Math.abs(comp[maxIdx]!)) maxIdx = j;
    if (comp[maxIdx]! < 0) for (let j = 0; j < p; j++) comp[j] = -comp[j]!;
  }
  const explainedVarianceRatio = explainedVariance.map((v) => (totalVariance > 0 ? v / totalVariance : 0));
  return { mean, components, explainedVariance, explainedVarianceRatio, totalVariance };
}

/** Scores (n x k): centred rows projected on the components. */
export function transformPca(pca: Pca, x: Matrix): Matrix {
  const p = pca.mean.length;
  if (x.cols !== p) throw new RangeError(`PCA has ${p} features, data ${x.cols}`);
  const k = pca.components.rows;
  const scores = zeros(x.rows, k);
  for (let i = 0; i < x.rows; i++) {
    const r = row(x, i);
    for (let c = 0; c < k; c++) {
      const comp = row(pca.components, c);
      let s = 0;
      for (let j = 0; j < p; j++) s += (r[j]! - pca.mean[j]!) * comp[j]!;
      scores.data[i * k + c] = s;
    }
  }
  return scores;
}
