// Cohort.map: every sample of a cohort placed by the PCA of its embeddings, with its recorded and predicted
// cancer type and its risk (inference/cohortMap.ts). No cohort is refused for its size.
import { readStoredMapPoints } from '@gexbert/core/inference/precompute';
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import type { Context } from '../context.ts';
import { parseId } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { cohortMap, type MapInput, mapPrediction } from '../inference/cohortMap.ts';

async function cohortSamples(
  context: Context,
  cohortId: number,
): Promise<{ id: number; barcode: string; cancerType: string | null }[]> {
  const { rows } = await context.db.query<{ id: number; barcode: string; cancerType: string | null }>(
    `SELECT s.id, s.barcode, p."cancerType" FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId"
     JOIN "Patient" p ON p.id = s."patientId" WHERE cs."cohortId" = $1 ORDER BY s.id`,
    [cohortId],
  );
  return rows;
}

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

export const mapResolvers: Resolvers = {
  Cohort: {
    map: async (cohort, { model }, context) => {
      const version = await context.models.version(model == null ? null : parseId(model, 'model ID'));
      const samples = await cohortSamples(context, Number(cohort.id));
      const inputs = await mapInputs(
        context,
        version,
        samples.map((s) => s.id),
      );
      const embedded = samples.flatMap((sample, i) => (inputs[i] ? [{ sample, input: inputs[i]! }] : []));
      const map = cohortMap(embedded.map((e) => e.input));
      if (!map) return null;
      return {
        model: version,
        explained: map.explained,
        withoutEmbedding: samples.length - embedded.length,
        points: map.points.map((p, i) => ({
          ...p,
          barcode: embedded[i]!.sample.barcode,
          cancerType: embedded[i]!.sample.cancerType,
        })),
      };
    },
  },
};
