// Server-side loading of a cohort's model-backed panels: the embedding map (the API's Cohort.map: the PCA of
// the cohort's embeddings with predicted type and risk; served to the browser by map.json) and survival by
// predicted risk groups. A sample the model flags as out of distribution has the predicted type UNKNOWN_TYPE,
// never its closest known type.
import {
  CohortMapDocument,
  CohortRiskSurvivalDocument,
  type RiskSurvivalFragment,
} from '../generated/graphql.ts';
import { apiRequest } from './api.ts';
import { type PackedMap, packedMap } from './embeddingMap.ts';

/** A cohort's map packed for the browser, with the model that embedded it (map: null without embeddings). */
export interface LoadedMap {
  map: PackedMap | null;
  modelName: string | null;
  /** The map has its PCA alone while a worker places its UMAP (the API's umapStatus PLACING): ask again. */
  umapPlacing: boolean;
  /** Members not on a placing map yet: the precompute has not reached them. */
  awaitingPrecompute: number;
}

/**
 * The cohort's map as the API places it (every sample, whatever the cohort's size), read as columns, through
 * `model` (default: the active model); undefined when there is no such cohort.
 */
export async function loadEmbeddingMap(cohortId: string, model?: string): Promise<LoadedMap | undefined> {
  const { cohort } = await apiRequest(CohortMapDocument, { id: cohortId, model: model ?? null });
  if (!cohort) return undefined;
  return {
    map: cohort.map ? packedMap(cohort.map) : null,
    modelName: cohort.map?.model.name ?? null,
    umapPlacing: cohort.map?.umapStatus === 'PLACING',
    awaitingPrecompute: cohort.map?.awaitingPrecompute ?? 0,
  };
}

export async function loadRiskSurvival(
  cohortId: string,
  model?: string,
): Promise<{ median: RiskSurvivalFragment; tertiles: RiskSurvivalFragment } | null> {
  const { cohort } = await apiRequest(CohortRiskSurvivalDocument, { id: cohortId, model: model ?? null });
  return cohort ? { median: cohort.median, tertiles: cohort.tertiles } : null;
}
