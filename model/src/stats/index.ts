/**
 * Statistics and numerical methods used by the model's heads, the evaluation pipeline and the services:
 * dense matrices, symmetric eigendecomposition, PCA, L-BFGS, logistic regression and MLP classifiers,
 * classification and regression metrics, mean and KNN imputation, standardisation and stratified splits.
 */
export type { Classifier, LogisticModel, LogisticOptions, MlpModel, MlpOptions } from './classify.ts';
export { encodeLabels, fitLogisticRegression, fitMlp, logisticObjective } from './classify.ts';
export type { SymmetricEigen } from './eigen.ts';
export { symmetricEigen } from './eigen.ts';
export type { ImputationMetrics, KnnTuningOptions } from './impute.ts';
export {
  applyMask,
  imputationMetrics,
  knnImpute,
  knnImputeMany,
  mcarMask,
  meanImpute,
  nanColMeans,
  tuneKnnK,
} from './impute.ts';
export type { MapReadability } from './mapReadability.ts';
export { mapReadability, READABILITY_DEFAULTS, trustworthiness, typeAgreement } from './mapReadability.ts';
export type { Matrix } from './matrix.ts';
export { colMeans, colVariances, fromRows, row, selectCols, selectRows, zeros } from './matrix.ts';
export type { ConfusionMatrix } from './metrics.ts';
export { accuracy, confusionMatrix, macroF1, meanAndSd, pearson, perClassF1, rmse } from './metrics.ts';
export type { LbfgsOptions, LbfgsResult, Objective } from './optimize.ts';
export { minimizeLbfgs } from './optimize.ts';
export type { Pca } from './pca.ts';
export { fitPca, transformPca } from './pca.ts';
export { quantile } from './quantile.ts';
export type { Split } from './split.ts';
export { stratifiedKFold, stratifiedSplit } from './split.ts';
export type { Standardizer } from './standardize.ts';
export { applyStandardizer, fitStandardizer } from './standardize.ts';
export type { UmapOptions, UmapProjection } from './umap.ts';
export { fitUmap, UMAP_DEFAULTS } from './umap.ts';
