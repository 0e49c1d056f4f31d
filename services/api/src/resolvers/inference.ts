// Model-backed fields: sample embeddings (cached, batched across requests), restored gene values, survival
// risk with its percentile, predicted cancer type, the `embeddings` batch query and survival by predicted
// risk group. Everything runs on the active model unless a `model` argument names another version.
import { cohortSampleSurvival } from '@gexbert/core/cohort/records';
import { genesOfLayout } from '@gexbert/core/expression/store';
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import { samplesWithSurvival, unknownSampleIds } from '@gexbert/core/sample/records';
import type { SamplePrediction } from '@gexbert/model/heads';
import { toLog2Cpm } from '@gexbert/model/inference';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql/index.js';
import type { Context } from '../context.ts';
import { badInput, notFound, parseId } from '../errors.ts';
import type { Resolvers, ResolversTypes, SurvivalGrouping } from '../generated/graphql.ts';
import { storedModelAnswer } from '../inference/cohortAnswers.ts';
import { splitInput } from '../inference/inputPanel.ts';
import { cancerTypeRow, riskRow } from '../inference/predictionRows.ts';
import {
  cancerTypeReference,
  cohortReference,
  percentileAmong,
  type ReferenceSet,
  riskGroups,
} from '../inference/reference.ts';
import { keptReferenceRisks, type ReferenceRisks } from '../inference/referenceRisks.ts';
import type { EmbeddingRow, RestoredValueRow } from '../inference/rows.ts';
import type { GeneRow, SampleRow } from '../rows.ts';
import { groupedSurvival } from './cohorts.ts';
import { cohortImputationQuality } from './imputation.ts';

/** The version a `model` argument names (default: the active model). */
export function modelOf(context: Context, id: string | number | null | undefined): Promise<ModelVersion> {
  return context.models.version(id == null ? null : parseId(id, 'model ID'));
}

function missingHead(version: ModelVersion, head: string): GraphQLError {
  return new GraphQLError(
    `model version ${version.id} (${version.name}) has no ${head} head: fit its heads on labelled samples, or choose another model`,
    { extensions: { code: 'MODEL_UNAVAILABLE' } },
  );
}

/** Per-request memo of promises (reference scores, restore loaders), dropped with the request's context. */
const memos = new WeakMap<Context, Map<string, unknown>>();
function memo<T>(context: Context, key: string, make: () => T): T {
  let map = memos.get(context);
  if (!map) {
    map = new Map();
    memos.set(context, map);
  }
  if (!map.has(key)) map.set(key, make());
  return map.get(key) as T;
}

async function embeddingOf(
  context: Context,
  version: ModelVersion,
  sampleId: number,
): Promise<EmbeddingRow | null> {
  const [found] = await context.models.embed(version, [sampleId]);
  return found
    ? { sampleId, model: version, vector: found.vector, inputGenes: found.inputGenes, cached: found.cached }
    : null;
}

/** The sample IDs of an `embeddings` query: given IDs (all must exist) or a cohort's, within the batch limit. */
async function embeddingSamples(
  context: Context,
  sampleIds: readonly (string | number)[] | null | undefined,
  cohortId: string | number | null | undefined,
): Promise<number[]> {
  const max = context.config.maxEmbeddingBatch;
  if ((sampleIds == null) === (cohortId == null))
    throw badInput('give exactly one of sampleIds and cohortId');
  if (sampleIds) {
    if (sampleIds.length > max)
      throw badInput(
        `${sampleIds.length} samples asked for; at most ${max} per embeddings query: ask in batches`,
      );
    const ids = [...new Set(sampleIds.map((id) => parseId(id, 'sample ID')))];
    const missing = await unknownSampleIds(context.prisma, ids);
    if (missing.length) throw badInput(`unknown sample IDs: ${missing.slice(0, 10).join(', ')}`);
    return ids;
  }
  const reference = await cohortReference(context.db, parseId(cohortId!, 'cohort ID'));
  if (!reference) throw notFound(`cohort ${cohortId}`);
  if (reference.sampleIds.length > max)
    throw badInput(
      `${reference.label} has ${reference.sampleIds.length} samples; at most ${max} per embeddings query: ask for sampleIds in batches`,
    );
  return reference.sampleIds;
}

/**
 * Sorted whole-profile risk scores of a reference set's samples with raw counts whose patients have overall
 * survival (memoised per request).
 */
function referenceScores(
  context: Context,
  version: ModelVersion,
  reference: ReferenceSet,
): Promise<number[]> {
  return memo(context, `risk/${version.id}/${reference.label}`, async () => {
    const withSurvival = await samplesWithSurvival(context.db, reference.sampleIds);
    const risks = await context.models.wholeProfileRisks(version, withSurvival);
    return risks.filter((r) => r !== null).sort((a, b) => a - b);
  });
}

/** What the heads say of a request's samples, batched (one loader per request and version). */
function predictionOf(
  context: Context,
  version: ModelVersion,
  sampleId: number,
): Promise<SamplePrediction | null> {
  return memo(
    context,
    `predict/${version.id}`,
    () =>
      new DataLoader<number, SamplePrediction | null>((ids) => context.models.predictSamples(version, ids)),
  ).load(sampleId);
}

/**
 * The reference a risk percentile is taken in (the given cohort, else the sample's cancer type) with its
 * sorted scores; a cancer type's is kept in memory across requests (inference/referenceRisks.ts).
 */
async function referenceRisks(
  context: Context,
  version: ModelVersion,
  sample: SampleRow,
  cohort: string | number | null | undefined,
): Promise<ReferenceRisks> {
  if (cohort != null) {
    const id = parseId(cohort, 'cohort ID');
    const reference = await memo(context, `cohort/${id}`, () => cohortReference(context.db, id));
    if (!reference) throw notFound(`cohort ${cohort}`);
    return { label: reference.label, scores: await referenceScores(context, version, reference) };
  }
  const patient = await context.loaders.patient.load(sample.patientId);
  const cancerType = patient?.cancerType ?? null;
  const headsId = context.models.headsOf(version)?.id ?? '';
  return keptReferenceRisks(context.models.dataVersion, version, headsId, cancerType, async () => {
    const reference = await cancerTypeReference(context.prisma, cancerType);
    return { label: reference.label, scores: await referenceScores(context, version, reference) };
  });
}

/** Restored values of one gene list (from all measured genes, or `inputGenes`), batched over the request's samples. */
function restoreLoader(
  context: Context,
  version: ModelVersion,
  ensemblIds: string[],
  inputGenes: string[] | undefined,
) {
  return memo(
    context,
    `restore/${version.id}/${ensemblIds.join(',')}/${inputGenes?.join(',') ?? '*'}`,
    () =>
      new DataLoader<number, Map<string, number> & { inputGenes: number }>(async (sampleIds) => {
        const result = await context.models.restore(version, sampleIds, ensemblIds, inputGenes);
        return sampleIds.map((_, i) =>
          Object.assign(new Map(result.genes.map((g, q) => [g, result.values[i]![q]!])), {
            inputGenes: result.reports[i]!.inputGenes,
          }),
        );
      }),
  );
}

/** The genes `names` resolve to (Ensembl IDs or symbols; null when unknown), within the per-request limit. */
async function resolveGeneList(
  context: Context,
  names: readonly string[],
  what: string,
): Promise<(GeneRow | null)[]> {
  if (names.length > context.config.maxGenesPerRequest)
    throw badInput(`at most ${context.config.maxGenesPerRequest} ${what} may be asked for at once`);
  const resolved = await context.loaders.gene.loadMany(names);
  const failed = resolved.find((r) => r instanceof Error);
  if (failed) throw failed;
  return resolved as (GeneRow | null)[];
}

/** The Ensembl IDs of a restoration's input genes; BAD_USER_INPUT when none is a known gene. */
async function inputEnsemblIds(context: Context, names: readonly string[]): Promise<string[]> {
  if (names.length === 0)
    throw badInput('inputGenes is empty: give at least one measured vocabulary gene, or leave it out');
  const rows = await resolveGeneList(context, names, 'input genes');
  const ids = [...new Set(rows.flatMap((g) => (g ? [g.ensemblId] : [])))].sort();
  if (ids.length === 0)
    throw badInput(
      `none of the inputGenes names a known gene (${names.slice(0, 5).join(', ')}); give Ensembl IDs or symbols`,
    );
  return ids;
}

/** log2(CPM + 1) of the sample's measured raw counts for these genes (library size: the whole profile). */
async function measuredLog2Cpm(
  context: Context,
  sampleId: number,
  genes: readonly (GeneRow | null)[],
): Promise<(number | null)[] | null> {
  const profile = await context.loaders.profile.load({ sampleId, unit: 'RAW_COUNT' });
  if (!profile) return null;
  // The model's one log2(CPM + 1), as serving computes the model input (services/core modelRuntime).
  const log2cpm = toLog2Cpm(Float32Array.from(profile.values), 'counts');
  const counted = profile.values.some((v) => v > 0);
  const layout = await memo(context, `layout/${profile.layoutId}`, async () => {
    const ids = await genesOfLayout(context.db, profile.layoutId, context.cacheKey);
    return new Map(ids.map((g, i) => [g, i]));
  });
  return genes.map((gene) => {
    const at = gene ? layout.get(gene.ensemblId) : undefined;
    const value = at === undefined ? Number.NaN : log2cpm[at]!;
    return counted && Number.isFinite(value) ? value : null;
  });
}

/**
 * Overall survival of a cohort's patients by predicted risk group: each sample with raw counts scored by the
 * model's risk head, a patient's risk the mean of its samples', cut at the median or tertiles of those risks.
 */
export async function riskGroupSurvivalSummary(
  context: Context,
  cohortId: number,
  groupBy: Exclude<SurvivalGrouping, 'CANCER_TYPE'>,
  model: string | number | null | undefined,
): Promise<ResolversTypes['SurvivalSummary']> {
  const version = await modelOf(context, model);
  const heads = context.models.headsOf(version);
  if (!heads?.full.risk) throw missingHead(version, 'survival-risk');
  const key = `survival/${groupBy}/${version.id}/${heads.id}`;
  const summary = await storedModelAnswer(context, cohortId, key, version, () =>
    computeRiskGroupSurvival(context, cohortId, groupBy, version),
  );
  return summary!;
}

async function computeRiskGroupSurvival(
  context: Context,
  cohortId: number,
  groupBy: Exclude<SurvivalGrouping, 'CANCER_TYPE'>,
  version: ModelVersion,
): Promise<ResolversTypes['SurvivalSummary'] & { model: ModelVersion }> {
  const rows = await cohortSampleSurvival(context.db, cohortId);
  const risks = await context.models.wholeProfileRisks(
    version,
    rows.map((r) => r.sampleId),
  );
  const patients = new Map<number, { osDays: number | null; osEvent: number | null; risks: number[] }>();
  rows.forEach((r, i) => {
    let patient = patients.get(r.patientId);
    if (!patient) {
      patient = { osDays: r.osDays, osEvent: r.osEvent, risks: [] };
      patients.set(r.patientId, patient);
    }
    const risk = risks[i];
    if (risk !== null && risk !== undefined) patient.risks.push(risk);
  });
  const all = [...patients.values()];
  const usable = all.filter(
    (p) => p.risks.length > 0 && p.osDays !== null && p.osDays >= 0 && (p.osEvent === 0 || p.osEvent === 1),
  );
  const risk = usable.map((p) => p.risks.reduce((a, b) => a + b, 0) / p.risks.length);
  const split = riskGroups(risk, groupBy === 'RISK_MEDIAN' ? 'median' : 'tertile');
  const subjects = usable.map((p, i) => ({ group: split.group[i]!, osDays: p.osDays, osEvent: p.osEvent }));
  const summary = groupedSurvival(subjects, false, split.names);
  return {
    ...summary,
    missing: all.length - usable.length,
    grouping: groupBy,
    model: version,
    cutoffs: usable.length > 0 ? split.cutoffs : [],
  };
}

export const inferenceResolvers: Resolvers = {
  Query: {
    embeddings: async (_, { sampleIds, cohortId, model }, context) => {
      const version = await modelOf(context, model);
      const ids = await embeddingSamples(context, sampleIds, cohortId);
      const found = await context.models.embed(version, ids);
      return found.flatMap((e) =>
        e
          ? [
              {
                sampleId: e.sampleId,
                model: version,
                vector: e.vector,
                inputGenes: e.inputGenes,
                cached: e.cached,
              },
            ]
          : [],
      );
    },
  },
  Sample: {
    embedding: async (sample, { model }, context) =>
      embeddingOf(context, await modelOf(context, model), sample.id),
    restoredValues: async (sample, { genes, model, inputGenes }, context) => {
      const version = await modelOf(context, model);
      const rows = await resolveGeneList(context, genes, 'genes');
      const input = inputGenes == null ? undefined : await inputEnsemblIds(context, inputGenes);
      const measured = await measuredLog2Cpm(context, sample.id, rows);
      if (!measured && !(await context.models.profiles(version, [sample.id]))[0]) return [];
      const ensemblIds = [...new Set(rows.flatMap((g) => (g ? [g.ensemblId] : [])))].sort();
      const restored = await restoreLoader(context, version, ensemblIds, input).load(sample.id);
      const server = await context.models.headServer(version);
      const index = new Map((await context.models.stats(version)).genes.map((g, v) => [g, v]));
      return genes.map((query, i): RestoredValueRow => {
        const gene = rows[i] ?? null;
        const value = gene ? restored.get(gene.ensemblId) : undefined;
        const finite = value !== undefined && Number.isFinite(value);
        const interval =
          finite && server ? server.interval(index.get(gene!.ensemblId)!, value, restored.inputGenes) : null;
        return {
          query,
          gene,
          inVocabulary: value !== undefined,
          value: finite ? value : null,
          lower: interval?.lower ?? null,
          upper: interval?.upper ?? null,
          coverage: interval?.coverage ?? null,
          measuredValue: measured?.[i] ?? null,
        };
      });
    },
    restorationInput: async (sample, { inputGenes, model }, context) => {
      const version = await modelOf(context, model);
      const rows = await resolveGeneList(context, inputGenes, 'input genes');
      const [profile] = await context.models.profiles(version, [sample.id]);
      if (!profile) return null;
      const vocabulary = new Set((await context.models.stats(version)).genes);
      const known = rows.flatMap((g) => (g ? [g] : []));
      const split = splitInput(
        known.map((g) => g.ensemblId),
        vocabulary,
        profile,
      );
      const byId = new Map(known.map((g) => [g.ensemblId, g]));
      return {
        genes: split.used.map((id) => byId.get(id)!),
        unknown: inputGenes.filter((_, i) => !rows[i]),
        outsideVocabulary: split.outsideVocabulary,
        unmeasured: split.unmeasured,
      };
    },
    riskScore: async (sample, { model, cohort }, context) => {
      const version = await modelOf(context, model);
      if (!context.models.headsOf(version)?.full.risk) throw missingHead(version, 'survival-risk');
      const prediction = await predictionOf(context, version, sample.id);
      if (!prediction) return null;
      if (prediction.heads.panelMatched)
        return riskRow(
          version,
          prediction,
          `the sample measures ${prediction.inputGenes} of the model's genes, so its score comes from panel-fitted heads and is compared with the heads' training patients only (trainingPercentile)`,
        );
      const reference = await referenceRisks(context, version, sample, cohort);
      const { scores } = reference;
      const row = riskRow(version, prediction, '')!;
      if (scores.length === 0)
        return {
          ...row,
          reference: reference.label,
          referenceNote: `${reference.label} has no real samples with raw counts whose patients have overall survival, so there is no percentile among them; trainingPercentile compares with the ${row.patients} patients the risk head was fitted on`,
        };
      return {
        ...row,
        percentile: percentileAmong(scores, row.score),
        reference: reference.label,
        referenceSize: scores.length,
        referenceNote: null,
      };
    },
    cancerTypePrediction: async (sample, { model }, context) => {
      const version = await modelOf(context, model);
      if (!context.models.headsOf(version)?.full.cancerType) throw missingHead(version, 'cancer-type');
      const prediction = await predictionOf(context, version, sample.id);
      return prediction ? cancerTypeRow(version, prediction) : null;
    },
  },
  Cohort: {
    imputationQuality: (cohort, args, context) => cohortImputationQuality(context, cohort, args),
  },
  Embedding: {
    sample: async (e, _, { loaders }) => {
      const sample = await loaders.sample.load(e.sampleId);
      if (!sample) throw new Error(`sample ${e.sampleId} of an embedding is missing`);
      return sample;
    },
    model: (e) => e.model,
    vector: (e) => Array.from(e.vector),
    dimensions: (e) => e.vector.length,
  },
};
