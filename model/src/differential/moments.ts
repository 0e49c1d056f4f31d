/**
 * Per-gene group summaries for the two-group tests: one gene's non-missing values gathered into
 * reused buffers, and the (weighted) size, mean and sum of squares of each group in two passes.
 */
import type { ExpressionMatrix, TwoGroupDesign } from './design.ts';

/** One gene's values in the design's samples, NaN left out: y[0, n), group flags, weights. */
export interface GeneSlice {
  n: number;
  y: Float64Array;
  /** 1 for the compared group, 0 for the reference. */
  group: Uint8Array;
  w: Float64Array;
}

export function geneSlice(design: TwoGroupDesign): GeneSlice {
  const m = design.columns.length;
  return { n: 0, y: new Float64Array(m), group: new Uint8Array(m), w: new Float64Array(m).fill(1) };
}

/** Fills `slice` with gene g (weights from a matrix of the same layout, else 1). */
export function gatherGene(
  matrix: ExpressionMatrix,
  design: TwoGroupDesign,
  g: number,
  slice: GeneSlice,
  weights?: Float64Array,
): GeneSlice {
  const base = g * matrix.nSamples;
  const { columns, inComparison } = design;
  let n = 0;
  for (let k = 0; k < columns.length; k++) {
    const at = base + columns[k]!;
    const y = matrix.data[at]!;
    if (Number.isNaN(y)) continue;
    slice.y[n] = y;
    slice.group[n] = inComparison[k]!;
    if (weights) slice.w[n] = weights[at]!;
    n++;
  }
  slice.n = n;
  return slice;
}

/** Per gene and group (index 0 reference, 1 compared): weight sums, counts, means, sums of squares. */
export interface GroupMoments {
  /** Sum of weights (the count when unweighted). */
  weight: [Float64Array, Float64Array];
  count: [Float64Array, Float64Array];
  mean: [Float64Array, Float64Array];
  /** Weighted sum of squared deviations from the group mean. */
  sumSquares: [Float64Array, Float64Array];
  /** Unweighted mean over both groups. */
  overallMean: Float64Array;
}

const pair = (n: number): [Float64Array, Float64Array] => [new Float64Array(n), new Float64Array(n)];

export function groupMoments(
  matrix: ExpressionMatrix,
  design: TwoGroupDesign,
  weights?: Float64Array,
): GroupMoments {
  const { nGenes } = matrix;
  const out: GroupMoments = {
    weight: pair(nGenes),
    count: pair(nGenes),
    mean: pair(nGenes),
    sumSquares: pair(nGenes),
    overallMean: new Float64Array(nGenes),
  };
  const slice = geneSlice(design);
  const w = [0, 0];
  const s = [0, 0];
  const c = [0, 0];
  const ss = [0, 0];
  for (let g = 0; g < nGenes; g++) {
    const { n, y, group } = gatherGene(matrix, design, g, slice, weights);
    w[0] = w[1] = s[0] = s[1] = c[0] = c[1] = ss[0] = ss[1] = 0;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const gr = group[k]!;
      w[gr]! += slice.w[k]!;
      s[gr]! += slice.w[k]! * y[k]!;
      c[gr]!++;
      total += y[k]!;
    }
    const mean = [s[0]! / w[0]!, s[1]! / w[1]!];
    for (let k = 0; k < n; k++) {
      const r = y[k]! - mean[group[k]!]!;
      ss[group[k]!]! += slice.w[k]! * r * r;
    }
    for (const gr of [0, 1] as const) {
      out.weight[gr][g] = w[gr]!;
      out.count[gr][g] = c[gr]!;
      out.mean[gr][g] = mean[gr]!;
      out.sumSquares[gr][g] = ss[gr]!;
    }
    out.overallMean[g] = n > 0 ? total / n : Number.NaN;
  }
  return out;
}
