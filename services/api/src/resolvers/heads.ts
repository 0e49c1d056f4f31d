// A model's heads: what they know and were fitted on, their refit (admin), and predictions for profiles
// that are not stored (nothing is written).
import { RegistryError, refitModelHeads } from '@gexbert/core/registry/modelVersion';
import type { SamplePrediction } from '@gexbert/model/heads';
import type { Profile } from '@gexbert/model/inference';
import { toLog2Cpm } from '@gexbert/model/inference';
import { type Context, requireRole } from '../context.ts';
import { badInput, parseId } from '../errors.ts';
import type { ProfilesInput, Resolvers } from '../generated/graphql.ts';
import { cancerTypeRow, riskRow } from '../inference/predictionRows.ts';
import type { ModelVersionRow, ProfilePredictionRow, RestoredValueRow } from '../inference/rows.ts';
import type { GeneRow } from '../rows.ts';

/** Most profiles one predictProfiles may score. */
const MAX_PROFILES = 100;
const MAX_NAME = 200;

/** The genes of a stateless request, resolved (null when unknown), within the per-request limit. */
async function resolveGenes(
  context: Context,
  names: readonly string[],
  what: string,
): Promise<(GeneRow | null)[]> {
  if (names.length > context.config.maxGenesPerRequest)
    throw badInput(
      `at most ${context.config.maxGenesPerRequest} ${what} may be given at once; score whole profiles with \`gexbert predict\``,
    );
  const rows = await context.loaders.gene.loadMany(names);
  const failed = rows.find((r) => r instanceof Error);
  if (failed) throw failed;
  return rows as (GeneRow | null)[];
}

/**
 * The request's profiles as model input: log2(CPM + 1) of the known genes (CPM over every value given,
 * known genes or not).
 */
function profilesOf(input: ProfilesInput, genes: (GeneRow | null)[]): Profile[] {
  if (input.profiles.length === 0) throw badInput('profiles is empty: give at least one profile');
  if (input.profiles.length > MAX_PROFILES) throw badInput(`at most ${MAX_PROFILES} profiles per request`);
  return input.profiles.map((p, i) => {
    if (p.name.length === 0 || p.name.length > MAX_NAME)
      throw badInput(`profiles[${i}].name must have 1 to ${MAX_NAME} characters`);
    if (p.values.length !== input.genes.length)
      throw badInput(
        `profiles[${i}] (${p.name}) has ${p.values.length} values for ${input.genes.length} genes: give one value (or null) per gene, in order`,
      );
    const values = Float32Array.from(p.values, (v) => (v === null || v === undefined ? Number.NaN : v));
    values.forEach((v, g) => {
      if (Number.isFinite(v) && input.unit === 'COUNTS' && v < 0)
        throw badInput(
          `profiles[${i}] (${p.name}): ${input.genes[g]} has a negative count (${v}); give raw read counts`,
        );
    });
    const log2cpm = toLog2Cpm(values, input.unit === 'COUNTS' ? 'counts' : 'log2cpm');
    const known = genes.flatMap((g, j) => (g ? [j] : []));
    return {
      genes: known.map((j) => genes[j]!.ensemblId),
      values: Float32Array.from(known, (j) => log2cpm[j]!),
      unit: 'log2cpm' as const,
    };
  });
}

function predictionRow(
  version: ModelVersionRow,
  name: string,
  p: SamplePrediction,
  restoredValues: RestoredValueRow[],
): ProfilePredictionRow {
  return {
    name,
    inputGenes: p.inputGenes,
    embedding: Array.from(p.embedding),
    cancerType: cancerTypeRow(version, p),
    riskScore: riskRow(
      version,
      p,
      `a profile that is not stored is compared with the ${p.risk?.patients ?? 0} patients the risk head was fitted on (trainingPercentile)`,
    ),
    restoredValues,
  };
}

export const headsResolvers: Resolvers = {
  Query: {
    predictProfiles: async (_, { input, model }, context) => {
      const version = await context.models.version(model == null ? null : parseId(model, 'model ID'));
      const genes = await resolveGenes(context, input.genes, 'genes');
      const profiles = profilesOf(input, genes);
      const predictions = await context.models.predictProfiles(version, profiles);
      const wanted = input.restore ?? [];
      const restoreGenes = wanted.length ? await resolveGenes(context, wanted, 'genes to restore') : [];
      const ids = [...new Set(restoreGenes.flatMap((g) => (g ? [g.ensemblId] : [])))];
      const restored = ids.length ? await context.models.restoreProfiles(version, profiles, ids) : null;
      const server = await context.models.headServer(version);
      const index = new Map((await context.models.stats(version)).genes.map((g, v) => [g, v]));
      return predictions.map((p, i) => {
        const values = wanted.map((query, q): RestoredValueRow => {
          const gene = restoreGenes[q] ?? null;
          const at = gene && restored ? restored.genes.indexOf(gene.ensemblId) : -1;
          const value = at >= 0 ? restored!.values[i]![at]! : Number.NaN;
          const finite = Number.isFinite(value);
          const interval =
            finite && server ? server.interval(index.get(gene!.ensemblId)!, value, p.inputGenes) : null;
          const measuredAt = gene ? profiles[i]!.genes.indexOf(gene.ensemblId) : -1;
          const measured = measuredAt >= 0 ? profiles[i]!.values[measuredAt]! : Number.NaN;
          return {
            query,
            gene,
            inVocabulary: at >= 0,
            value: finite ? value : null,
            lower: interval?.lower ?? null,
            upper: interval?.upper ?? null,
            coverage: interval?.coverage ?? null,
            measuredValue: Number.isFinite(measured) ? measured : null,
          };
        });
        return predictionRow(version, input.profiles[i]!.name, p, values);
      });
    },
  },
  Mutation: {
    refitHeads: async (_, { model }, context) => {
      requireRole(context, 'ADMIN');
      const id = parseId(model, 'model ID');
      try {
        return await refitModelHeads({ pool: context.db, prisma: context.prisma }, id, {
          cacheDir: context.models.checkpointCacheDir,
        });
      } catch (error) {
        if (error instanceof RegistryError) throw badInput(error.message);
        if (error instanceof Error && /ingest labelled real samples/.test(error.message))
          throw badInput(error.message);
        throw error;
      } finally {
        context.models.headsChanged(id);
      }
    },
  },
  ModelVersion: {
    knownCancerTypes: (m, _, context) => context.models.headsOf(m)?.full.cancerType?.classes ?? [],
    headsInfo: (m, _, context) => {
      const heads = context.models.headsOf(m);
      if (!heads) return null;
      return {
        id: heads.id,
        fittedAt: heads.fittedAt,
        source: heads.source,
        simulated: heads.simulated,
        samples: heads.summary.samples,
        cancerTypes: Object.entries(heads.summary.cancerTypes).map(([cancerType, samples]) => ({
          cancerType,
          samples,
        })),
        survivalPatients: heads.summary.survivalPatients,
        events: heads.summary.events,
        intervalCoverage: heads.intervals?.coverage ?? null,
        metrics: Object.entries(heads.metrics).map(([name, value]) => ({ name, value })),
      };
    },
  },
};
