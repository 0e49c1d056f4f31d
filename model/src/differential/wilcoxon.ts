/**
 * Wilcoxon rank-sum (Mann-Whitney) tests, R's `wilcox.test(comparison, reference, exact = FALSE,
 * correct = TRUE)`: normal approximation with continuity correction and tie-corrected variance.
 * NaN values are left out. Per gene, each group's values are sorted (native sort, reused buffers)
 * and merged.
 */
import { normalSurvival } from '../survival/index.ts';
import type { ExpressionMatrix, TwoGroupDesign } from './design.ts';
import { gatherGene, geneSlice } from './moments.ts';

export interface WilcoxonTests {
  /** R's W: rank sum of the compared group minus nx (nx + 1) / 2. */
  W: Float64Array;
  /** Continuity-corrected standard normal statistic. */
  z: Float64Array;
  pValue: Float64Array;
}

/** Two-sided p of the normal approximation from W, the group sizes and the tie sum (t^3 - t). */
export function wilcoxonFromRankSum(
  W: number,
  nx: number,
  ny: number,
  ties: number,
): { z: number; pValue: number } {
  const centred = W - (nx * ny) / 2;
  const sigma = Math.sqrt(((nx * ny) / 12) * (nx + ny + 1 - ties / ((nx + ny) * (nx + ny - 1))));
  const z = (centred - Math.sign(centred) * 0.5) / sigma;
  return { z, pValue: Math.min(1, 2 * normalSurvival(Math.abs(z))) };
}

/**
 * R's W and the tie sum from the two groups' values, each sorted increasingly: one merge walks the
 * tie groups of the pooled sample (average rank of a group at positions [p, p + t): p + (t + 1) / 2).
 */
export function rankSumSorted(x: Float64Array, y: Float64Array): { W: number; ties: number } {
  const nx = x.length;
  const ny = y.length;
  let i = 0;
  let j = 0;
  let position = 0;
  let rankSum = 0;
  let ties = 0;
  while (i < nx || j < ny) {
    const v = j >= ny || (i < nx && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    let cx = 0;
    let cy = 0;
    while (i < nx && x[i] === v) {
      i++;
      cx++;
    }
    while (j < ny && y[j] === v) {
      j++;
      cy++;
    }
    const t = cx + cy;
    rankSum += cx * (position + (t + 1) / 2);
    ties += t * t * t - t;
    position += t;
  }
  return { W: rankSum - (nx * (nx + 1)) / 2, ties };
}

export function wilcoxonTests(matrix: ExpressionMatrix, design: TwoGroupDesign): WilcoxonTests {
  const nGenes = matrix.nGenes;
  const out: WilcoxonTests = {
    W: new Float64Array(nGenes),
    z: new Float64Array(nGenes),
    pValue: new Float64Array(nGenes),
  };
  const slice = geneSlice(design);
  const x = new Float64Array(design.nComparison);
  const y = new Float64Array(design.nReference);
  for (let g = 0; g < nGenes; g++) {
    const { n, y: values, group } = gatherGene(matrix, design, g, slice);
    let nx = 0;
    let ny = 0;
    for (let k = 0; k < n; k++) {
      if (group[k]) x[nx++] = values[k]!;
      else y[ny++] = values[k]!;
    }
    const { W, ties } = rankSumSorted(x.subarray(0, nx).sort(), y.subarray(0, ny).sort());
    out.W[g] = W;
    if (nx === 0 || ny === 0) {
      out.z[g] = out.pValue[g] = Number.NaN;
      continue;
    }
    const test = wilcoxonFromRankSum(W, nx, ny, ties);
    out.z[g] = test.z;
    out.pValue[g] = test.pValue;
  }
  return out;
}
