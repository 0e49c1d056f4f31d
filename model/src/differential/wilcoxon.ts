/**
 * Wilcoxon rank-sum (Mann-Whitney) tests, R's `wilcox.test(comparison, reference, exact = FALSE,
 * correct = TRUE)`: normal approximation with continuity correction and tie-corrected variance.
 * NaN values are left out. One native sort per gene into a reused buffer.
 */
import { normalSurvival } from '../survival/index.ts';
import type { ExpressionMatrix, TwoGroupDesign } from './design.ts';
import { gatherGene, geneSlice } from './moments.ts';
import { midRank, tieSum } from './ranks.ts';

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

export function wilcoxonTests(matrix: ExpressionMatrix, design: TwoGroupDesign): WilcoxonTests {
  const nGenes = matrix.nGenes;
  const out: WilcoxonTests = {
    W: new Float64Array(nGenes),
    z: new Float64Array(nGenes),
    pValue: new Float64Array(nGenes),
  };
  const slice = geneSlice(design);
  const sorted = new Float64Array(design.columns.length);
  for (let g = 0; g < nGenes; g++) {
    const { n, y, group } = gatherGene(matrix, design, g, slice);
    sorted.set(y.subarray(0, n));
    sorted.subarray(0, n).sort();
    let rankSum = 0;
    let nx = 0;
    for (let k = 0; k < n; k++) {
      if (!group[k]) continue;
      rankSum += midRank(sorted, n, y[k]!);
      nx++;
    }
    const ny = n - nx;
    out.W[g] = rankSum - (nx * (nx + 1)) / 2;
    if (nx === 0 || ny === 0) {
      out.z[g] = out.pValue[g] = Number.NaN;
      continue;
    }
    const test = wilcoxonFromRankSum(out.W[g]!, nx, ny, tieSum(sorted, n));
    out.z[g] = test.z;
    out.pValue[g] = test.pValue;
  }
  return out;
}
