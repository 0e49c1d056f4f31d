// Server-side loading of a cohort's model-backed panels: the embedding map (the API's Cohort.map: the PCA of
// the cohort's embeddings with predicted type and risk) and survival by predicted risk groups. A sample the
// model flags as out of distribution has the predicted type UNKNOWN_TYPE, never its closest known type.
import {
  CohortMapDocument,
  CohortRiskSurvivalDocument,
  type RiskSurvivalFragment,
} from '../generated/graphql.ts';
import { apiRequest } from './api.ts';
import { type EmbeddingMap, embeddingMap } from './embeddingMap.ts';

/** The cohort's map as the API places it (every sample, whatever the cohort's size); null without one. */
export async function loadEmbeddingMap(cohortId: string): Promise<EmbeddingMap | null> {
  const { cohort } = await apiRequest(CohortMapDocument, { id: cohortId });
  return cohort?.map ? embeddingMap(cohort.map) : null;
}

export async function loadRiskSurvival(
  cohortId: string,
): Promise<{ median: RiskSurvivalFragment; tertiles: RiskSurvivalFragment } | null> {
  const { cohort } = await apiRequest(CohortRiskSurvivalDocument, { id: cohortId });
  return cohort ? { median: cohort.median, tertiles: cohort.tertiles } : null;
}
