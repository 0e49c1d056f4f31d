/**
 * Expression data sets: count tables and their files (TCGA-style count directories, sample-table pairs,
 * survival tables), log2(CPM + 1), gene and sample selection, seeded random gene panels.
 */
export type { CountMatrix, Dataset } from './dataset.ts';
export {
  combineCounts,
  genesWithMeanCount,
  log2Cpm,
  parseCountTsv,
  parseSampleRowsTsv,
  randomGenePanel,
  selectGenes,
  selectSamples,
  topVariableGenes,
} from './dataset.ts';
