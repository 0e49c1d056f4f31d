// Synthetic TCGA-like cohorts with known ground truth (`gexbert simulate`).
export {
  type Cohort,
  type CohortOptions,
  type GroundTruth,
  geneCounts,
  geneMeans,
  type ModuleTruth,
  type PrognosticGeneTruth,
  type ProgramTruth,
  type ResolvedCohortOptions,
  type SimGenes,
  type SimPatients,
  type SimSamples,
  simulateCohort,
  simulateCounts,
} from './cohort.ts';
export { createRng, logFactorial, Rng } from './random.ts';
export { type TruthSummary, truthSummary } from './truth.ts';
export {
  CLINICAL_COLUMNS,
  countsFileName,
  GENE_COLUMNS,
  SIMULATED_MARKER,
  simulateToDirectory,
  type WriteOptions,
  type WrittenCohort,
  writeCohort,
} from './write.ts';
