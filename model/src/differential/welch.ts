/**
 * Welch two-sample t-tests, R's `t.test(comparison, reference, var.equal = FALSE)`, gene by gene;
 * NaN values are left out.
 */
import { studentTSurvival } from '../survival/index.ts';
import type { ExpressionMatrix, TwoGroupDesign } from './design.ts';

export interface WelchTests {
  /** Difference of means, compared minus reference. */
  difference: Float64Array;
  t: Float64Array;
  df: Float64Array;
  pValue: Float64Array;
}

/** Welch t statistic, Satterthwaite df and two-sided p from the group means, variances and sizes. */
export function welchFromMoments(
  mx: number,
  vx: number,
  nx: number,
  my: number,
  vy: number,
  ny: number,
): { t: number; df: number; pValue: number } {
  const sx2 = vx / nx;
  const sy2 = vy / ny;
  const stderr = Math.sqrt(sx2 + sy2);
  // R stops on "data are essentially constant"; here the test is undefined (NaN).
  if (!(nx >= 2 && ny >= 2) || stderr < 10 * Number.EPSILON * Math.max(Math.abs(mx), Math.abs(my))) {
    return { t: Number.NaN, df: Number.NaN, pValue: Number.NaN };
  }
  const df = stderr ** 4 / (sx2 ** 2 / (nx - 1) + sy2 ** 2 / (ny - 1));
  const t = (mx - my) / stderr;
  return { t, df, pValue: 2 * studentTSurvival(Math.abs(t), df) };
}

export function welchTests(matrix: ExpressionMatrix, design: TwoGroupDesign): WelchTests {
  const { data, nGenes, nSamples } = matrix;
  const { columns, inComparison } = design;
  const out: WelchTests = {
    difference: new Float64Array(nGenes),
    t: new Float64Array(nGenes),
    df: new Float64Array(nGenes),
    pValue: new Float64Array(nGenes),
  };
  const m = columns.length;
  const n = [0, 0];
  const sum = [0, 0];
  const ss = [0, 0];
  for (let g = 0; g < nGenes; g++) {
    const base = g * nSamples;
    n[0] = n[1] = sum[0] = sum[1] = ss[0] = ss[1] = 0;
    for (let k = 0; k < m; k++) {
      const y = data[base + columns[k]!]!;
      if (Number.isNaN(y)) continue;
      n[inComparison[k]!]!++;
      sum[inComparison[k]!]! += y;
    }
    const mean0 = sum[0]! / n[0]!;
    const mean1 = sum[1]! / n[1]!;
    for (let k = 0; k < m; k++) {
      const y = data[base + columns[k]!]!;
      if (Number.isNaN(y)) continue;
      const r = y - (inComparison[k] ? mean1 : mean0);
      ss[inComparison[k]!]! += r * r;
    }
    const test = welchFromMoments(mean1, ss[1]! / (n[1]! - 1), n[1]!, mean0, ss[0]! / (n[0]! - 1), n[0]!);
    out.difference[g] = mean1 - mean0;
    out.t[g] = test.t;
    out.df[g] = test.df;
    out.pValue[g] = test.pValue;
  }
  return out;
}
