// Cohort.map: every sample of a cohort placed by the PCA and the UMAP of its embeddings, with its recorded and predicted
// cancer type and its risk (core inference/cohortMap.ts). No cohort is refused for its size. A map is stored
// once placed (by a worker when a precompute finishes or the cohort changes, or here on first request for a
// small cohort) and read while the cohort and the data are unchanged; a large cohort's map not stored yet is
// answered by its PCA, with the UMAP being placed by a worker (umapStatus PLACING).
import { cohortFingerprint, readCohortAnswer } from '@gexbert/core/inference/cohortAnswers';
import {
  type MapInput,
  type MapSample,
  mapAnswerKey,
  mapColumns,
  mapPrediction,
  mapSamples,
  type PlacedMap,
  placeMap,
} from '@gexbert/core/inference/cohortMap';
import { readStoredMapPoints, storedPredictionCount } from '@gexbert/core/inference/precompute';
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import type { Context } from '../context.ts';
import { parseId } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { storedModelAnswer } from '../inference/cohortAnswers.ts';
import { queueCohortMapJob } from '../inference/precompute.ts';

/**
 * Each sample's embedding and answer (null without an embedding): what the workers stored, read lean; the
 * model serves the rest (and stores it).
 */
async function mapInputs(
  context: Context,
  version: ModelVersion,
  ids: readonly number[],
): Promise<(MapInput | null)[]> {
  const heads = context.models.headsOf(version);
  const stored = heads ? await readStoredMapPoints(context.db, version.id, heads.id, ids) : new Map();
  const rest = ids.filter((id) => !stored.has(id));
  const [embeddings, predictions] =
    rest.length > 0
      ? await Promise.all([context.models.embed(version, rest), context.models.predictSamples(version, rest)])
      : [[], []];
  const served = new Map(
    rest.map((id, i) => {
      const e = embeddings[i];
      return [
        id,
        e ? { sampleId: id, vector: e.vector, prediction: mapPrediction(predictions[i] ?? null) } : null,
      ];
    }),
  );
  return ids.map((id) => {
    const point = stored.get(id);
    return point ? { sampleId: id, vector: point.vector, prediction: point } : (served.get(id) ?? null);
  });
}

/**
 * A large cohort's map from the stored embeddings alone, by its PCA (not stored), while a worker places the
 * UMAP; members the precompute has not reached yet are left off (`awaitingPrecompute`). Null when the
 * version has no heads or none of the members is stored.
 */
async function storedPca(context: Context, version: ModelVersion, cohortId: number, samples: MapSample[]) {
  const heads = context.models.headsOf(version);
  if (!heads) return null;
  const ids = samples.map((s) => s.id);
  const [stored, answered] = await Promise.all([
    readStoredMapPoints(context.db, version.id, heads.id, ids),
    storedPredictionCount(context.db, version.id, heads.id, ids),
  ]);
  if (stored.size === 0) return null;
  const inputs = ids.map((id): MapInput | null => {
    const point = stored.get(id);
    return point ? { sampleId: id, vector: point.vector, prediction: point } : null;
  });
  const map = placeMap(samples, inputs, 'PCA')!;
  await queueCohortMapJob(context, cohortId);
  const awaitingPrecompute = samples.length - answered;
  return {
    ...map,
    withoutEmbedding: map.withoutEmbedding - awaitingPrecompute,
    awaitingPrecompute,
    model: version,
    umapStatus: 'PLACING' as const,
  };
}

/**
 * A map not stored yet. A cohort of more than GEXBERT_API_MAP_UMAP_ON_REQUEST members is answered at once by
 * the PCA of its stored embeddings while a worker places the whole map; otherwise (or when nothing is stored)
 * the missing embeddings are computed, and a map of at most that many embedded samples is placed here with its
 * UMAP (and stored), a larger one by its PCA alone.
 */
async function placeOnRequest(context: Context, version: ModelVersion, cohortId: number, key: string) {
  const samples = await mapSamples(context.db, cohortId);
  const bound = context.config.mapUmapOnRequest;
  const pending = samples.length > bound ? await storedPca(context, version, cohortId, samples) : null;
  if (pending) return pending;
  const inputs = await mapInputs(
    context,
    version,
    samples.map((s) => s.id),
  );
  if (inputs.filter((i) => i !== null).length <= bound) {
    const placed = await storedModelAnswer(context, cohortId, key, version, async () => {
      const map = placeMap(samples, inputs);
      return map ? { ...map, model: version } : null;
    });
    return placed && { ...placed, umapStatus: 'PLACED' as const };
  }
  await queueCohortMapJob(context, cohortId);
  const map = placeMap(samples, inputs, 'PCA');
  return map ? { ...map, model: version, umapStatus: 'PLACING' as const } : null;
}

export const mapResolvers: Resolvers = {
  Cohort: {
    map: async (cohort, { model }, context) => {
      const version = await context.models.version(model == null ? null : parseId(model, 'model ID'));
      const cohortId = Number(cohort.id);
      const key = mapAnswerKey(version.id, context.models.headsOf(version)?.id ?? '');
      const fingerprint = await cohortFingerprint(context.db, cohortId);
      const stored =
        fingerprint && (await readCohortAnswer<PlacedMap>(context.db, cohortId, key, fingerprint));
      if (stored) return { ...stored, model: version, umapStatus: 'PLACED' as const };
      return placeOnRequest(context, version, cohortId, key);
    },
  },
  CohortMap: {
    columns: (map) => mapColumns(map.points),
    awaitingPrecompute: (map) => map.awaitingPrecompute ?? 0,
  },
  MapUmap: {
    fittedSamples: (umap) => umap.fitted,
  },
};
