/**
 * `@gexbert/model/evaluate`: the door of the evaluation pipeline for the services and the CLI:
 * `gexbert evaluate` (`runEvaluation`, its fold count and expected time) and the report rows the API's
 * evaluation table reads. The pipeline's parts (folds, tasks, plots) stay internal; the maths it uses is
 * model/src/stats, its data sets model/src/data.
 */
export type { ReportRow } from './report.ts';
export { lowerIsBetter } from './report.ts';
export type { EvaluateOptions, EvaluateResult } from './run.ts';
export { expectedSeconds, foldCount, runEvaluation } from './run.ts';
