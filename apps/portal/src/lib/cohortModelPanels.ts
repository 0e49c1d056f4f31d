// Server-side loading of a cohort's model-backed panels: the embedding map (embeddings of the cohort's
// samples, their predicted type and risk in batches, PCA) and survival by predicted risk groups. A sample the
// model flags as out of distribution has the predicted type UNKNOWN_TYPE, never its closest known type.
import {
  CohortEmbeddingsDocument,
  CohortRiskSurvivalDocument,
  type RiskSurvivalFragment,
  SamplePredictionsDocument,
} from '../generated/graphql.ts';
import { apiRequest } from './api.ts';
import {
  type EmbeddingMap,
  embeddingMap,
  type SamplePrediction,
  shownPredictedType,
  UNKNOWN_TYPE,
} from './embeddingMap.ts';

/** Samples per predictions request (keeps each request well under the API's cost limit). */
const PREDICTION_BATCH = 200;

export async function loadEmbeddingMap(cohortId: string): Promise<EmbeddingMap | null> {
  const { embeddings } = await apiRequest(CohortEmbeddingsDocument, { cohortId });
  const ids = embeddings.map((e) => e.sample.id);
  const predictions: SamplePrediction[] = [];
  for (let i = 0; i < ids.length; i += PREDICTION_BATCH) {
    const batch = await apiRequest(SamplePredictionsDocument, { ids: ids.slice(i, i + PREDICTION_BATCH) });
    for (const { sample } of batch.embeddings) {
      const predictedType = shownPredictedType(sample.cancerTypePrediction);
      predictions.push({
        id: sample.id,
        predictedType,
        closestType:
          predictedType === UNKNOWN_TYPE ? (sample.cancerTypePrediction?.closestType ?? null) : null,
        risk: sample.riskScore?.score ?? null,
      });
    }
  }
  return embeddingMap(embeddings, predictions);
}

export async function loadRiskSurvival(
  cohortId: string,
): Promise<{ median: RiskSurvivalFragment; tertiles: RiskSurvivalFragment } | null> {
  const { cohort } = await apiRequest(CohortRiskSurvivalDocument, { id: cohortId });
  return cohort ? { median: cohort.median, tertiles: cohort.tertiles } : null;
}
