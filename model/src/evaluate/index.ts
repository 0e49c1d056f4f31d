/**
 * Evaluation toolkit: data preparation, baselines (logistic regression, MLP, PCA + Cox, mean and KNN
 * imputation), metrics, report rows and SVG plots for reproducing GexBERT's three results.
 */

export type { Random } from '../random/mulberry32.ts';
export {
  createRandom,
  randomInt,
  randomNormal,
  sampleWithoutReplacement,
  shuffleInPlace,
} from '../random/mulberry32.ts';
export type { Classifier, LogisticModel, LogisticOptions, MlpModel, MlpOptions } from './classify.ts';
export { encodeLabels, fitLogisticRegression, fitMlp, logisticObjective } from './classify.ts';
export type { CountMatrix, Dataset, Split, Standardizer } from './data.ts';
export {
  applyStandardizer,
  combineCounts,
  fitStandardizer,
  genesWithMeanCount,
  log2Cpm,
  parseCountTsv,
  parseSampleRowsTsv,
  randomGenePanel,
  selectGenes,
  selectSamples,
  stratifiedKFold,
  stratifiedSplit,
  topVariableGenes,
} from './data.ts';
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
export type { Matrix } from './matrix.ts';
export { colMeans, colVariances, fromRows, row, selectCols, selectRows, zeros } from './matrix.ts';
export type { ConfusionMatrix } from './metrics.ts';
export { accuracy, confusionMatrix, macroF1, meanAndSd, pearson, perClassF1, rmse } from './metrics.ts';
export type { LbfgsOptions, LbfgsResult, Objective } from './optimize.ts';
export { minimizeLbfgs } from './optimize.ts';
export type { Pca } from './pca.ts';
export { fitPca, transformPca } from './pca.ts';
export type { ReportRow } from './report.ts';
export { reportToJson, reportToMarkdown, writeReportJson, writeReportMarkdown } from './report.ts';
export type { PcaCoxOptions, RiskGroupSurvival, RiskModelResult } from './survival.ts';
export { cancerTypeCoxRisk, pcaCoxRisk, quantile, riskGroupSurvival } from './survival.ts';
export type { PlotOptions, PlotSeries } from './svg.ts';
export { escapeXml, kaplanMeierPlot, linePlot, stepPlot } from './svg.ts';
