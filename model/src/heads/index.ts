/**
 * Prediction heads on GexBERT sample embeddings: cancer type (multinomial logistic regression) and
 * survival risk (PCA + ridge Cox), as plain JSON-serialisable objects, with a validating parser.
 */
export type { CancerTypeHead, CancerTypeHeadOptions, CancerTypeProbability } from './cancerType.ts';
export { fitCancerTypeHead, predictCancerType } from './cancerType.ts';
export type { Heads } from './parse.ts';
export { InvalidHeadsError, parseHeads } from './parse.ts';
export type { RiskHead, RiskHeadOptions } from './risk.ts';
export { fitRiskHead, MIN_EVENTS, percentileOfSorted, riskPercentile, riskScore } from './risk.ts';
