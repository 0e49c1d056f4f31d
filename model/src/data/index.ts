/**
 * `@gexbert/model/data`: the door of expression data sets for the services and the CLI: reading a data set
 * (a TCGA-style count directory, a sample-table pair, a survival table) for training, heads and
 * `gexbert evaluate`. Count tables, log2(CPM + 1) and gene selection (dataset.ts) stay internal.
 */
export type { DatasetSource, LabelledCounts, SurvivalRecord } from './inputs.ts';
export { describeDataset, detectDataset, loadCountsDir, readSurvival } from './inputs.ts';
