/**
 * Survival baselines of the evaluation: PCA(k) + Cox risk, cancer type alone, Cox models on composed
 * covariates (PCA scores, cancer-type dummies, ...) with Harrell's C pooled or within type, and risk groups
 * (median / tertiles) compared by Kaplan-Meier and the log-rank test. The statistics come from
 * `../survival` (coxph, predictRisk, concordance, kaplanMeierByGroup, logRankTest).
 */

import { colMeans, colVariances, type Matrix } from '../stats/matrix.ts';
import { fitPca, type Pca, transformPca } from '../stats/pca.ts';
import { quantile } from '../stats/quantile.ts';
import { applyStandardizer, fitStandardizer } from '../stats/standardize.ts';
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
  const scores = pcaScores(trainX, testX, k, options.standardize ?? true);
  return {
    ...fitAndScore(
      namedColumns(scores.train, 'PC'),
      train,
      namedColumns(scores.test, 'PC'),
      test,
      options.ridge ?? 0.01,
    ),
    pca: scores.pca,
  };
}

/** PCA(k) scores of training and test rows, scaled to unit training variance (n x k each). */
export interface PcaScores {
  train: Matrix;
  test: Matrix;
  pca: Pca;
}

/**
 * PCA(k) fitted on the training rows (genes standardised with training statistics unless
 * `standardize` is false), both sets projected and each component scaled to unit training variance.
 */
export function pcaScores(trainX: Matrix, testX: Matrix, k: number, standardize = true): PcaScores {
  const standardizer = standardize ? fitStandardizer(trainX) : null;
  const xTrain = standardizer ? applyStandardizer(trainX, standardizer) : trainX;
  const xTest = standardizer ? applyStandardizer(testX, standardizer) : testX;
  const pca = fitPca(xTrain, k);
  const [train, test] = scaleByTraining(transformPca(pca, xTrain), [transformPca(pca, xTest)], false);
  return { train: train!, test: test!, pca };
}

/**
 * `train` and each of `others` with every column divided by its training standard deviation (1 for a
 * constant column) and, when `centre` is true, first centred on its training mean.
 */
export function scaleByTraining(train: Matrix, others: Matrix[], centre: boolean): Matrix[] {
  const mean = colMeans(train);
  const sd = colVariances(train, mean).map((v) => (v > 0 ? Math.sqrt(v) : 1));
  const scale = (m: Matrix): Matrix => ({
    rows: m.rows,
    cols: m.cols,
    data: Float64Array.from(m.data, (v, q) => (v - (centre ? mean[q % m.cols]! : 0)) / sd[q % m.cols]!),
  });
  return [train, ...others].map(scale);
}

/** The columns of a matrix as named covariates `<prefix>1`, `<prefix>2`, ... */
export function namedColumns(x: Matrix, prefix: string): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (let c = 0; c < x.cols; c++)
    out[`${prefix}${c + 1}`] = Float64Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + c]!);
  return out;
}

/**
 * A ridge Cox model on named covariates fitted on the training subjects and scored on the test subjects
 * with Harrell's C (the covariates should be on comparable scales, e.g. unit training variance).
 */
export function covariateCoxRisk(
  trainCov: Record<string, ArrayLike<number>>,
  train: SurvivalData,
  testCov: Record<string, ArrayLike<number>>,
  test: SurvivalData,
  options: { ridge?: number } = {},
): RiskModelResult {
  return fitAndScore(trainCov, train, testCov, test, options.ridge ?? 0.01);
}

/**
 * One 0/1 covariate `type_<level>` per level but the first (sorted) — the reference level, which a type
 * missing from `levels` also gets.
 */
export function typeDummies(levels: string[], types: ArrayLike<string>): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const level of [...levels].sort().slice(1))
    out[`type_${level}`] = Float64Array.from(Array.from(types), (t) => (t === level ? 1 : 0));
  return out;
}

/**
 * Harrell's C of a risk score with pairs formed only within a cancer type (the counts summed over types):
 * does the score rank patients of the same type.
 */
export function withinTypeCIndex(
  data: SurvivalData,
  risk: ArrayLike<number>,
  types: ArrayLike<string>,
): number {
  return concordance(data, risk, { reverse: true, strata: types }).concordance;
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
  if (levels.length < 2) throw new RangeError('cancer type alone needs at least two types in training');
  const dummies = (types: ArrayLike<string>) => typeDummies(levels, types);
  return fitAndScore(dummies(trainTypes), train, dummies(testTypes), test, options.ridge ?? 0.01);
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
