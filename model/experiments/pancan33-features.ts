/**
 * What the pancan33 classification experiments feed to a classifier besides the genes' z (EXPERIMENTS.md 15):
 * the encoder outputs of a panel's tokens (pooled or gene-aligned), and the exact low-dimensional coordinates
 * in which an L2-penalised linear model on thousands of gene-aligned features can be fitted quickly.
 */
import { ready, type Tensor3D, tf } from '../src/engine/tf.ts';
import type { GexbertModel } from '../src/gexbert/architecture/model.ts';
import { levelOf, type NormStats } from '../src/gexbert/inference/normalise.ts';
import { symmetricEigen } from '../src/stats/eigen.ts';
import { fromRows, type Matrix } from '../src/stats/matrix.ts';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../src/stats/standardize.ts';

export { ready };

/** The encoder outputs of the panel's tokens (the panel genes only, as embedPanel feeds them) per sample. */
export function encoderFeatures(m: GexbertModel, st: NormStats, z: Float32Array[], panel: string[]) {
  const ids = panel.map((g) => st.genes.indexOf(g));
  const k = ids.length;
  const C = m.config.width;
  const out = {
    mean: [] as Float32Array[],
    max: [] as Float32Array[],
    /** the k encoder outputs side by side, in panel order (k*C, gene-aligned) */
    tokens: [] as Float32Array[],
    values: [] as Float32Array[],
  };
  for (let i = 0; i < z.length; i += 64) {
    const rows = z.slice(i, i + 64);
    const B = rows.length;
    const [hidden, tokenValues] = tf.tidy(() => {
      const geneIds = tf.tensor2d(
        Int32Array.from({ length: B * k }, (_, j) => ids[j % k]!),
        [B, k],
        'int32',
      );
      const levels = Int32Array.from({ length: B * k }, (_, j) =>
        levelOf(st, rows[Math.floor(j / k)]![j % k]!),
      );
      const e = m.encode({ geneIds, levelIds: tf.tensor2d(levels, [B, k], 'int32') });
      // hidden: (B, k, C); tokenValues: (B, k), the per-token restoration head
      return [(e.hidden as Tensor3D).dataSync() as Float32Array, e.tokenValues.dataSync() as Float32Array];
    });
    for (let b = 0; b < B; b++) {
      const tok = hidden.slice(b * k * C, (b + 1) * k * C); // (k*C)
      const mean = new Float32Array(C);
      const max = new Float32Array(C).fill(Number.NEGATIVE_INFINITY);
      for (let t = 0; t < k; t++)
        for (let c = 0; c < C; c++) {
          mean[c]! += tok[t * C + c]! / k;
          max[c] = Math.max(max[c]!, tok[t * C + c]!);
        }
      out.mean.push(mean);
      out.max.push(max);
      out.tokens.push(tok);
      out.values.push(tokenValues!.slice(b * k, (b + 1) * k));
    }
  }
  return out;
}

/**
 * Row-space coordinates of standardised features (p >> n): with the training rows' standardised X (n x p)
 * = U S V^T, the training rows become U S and any rows X' become X' V (at most n columns; directions with
 * S^2 below 1e-9 of the largest are dropped). An L2-penalised linear model's weights lie in the row space of
 * its training rows, and V is orthonormal, so a logistic regression with the same L2 penalty (and no further
 * standardisation) fitted on these coordinates is the one fitted on the p standardised features, exactly,
 * also on any subset of the training rows. `blockScale` multiplies standardised feature columns first (a
 * weaker penalty on them: scale a gives a penalty 1/a^2 as strong).
 */
export function rowSpaceCoordinates(
  train: Float32Array[],
  others: Float32Array[][],
  blockScale?: { from: number; scale: number },
): {
  train: Matrix;
  others: Matrix[];
  rank: number;
  standardizer: Standardizer;
  featureWeights: (w: ArrayLike<number>, K: number) => Float32Array;
} {
  const std = fitStandardizer(fromRows(train));
  if (blockScale) for (let j = blockScale.from; j < std.sd.length; j++) std.sd[j]! /= blockScale.scale;
  const x = applyStandardizer(fromRows(train), std); // (n x p)
  const n = x.rows;
  const p = x.cols;
  const gram = new Float64Array(n * n); // X X^T (n x n)
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let c = 0; c < p; c++) s += x.data[i * p + c]! * x.data[j * p + c]!;
      gram[i * n + j] = s;
      gram[j * n + i] = s;
    }
  const { values, vectors } = symmetricEigen(gram, n, 1e-10);
  const keep = Array.from(values, (_, r) => r).filter((r) => values[r]! > 1e-9 * values[0]!);
  const r = keep.length;
  // V = X^T U S^-1 (p x r)
  const v = new Float64Array(p * r);
  keep.forEach((e, col) => {
    const inv = 1 / Math.sqrt(values[e]!);
    for (let i = 0; i < n; i++) {
      const u = vectors[i * n + e]! * inv;
      if (u === 0) continue;
      for (let c = 0; c < p; c++) v[c * r + col]! += x.data[i * p + c]! * u;
    }
  });
  const project = (rows: Float32Array[]): Matrix => {
    const xs = applyStandardizer(fromRows(rows), std);
    const out: Matrix = { rows: xs.rows, cols: r, data: new Float64Array(xs.rows * r) };
    for (let i = 0; i < xs.rows; i++)
      for (let c = 0; c < p; c++) {
        const a = xs.data[i * p + c]!;
        if (a === 0) continue;
        for (let col = 0; col < r; col++) out.data[i * r + col]! += a * v[c * r + col]!;
      }
    return out;
  };
  /** A linear model's weights on the coordinates (r x K, row-major) as weights on the standardised features (p x K). */
  const featureWeights = (w: ArrayLike<number>, K: number): Float32Array => {
    const out = new Float32Array(p * K);
    for (let c = 0; c < p; c++)
      for (let col = 0; col < r; col++) {
        const vc = v[c * r + col]!;
        for (let k = 0; k < K; k++) out[c * K + k]! += vc * w[col * K + k]!;
      }
    return out;
  };
  return { train: project(train), others: others.map(project), rank: r, standardizer: std, featureWeights };
}
