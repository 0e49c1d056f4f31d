/**
 * Welch two-sample t-tests, R's `t.test(comparison, reference, var.equal = FALSE)`, gene by gene;
 * NaN values are left out.
 */
import { studentTSurvival } from '../survival/index.ts';
import type { GroupMoments } from './moments.ts';

export interface WelchTests {
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

/** Welch tests of every gene from its unweighted group moments (`groupMoments` or a fit's). */
export function welchTests({ count, mean, sumSquares }: GroupMoments): WelchTests {
  const nGenes = mean[0].length;
  const out: WelchTests = {
    t: new Float64Array(nGenes),
    df: new Float64Array(nGenes),
    pValue: new Float64Array(nGenes),
  };
  for (let g = 0; g < nGenes; g++) {
    const [n0, n1] = [count[0][g]!, count[1][g]!];
    const test = welchFromMoments(
      mean[1][g]!,
      sumSquares[1][g]! / (n1 - 1),
      n1,
      mean[0][g]!,
      sumSquares[0][g]! / (n0 - 1),
      n0,
    );
    out.t[g] = test.t;
    out.df[g] = test.df;
    out.pValue[g] = test.pValue;
  }
  return out;
}
