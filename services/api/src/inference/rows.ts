// The shapes the model resolvers pass around; codegen maps the GraphQL types onto them (src/codegenConfig.ts).
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import type { CancerTypeProbability } from '@gexbert/model/heads/index';
import type { GeneRow } from '../rows.ts';

export type ModelVersionRow = ModelVersion;

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
  measuredValue: number | null;
}

export interface RiskScoreRow {
  model: ModelVersion;
  score: number;
  percentile: number;
  reference: string;
  referenceSize: number;
  trainingPercentile: number;
}

export interface CancerTypePredictionRow {
  model: ModelVersion;
  cancerType: string;
  probability: number;
  probabilities: CancerTypeProbability[];
}
