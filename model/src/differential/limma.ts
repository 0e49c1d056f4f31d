/**
 * limma for a two-group design: `lmFit(x, ~group, weights)` followed by `eBayes` (limma 3.54),
 * with missing values (NaN) left out gene by gene as lmFit does.
 */
import { digamma, studentTQuantileUpper, studentTSurvival, tetragamma, trigamma } from '../survival/index.ts';
import type { ExpressionMatrix, TwoGroupDesign } from './design.ts';
import { type GroupMoments, groupMoments } from './moments.ts';
import { selectQuantile } from './ranks.ts';

/** Per-gene least-squares fit of ~group: the group coefficient and its residual variance. */
export interface TwoGroupFit {
  /** Compared-group minus reference-group (weighted) mean: the coefficient of `group`. */
  coefficient: Float64Array;
  /** sqrt(1/W_ref + 1/W_cmp), W the sum of weights in a group (the counts when unweighted). */
  stdevUnscaled: Float64Array;
  /** Residual variance sigma^2 (NaN without residual degrees of freedom). */
  sigma2: Float64Array;
  dfResidual: Float64Array;
  /** Unweighted mean over all the samples in the design (limma's Amean, AveExpr). */
  aveExpr: Float64Array;
  /** The group summaries behind the fit (the fitted values are the group means). */
  moments: GroupMoments;
}

/**
 * Weighted least squares of every gene on ~group (NaN left out). `weights`, if given, has the
 * matrix's layout. The fitted values of ~group are the (weighted) group means.
 */
export function fitTwoGroups(
  matrix: ExpressionMatrix,
  design: TwoGroupDesign,
  weights?: Float64Array,
): TwoGroupFit {
  const moments = groupMoments(matrix, design, weights);
  const { weight, count, mean, sumSquares } = moments;
  const nGenes = matrix.nGenes;
  const fit: TwoGroupFit = {
    coefficient: new Float64Array(nGenes),
    stdevUnscaled: new Float64Array(nGenes),
    sigma2: new Float64Array(nGenes),
    dfResidual: new Float64Array(nGenes),
    aveExpr: moments.overallMean,
    moments,
  };
  for (let g = 0; g < nGenes; g++) {
    const df = count[0][g]! + count[1][g]! - 2;
    fit.coefficient[g] = mean[1][g]! - mean[0][g]!;
    fit.stdevUnscaled[g] = Math.sqrt(1 / weight[0][g]! + 1 / weight[1][g]!);
    fit.sigma2[g] = df > 0 ? (sumSquares[0][g]! + sumSquares[1][g]!) / df : Number.NaN;
    fit.dfResidual[g] = Math.max(df, 0);
  }
  return fit;
}

/**
 * limma's `trigammaInverse`: the y with trigamma(y) = x, by Newton's method on 1/trigamma (monotone
 * convergence), with limma's starting value and stopping rule.
 */
export function trigammaInverse(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x > 1e7) return 1 / Math.sqrt(x);
  if (x < 1e-6) return 1 / x;
  let y = 0.5 + 1 / x;
  for (let iter = 1; iter <= 51; iter++) {
    const tri = trigamma(y);
    const dif = (tri * (1 - tri / x)) / tetragamma(y);
    y += dif;
    if (-dif / y < 1e-8) break;
  }
  return y;
}

/** Scale and denominator df of a scaled F distribution fitted to variances: limma's `fitFDist`. */
export function fitFDist(x: ArrayLike<number>, df1: ArrayLike<number>): { scale: number; df2: number } {
  const kept: number[] = [];
  const keptDf: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const d = df1[i]!;
    const v = x[i]!;
    if (Number.isFinite(d) && d > 1e-15 && Number.isFinite(v) && v > -1e-15) {
      kept.push(Math.max(v, 0));
      keptDf.push(d);
    }
  }
  const n = kept.length;
  if (n <= 1) return { scale: Number.NaN, df2: Number.NaN };
  let m = selectQuantile(Float64Array.from(kept), n, 0.5);
  // More than half of the variances exactly zero: limma warns and uses 1.
  if (m === 0) m = 1;
  const floor = 1e-5 * m;
  let sum = 0;
  const e = new Float64Array(n);
  let meanTrigamma = 0;
  for (let i = 0; i < n; i++) {
    const half = keptDf[i]! / 2;
    e[i] = Math.log(Math.max(kept[i]!, floor)) - digamma(half) + Math.log(half);
    sum += e[i]!;
    meanTrigamma += trigamma(half);
  }
  const emean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (e[i]! - emean) ** 2;
  const evar = ss / (n - 1) - meanTrigamma / n;
  if (evar > 0) {
    const df2 = 2 * trigammaInverse(evar);
    return { scale: Math.exp(emean + digamma(df2 / 2) - Math.log(df2 / 2)), df2 };
  }
  return { scale: Math.exp(emean), df2: Number.POSITIVE_INFINITY };
}

export interface SqueezedVariances {
  dfPrior: number;
  varPrior: number;
  varPost: Float64Array;
}

/** Empirical Bayes posterior variances, limma's `squeezeVar` (no covariate, not robust). */
export function squeezeVar(variance: ArrayLike<number>, df: ArrayLike<number>): SqueezedVariances {
  const n = variance.length;
  if (n === 1) return { dfPrior: 0, varPrior: variance[0]!, varPost: Float64Array.from(variance) };
  const { scale, df2 } = fitFDist(variance, df);
  if (Number.isNaN(df2)) throw new RangeError('could not estimate the prior degrees of freedom');
  const varPost = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = df[i]!;
    const v = d === 0 ? 0 : variance[i]!;
    varPost[i] = df2 === Number.POSITIVE_INFINITY ? scale : (d * v + df2 * scale) / (d + df2);
  }
  return { dfPrior: df2, varPrior: scale, varPost };
}

/**
 * limma's `tmixture.vector`: the prior variance of the coefficient among the `proportion` of
 * differentially expressed genes, from the largest |t|.
 */
function tmixture(
  t: Float64Array,
  stdevUnscaled: Float64Array,
  dfTotal: Float64Array,
  proportion: number,
  limits: [number, number],
): number {
  const keep: number[] = [];
  for (let i = 0; i < t.length; i++) if (!Number.isNaN(t[i]!)) keep.push(i);
  const nGenes = keep.length;
  const nTarget = Math.ceil((proportion / 2) * nGenes);
  if (nTarget < 1) return Number.NaN;
  const p = Math.max(nTarget / nGenes, proportion);
  let maxDf = 0;
  for (const i of keep) maxDf = Math.max(maxDf, dfTotal[i]!);
  // Equal df needed: smaller df's |t| are mapped to the t(maxDf) with the same tail probability.
  const absT = keep.map((i) => {
    const a = Math.abs(t[i]!);
    return dfTotal[i]! < maxDf ? studentTQuantileUpper(studentTSurvival(a, dfTotal[i]!), maxDf) : a;
  });
  const order = absT.map((_, k) => k).sort((a, b) => absT[b]! - absT[a]! || a - b);
  let sum = 0;
  for (let k = 0; k < nTarget; k++) {
    const tk = absT[order[k]!]!;
    const v1 = stdevUnscaled[keep[order[k]!]!]! ** 2;
    const r = k + 1;
    const p0 = 2 * studentTSurvival(tk, maxDf);
    const pTarget = ((r - 0.5) / nGenes - (1 - p) * p0) / p;
    let v0 = 0;
    if (pTarget > p0) {
      const qTarget = studentTQuantileUpper(pTarget / 2, maxDf);
      v0 = v1 * ((tk / qTarget) ** 2 - 1);
    }
    sum += Math.min(Math.max(v0, limits[0]), limits[1]);
  }
  return sum / nTarget;
}

export interface ModeratedT {
  t: Float64Array;
  pValue: Float64Array;
  /** Log-odds of differential expression (B). */
  B: Float64Array;
  dfTotal: Float64Array;
  s2Post: Float64Array;
  dfPrior: number;
  s2Prior: number;
  /** Prior variance of the coefficient among differentially expressed genes. */
  varPrior: number;
}

export interface EBayesOptions {
  /** Assumed proportion of differentially expressed genes (default 0.01). */
  proportion?: number;
  /** Limits on the prior standard deviation of the coefficient (default [0.1, 4]). */
  stdevCoefLim?: [number, number];
}

/** limma's `eBayes` for the group coefficient of a two-group fit. */
export function eBayes(fit: TwoGroupFit, options: EBayesOptions = {}): ModeratedT {
  const proportion = options.proportion ?? 0.01;
  const [limLo, limHi] = options.stdevCoefLim ?? [0.1, 4];
  const nGenes = fit.coefficient.length;
  const { dfPrior, varPrior: s2Prior, varPost } = squeezeVar(fit.sigma2, fit.dfResidual);
  let dfPooled = 0;
  for (let g = 0; g < nGenes; g++) dfPooled += fit.dfResidual[g]!;
  const t = new Float64Array(nGenes);
  const pValue = new Float64Array(nGenes);
  const dfTotal = new Float64Array(nGenes);
  for (let g = 0; g < nGenes; g++) {
    dfTotal[g] = Math.min(fit.dfResidual[g]! + dfPrior, dfPooled);
    t[g] = fit.coefficient[g]! / fit.stdevUnscaled[g]! / Math.sqrt(varPost[g]!);
    pValue[g] = 2 * studentTSurvival(Math.abs(t[g]!), dfTotal[g]!);
  }
  let varPrior = tmixture(t, fit.stdevUnscaled, dfTotal, proportion, [
    limLo ** 2 / s2Prior,
    limHi ** 2 / s2Prior,
  ]);
  if (Number.isNaN(varPrior)) varPrior = 1 / s2Prior;
  const B = new Float64Array(nGenes);
  const logPriorOdds = Math.log(proportion / (1 - proportion));
  for (let g = 0; g < nGenes; g++) {
    const v = fit.stdevUnscaled[g]! ** 2;
    const r = (v + varPrior) / v;
    const t2 = t[g]! ** 2;
    const d = dfTotal[g]!;
    const kernel = dfPrior > 1e6 ? (t2 * (1 - 1 / r)) / 2 : ((1 + d) / 2) * Math.log((t2 + d) / (t2 / r + d));
    B[g] = logPriorOdds - Math.log(r) / 2 + kernel;
  }
  return { t, pValue, B, dfTotal, s2Post: varPost, dfPrior, s2Prior, varPrior };
}
