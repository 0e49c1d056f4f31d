/**
 * Evaluation pipeline: the PCA + Cox survival baseline, report rows and SVG plots for
 * reproducing GexBERT's three results. The maths it uses (matrices, PCA, L-BFGS, classifiers, KNN
 * imputation, metrics, standardisation, splits) is model/src/stats, its data sets model/src/data.
 */

export type { Random } from '../random/random.ts';
export {
  createRandom,
  randomInt,
  randomNormal,
  sampleWithoutReplacement,
  shuffleInPlace,
} from '../random/random.ts';
export type { ReportRow } from './report.ts';
export { reportToJson, reportToMarkdown, writeReportJson, writeReportMarkdown } from './report.ts';
export type { PcaCoxOptions, RiskGroupSurvival, RiskModelResult } from './survival.ts';
export { cancerTypeCoxRisk, pcaCoxRisk, riskGroupSurvival } from './survival.ts';
export type { PlotOptions, PlotSeries } from './svg.ts';
export { escapeXml, kaplanMeierPlot, linePlot, stepPlot } from './svg.ts';
