/**
 * Survival baselines of the evaluation: PCA(k) + Cox risk, cancer type alone, and risk groups
 * (median / tertiles) compared by Kaplan-Meier and the log-rank test. The statistics come from
 * `../survival` (coxph, predictRisk, concordance, kaplanMeierByGroup, logRankTest).
 */
import {
  type CoxFit,
  concordance,
  coxph,
  type GroupedKaplanMeier,
  kaplanMeierByGroup,
  type LogRankResult,
  logRankTest,
  predictRisk,
  type SurvivalData,
} from '../survival/index.ts';
import { applyStandardizer, fitStandardizer } from './data.ts';
import { colMeans, colVariances, type Matrix } from './matrix.ts';
import { fitPca, type Pca, transformPca } from './pca.ts';

/** Held-out evaluation of a Cox risk model. */
export interface RiskModelResult {
  /** Harrell's C of the risk on the test subjects (a higher risk predicting an earlier event). */
  cIndex: number;
  /** The same on the training subjects (optimistic). */
  trainCIndex: number;
  /** Linear predictors of the training and test subjects. */
  trainRisk: number[];
  testRisk: number[];
  fit: CoxFit;
}

/** Options for {@link pcaCoxRisk}. */
export interface PcaCoxOptions {
  /** Number of principal components (default 5). */
  k?: number;
  /** Ridge penalty of the Cox fit, on unit-variance scores (default 0.01). */
  ridge?: number;
  /** Standardise genes with training statistics before PCA (default true). */
  standardize?: boolean;
}

/**
 * PCA(k) + Cox: PCA fitted on the training rows (genes standardised with training statistics), the
 * k scores scaled to unit training variance, a ridge Cox model fitted on the training subjects and its
 * linear predictor scored on the test subjects with Harrell's C.
 */
export function pcaCoxRisk(
  trainX: Matrix,
  train: SurvivalData,
  testX: Matrix,
  test: SurvivalData,
  options: PcaCoxOptions = {},
): RiskModelResult & { pca: Pca } {
  const k = options.k ?? 5;
  const standardizer = (options.standardize ?? true) ? fitStandardizer(trainX) : null;
  const xTrain = standardizer ? applyStandardizer(trainX, standardizer) : trainX;
  const xTest = standardizer ? applyStandardizer(testX, standardizer) : testX;
  const pca = fitPca(xTrain, k);
  const scoresTrain = transformPca(pca, xTrain);
  const scoresTest = transformPca(pca, xTest);
  const mean = colMeans(scoresTrain);
  const sd = colVariances(scoresTrain, mean).map((v) => (v > 0 ? Math.sqrt(v) : 1));
  const columns = (scores: Matrix): Record<string, Float64Array> => {
    const out: Record<string, Float64Array> = {};
    for (let c = 0; c < k; c++)
      out[`PC${c + 1}`] = Float64Array.from(
        { length: scores.rows },
        (_, i) => scores.data[i * k + c]! / sd[c]!,
      );
    return out;
  };
  return {
    ...fitAndScore(columns(scoresTrain), train, columns(scoresTest), test, options.ridge ?? 0.01),
    pca,
  };
}

function fitAndScore(
  trainCov: Record<string, ArrayLike<number>>,
  train: SurvivalData,
  testCov: Record<string, ArrayLike<number>>,
  test: SurvivalData,
  ridge: number,
): RiskModelResult {
  const fit = coxph(train, trainCov, { ridge });
  const trainRisk = predictRisk(fit, trainCov);
  const testRisk = predictRisk(fit, testCov);
  return {
    cIndex: concordance(test, testRisk, { reverse: true }).concordance,
    trainCIndex: concordance(train, trainRisk, { reverse: true }).concordance,
    trainRisk,
    testRisk,
    fit,
  };
}

/**
 * Cancer type alone: a ridge Cox model on one dummy covariate per training type but the first (sorted),
 * scored on the test subjects (a type unseen in training gets the reference level).
 */
export function cancerTypeCoxRisk(
  trainTypes: ArrayLike<string>,
  train: SurvivalData,
  testTypes: ArrayLike<string>,
  test: SurvivalData,
  options: { ridge?: number } = {},
): RiskModelResult {
  const levels = [...new Set(Array.from(trainTypes))].sort();
  const dummies = (types: ArrayLike<string>): Record<string, Float64Array> => {
    const out: Record<string, Float64Array> = {};
    for (const level of levels.slice(1))
      out[`type_${level}`] = Float64Array.from(Array.from(types), (t) => (t === level ? 1 : 0));
    return out;
  };
  if (levels.length < 2) throw new RangeError('cancer type alone needs at least two types in training');
  return fitAndScore(dummies(trainTypes), train, dummies(testTypes), test, options.ridge ?? 0.01);
}

/** Quantile with linear interpolation (R type 7) of unsorted values. */
export function quantile(values: ArrayLike<number>, prob: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Risk groups compared by Kaplan-Meier and the log-rank test. */
export interface RiskGroupSurvival {
  /** Group names, lowest risk first: ["low", "high"] or ["low", "mid", "high"]. */
  names: string[];
  /** Per subject, the group name. */
  group: string[];
  /** Risk cut-offs between consecutive groups. */
  cutoffs: number[];
  /** Kaplan-Meier curves per group (groups in sorted-label order: see `km.groups`). */
  km: GroupedKaplanMeier;
  logRank: LogRankResult;
}

/**
 * Splits subjects by predicted risk at the median (2 groups) or tertiles (3 groups) — cut-offs taken
 * from `referenceRisk` (e.g. the training risks; default the risks themselves), a risk above a cut-off
 * going to the higher group — then computes Kaplan-Meier curves per group and the log-rank test.
 */
export function riskGroupSurvival(
  data: SurvivalData,
  risk: ArrayLike<number>,
  scheme: 'median' | 'tertile' = 'median',
  referenceRisk: ArrayLike<number> = risk,
): RiskGroupSurvival {
  if (risk.length !== data.time.length) throw new RangeError('risk and survival data lengths differ');
  const names = scheme === 'median' ? ['low', 'high'] : ['low', 'mid', 'high'];
  const cutoffs =
    scheme === 'median'
      ? [quantile(referenceRisk, 0.5)]
      : [1 / 3, 2 / 3].map((q) => quantile(referenceRisk, q));
  const group = Array.from(risk, (r) => {
    let g = 0;
    while (g < cutoffs.length && r > cutoffs[g]!) g++;
    return names[g]!;
  });
  return { names, group, cutoffs, km: kaplanMeierByGroup(data, group), logRank: logRankTest(data, group) };
}
