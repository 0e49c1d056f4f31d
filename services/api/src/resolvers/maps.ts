// Cohort.map: every sample of a cohort placed by the PCA of its embeddings, with its recorded and predicted
// cancer type and its risk (inference/cohortMap.ts). No cohort is refused for its size.
import type { Context } from '../context.ts';
import { parseId } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { cohortMap } from '../inference/cohortMap.ts';

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

export const mapResolvers: Resolvers = {
  Cohort: {
    map: async (cohort, { model }, context) => {
      const version = await context.models.version(model == null ? null : parseId(model, 'model ID'));
      const samples = await cohortSamples(context, Number(cohort.id));
      const ids = samples.map((s) => s.id);
      const [embeddings, predictions] = await Promise.all([
        context.models.embed(version, ids),
        context.models.predictSamples(version, ids),
      ]);
      const embedded = samples.flatMap((s, i) =>
        embeddings[i]
          ? [{ sample: s, vector: embeddings[i]!.vector, prediction: predictions[i] ?? null }]
          : [],
      );
      const map = cohortMap(
        embedded.map((e) => ({ sampleId: e.sample.id, vector: e.vector, prediction: e.prediction })),
      );
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
