/**
 * Survival statistics matching R's `survival` package (3.5): Kaplan-Meier, log-rank, Cox
 * proportional hazards and Harrell's concordance. Pure TypeScript, no dependencies.
 */

export { regularizedBeta } from './beta.ts';
export type { ConcordanceOptions, ConcordanceResult } from './concordance.ts';
export { concordance } from './concordance.ts';
export type { CoxCoefficients, CoxFit, CoxOptions } from './cox.ts';
export { coxph, predictRisk } from './cox.ts';
export type { Covariates, CoxLikelihood, CoxTies } from './coxLikelihood.ts';
export { coxPartialLikelihood } from './coxLikelihood.ts';
export {
  chiSquareCdf,
  chiSquareSurvival,
  normalCdf,
  normalQuantile,
  normalSurvival,
  studentTCdf,
  studentTQuantileUpper,
  studentTSurvival,
} from './distributions.ts';
export {
  digamma,
  logGamma,
  regularizedGammaP,
  regularizedGammaQ,
  tetragamma,
  trigamma,
} from './gamma.ts';
export type {
  GroupedKaplanMeier,
  KaplanMeierCurve,
  KaplanMeierOptions,
  KaplanMeierSummary,
} from './kaplanMeier.ts';
export { kaplanMeier, kaplanMeierByGroup, summarizeKaplanMeier } from './kaplanMeier.ts';
export { invertSymmetric, solveSymmetric } from './linearAlgebra.ts';
export type { LogRankOptions, LogRankResult } from './logRank.ts';
export { logRankTest } from './logRank.ts';
export type { ChiSquareTest, EventIndicator, GroupLabel, SurvivalData } from './types.ts';
