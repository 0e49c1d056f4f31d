/**
 * Differential expression between two groups matching R: limma (lmFit + eBayes), limma-voom with
 * edgeR's TMM factors, Welch t-tests and Wilcoxon rank-sum tests, with Benjamini-Hochberg adjustment.
 * Pure TypeScript, no dependencies.
 */
export { adjustBH } from './bh.ts';
export type {
  CompareGroupsOptions,
  DifferentialMethod,
  DifferentialResult,
  DifferentialRow,
} from './compare.ts';
export { compareGroups } from './compare.ts';
export type { ExpressionMatrix, ExpressionValues, TwoGroupDesign } from './design.ts';
export { designColumns, toMatrix, twoGroupDesign } from './design.ts';
export type { EBayesOptions, ModeratedT, SqueezedVariances, TwoGroupFit } from './limma.ts';
export { eBayes, fitFDist, fitTwoGroups, squeezeVar, trigammaInverse } from './limma.ts';
export type { LowessOptions } from './lowess.ts';
export { linearInterpolator, lowess } from './lowess.ts';
export type { GeneSlice, GroupMoments } from './moments.ts';
export { gatherGene, geneSlice, groupMoments } from './moments.ts';
export type { TmmOptions } from './tmm.ts';
export { columnSums, tmmNormFactors } from './tmm.ts';
export type { Voom } from './voom.ts';
export { voom } from './voom.ts';
export type { WelchTests } from './welch.ts';
export { welchFromMoments, welchTests } from './welch.ts';
export type { WilcoxonTests } from './wilcoxon.ts';
export { rankSumSorted, wilcoxonFromRankSum, wilcoxonTests } from './wilcoxon.ts';
