// The shapes the model resolvers pass around; codegen maps the GraphQL types onto them (src/codegenConfig.ts).
import type { PlacedMap } from '@gexbert/core/inference/cohortMap';
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import type { CancerTypeProbability } from '@gexbert/model/heads';
import type { GeneRow } from '../rows.ts';

export type ModelVersionRow = ModelVersion;

/**
 * A cohort's map as placed (or read back from its stored answer), with its model version and whether its UMAP
 * is placed or being placed by a worker (the map then has the PCA alone).
 */
export type CohortMapRow = PlacedMap & {
  model: ModelVersion;
  umapStatus: 'PLACED' | 'PLACING';
  /** Members left off a PLACING map because the precompute has not reached them (absent: none). */
  awaitingPrecompute?: number;
};

export interface EmbeddingRow {
  sampleId: number;
  model: ModelVersion;
  vector: Float32Array;
  inputGenes: number;
  cached: boolean;
}

export interface RestoredValueRow {
  query: string;
  gene: GeneRow | null;
  inVocabulary: boolean;
  value: number | null;
  lower: number | null;
  upper: number | null;
  coverage: number | null;
  measuredValue: number | null;
}

/** The head version behind a prediction. */
export interface HeadsUsedRow {
  id: string;
  inputGenes: number;
  panelMatched: boolean;
}

export interface RiskScoreRow {
  model: ModelVersion;
  heads: HeadsUsedRow;
  score: number;
  percentile: number | null;
  reference: string;
  referenceSize: number;
  referenceNote: string | null;
  trainingPercentile: number;
  patients: number;
  events: number;
}

export interface CancerTypePredictionRow {
  model: ModelVersion;
  heads: HeadsUsedRow;
  cancerType: string | null;
  closestType: string;
  probability: number;
  probabilities: CancerTypeProbability[];
  novelty: number;
  outOfDistribution: boolean;
}

export interface ProfilePredictionRow {
  name: string;
  inputGenes: number;
  embedding: number[];
  cancerType: CancerTypePredictionRow | null;
  riskScore: RiskScoreRow | null;
  restoredValues: RestoredValueRow[];
}
