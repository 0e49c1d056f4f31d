/**
 * limma's `voom` for a two-group design (limma 3.54): log2-CPM with library size times the TMM
 * factor, a lowess trend (span 0.5) of sqrt(residual sd) on mean log-count, and per-observation
 * precision weights 1 / trend(fitted log-count)^4.
 */
import type { ExpressionMatrix, TwoGroupDesign } from './design.ts';
import { fitTwoGroups } from './limma.ts';
import { linearInterpolator, lowess } from './lowess.ts';

export interface Voom {
  /** log2-CPM (the layout of the counts). */
  E: ExpressionMatrix;
  /** Precision weights, the layout of E. */
  weights: Float64Array;
}

/**
 * voom of raw counts whose columns are the design's samples (see `designColumns`); `libSize` is the
 * effective library size per sample (column sum times normalisation factor).
 */
export function voom(
  counts: ExpressionMatrix,
  design: TwoGroupDesign,
  libSize: ArrayLike<number>,
  span = 0.5,
): Voom {
  const { data, nGenes, nSamples: m } = counts;
  if (nGenes < 2) throw new RangeError('voom needs at least two genes for the mean-variance trend');
  const lib = Float64Array.from(libSize);
  const E = new Float64Array(nGenes * m);
  const allZero = new Uint8Array(nGenes);
  for (let g = 0; g < nGenes; g++) {
    let sum = 0;
    for (let k = 0; k < m; k++) {
      const c = data[g * m + k]!;
      if (!(c >= 0)) throw new RangeError(`counts must be non-negative numbers (gene ${g})`);
      sum += c;
      E[g * m + k] = Math.log2(((c + 0.5) / (lib[k]! + 1)) * 1e6);
    }
    allZero[g] = sum === 0 ? 1 : 0;
  }
  const matrix: ExpressionMatrix = { data: E, nGenes, nSamples: m };
  const fit = fitTwoGroups(matrix, design);
  let meanLogLib = 0;
  for (let k = 0; k < m; k++) meanLogLib += Math.log2(lib[k]! + 1);
  meanLogLib /= m;
  const sx: number[] = [];
  const sy: number[] = [];
  for (let g = 0; g < nGenes; g++) {
    if (allZero[g]) continue;
    sx.push(fit.aveExpr[g]! + meanLogLib - Math.log2(1e6));
    sy.push(Math.sqrt(Math.sqrt(fit.sigma2[g]!)));
  }
  const trend = lowess(sx, sy, { f: span });
  const f = linearInterpolator(trend.x, trend.y);
  // Fitted log2 counts: log2(1e-6 * 2^fitted * (lib + 1)) = fitted + log2(lib + 1) - log2(1e6).
  const offset = Float64Array.from(lib, (l) => Math.log2(l + 1) - Math.log2(1e6));
  const weights = new Float64Array(nGenes * m);
  for (let g = 0; g < nGenes; g++) {
    const ref = fit.moments.mean[0][g]!;
    const cmp = fit.moments.mean[1][g]!;
    for (let k = 0; k < m; k++) {
      const sd = f((design.inComparison[k] ? cmp : ref) + offset[k]!);
      const variance = sd * sd;
      weights[g * m + k] = 1 / (variance * variance);
    }
  }
  return { E: matrix, weights };
}
