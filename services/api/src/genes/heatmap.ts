// Cohort.heatmap: a gene list's values across a cohort's samples (each gene read column-wise, readGeneColumn),
// the columns capped by an even sample, rows and columns clustered by model/src/cluster (average linkage on
// the row z-scores), and column tracks: cancer type, the active model's stored predicted type and risk group
// (samples not answered yet answered now, up to ANSWERED_IN_REQUEST of them), clinical attributes.
import { attributeTypes } from '@gexbert/core/cohort/attributes';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import { readStoredPredictedTypes, readStoredWholeProfileRisks } from '@gexbert/core/inference/precompute';
import { clinicalValuesOfPatients } from '@gexbert/core/patient/records';
import {
  type ClusterDistance,
  type Clustering,
  clusterVectors,
  columnsOf,
  rowZScores,
} from '@gexbert/model/cluster';
import type { GraphQLError } from 'graphql';
import type { Context } from '../context.ts';
import { badInput } from '../errors.ts';
import type { HeatmapDistance, ResolversTypes, ValueTransform } from '../generated/graphql.ts';
import { riskGroups } from '../inference/reference.ts';
import type { ModelVersionRow } from '../inference/rows.ts';
import type { GeneRow } from '../rows.ts';
import { readGeneColumn } from './geneColumn.ts';
import { annotateSamples } from './sampleAnnotations.ts';

/** The most columns a heatmap clusters (about 2 s for 50 genes; memory n² × 8 bytes). */
export const MAX_HEATMAP_SAMPLES = 2000;
const MODEL_TRACKS = ['predictedType', 'riskGroup'];
/**
 * Most shown samples without a stored answer that a heatmap request has the model answer (about 2-10 s of
 * embedding on 2 cores; a 1,000-column heatmap of a cohort no worker has reached waits for the worker instead).
 */
export const ANSWERED_IN_REQUEST = 200;

export interface HeatmapRequest {
  genes: readonly string[];
  resolved: readonly (GeneRow | null)[];
  members: readonly number[];
  scale: { unit: ExpressionUnit; transform: ValueTransform };
  clusterRows: boolean;
  clusterColumns: boolean;
  distance: HeatmapDistance;
  maxSamples: number;
  tracks: readonly string[];
}

type Track = ResolversTypes['HeatmapTrack'];

/** Every k-th of `ids` so that at most `max` are kept (all of them when they fit). */
export function evenSample<T>(ids: readonly T[], max: number): T[] {
  if (ids.length <= max) return [...ids];
  return Array.from({ length: max }, (_, i) => ids[Math.floor((i * ids.length) / max)]!);
}

export async function heatmap(context: Context, request: HeatmapRequest): Promise<ResolversTypes['Heatmap']> {
  const { maxSamples } = request;
  if (!Number.isInteger(maxSamples) || maxSamples < 1 || maxSamples > MAX_HEATMAP_SAMPLES)
    throw badInput(`maxSamples must be 1 to ${MAX_HEATMAP_SAMPLES}; not ${maxSamples}`);
  const clinicalTypes = await checkedTracks(context, request.tracks);
  const unknown = request.genes.filter((_, i) => !request.resolved[i]);
  const genes = [...new Map(request.resolved.flatMap((g) => (g ? [[g.id, g]] : []))).values()];
  const columns = await Promise.all(
    genes.map((g) => readGeneColumn(context.db, g.id, request.scale, request.members, context.cacheKey)),
  );
  const withValues = [...new Set(columns.flatMap((c) => c.sampleIds))].sort((a, b) => a - b);
  const shown = evenSample(withValues, maxSamples);
  const position = new Map(shown.map((id, j) => [id, j]));
  const matrix = columns.map((column) => {
    const row = new Float64Array(shown.length).fill(Number.NaN);
    column.sampleIds.forEach((id, k) => {
      const j = position.get(id);
      const v = column.values[k];
      if (j !== undefined && v !== null && v !== undefined) row[j] = v;
    });
    return row;
  });
  const measured = matrix.map((row) => row.some((v) => !Number.isNaN(v)));
  const rows = matrix.filter((_, g) => measured[g]);
  const z = rowZScores(rows);
  const distance = request.distance.toLowerCase() as ClusterDistance;
  const started = performance.now();
  const rowTree = request.clusterRows && rows.length > 0 ? clusterVectors(z, distance) : null;
  const columnTree =
    request.clusterColumns && rows.length > 0 ? clusterVectors(columnsOf(z, shown.length), distance) : null;
  const clusterMs = performance.now() - started;
  const rowOrder = rowTree?.order ?? rows.map((_, r) => r);
  const columnOrder = columnTree?.order ?? shown.map((_, j) => j);
  const sampleIds = columnOrder.map((j) => shown[j]!);
  const flat = (source: Float64Array[]) =>
    rowOrder.flatMap((r) => columnOrder.map((j) => (Number.isNaN(source[r]![j]!) ? null : source[r]![j]!)));
  const { samples, patients } = await annotateSamples(context, sampleIds);
  const model = request.tracks.some((t) => MODEL_TRACKS.includes(t)) ? await activeModel(context) : null;
  if (model) await predictUnstored(context, model, sampleIds);
  const tracks = await Promise.all(
    request.tracks.map(async (name): Promise<Track> => {
      if (name === 'cancerType')
        return { name, type: 'CATEGORICAL', values: patients.map((p) => p.cancerType) };
      if (name === 'predictedType' || name === 'riskGroup')
        return { name, type: 'CATEGORICAL', values: await modelTrack(context, model, name, sampleIds) };
      return {
        name,
        type: clinicalTypes.get(name) === 'NUMERIC' ? 'NUMERIC' : 'CATEGORICAL',
        values: await clinicalValuesOfPatients(
          context.db,
          name,
          patients.map((p) => p.id),
        ),
      };
    }),
  );
  const measuredGenes = genes.filter((_, g) => measured[g]);
  return {
    ...request.scale,
    distance: request.distance,
    genes: rowOrder.map((r) => measuredGenes[r]!),
    unknown,
    notMeasured: genes.filter((_, g) => !measured[g]).map((g) => g.symbol ?? g.ensemblId),
    sampleIds: sampleIds.map(String),
    barcodes: samples.map((s) => s.barcode),
    values: flat(rows),
    zScores: flat(z),
    rowDendrogram: dendrogram(rowTree),
    columnDendrogram: dendrogram(columnTree),
    cohortSamples: withValues.length,
    sampled: shown.length < withValues.length,
    tracks,
    model: model?.version ?? null,
    clusterMs,
  };
}

function dendrogram(tree: Clustering | null) {
  if (!tree) return null;
  return {
    left: tree.merges.map((m) => m.left),
    right: tree.merges.map((m) => m.right),
    height: tree.merges.map((m) => m.height),
  };
}

/** The clinical attributes' types; BAD_USER_INPUT for a track that is neither built in nor an attribute. */
async function checkedTracks(context: Context, tracks: readonly string[]) {
  const types = await attributeTypes(context.db);
  const bad = tracks.find((t) => t !== 'cancerType' && !MODEL_TRACKS.includes(t) && !types.has(t));
  if (bad !== undefined)
    throw badInput(
      `track ${JSON.stringify(bad)} is not cancerType, predictedType, riskGroup or a clinical attribute (Query.clinicalAttributes)`,
    );
  return types;
}

/** The active model and its heads' id, or null when no model is active (the tracks are then empty). */
async function activeModel(context: Context): Promise<{ version: ModelVersionRow; headsId: string } | null> {
  try {
    const version = await context.models.active();
    const heads = context.models.headsOf(version);
    return heads ? { version, headsId: heads.id } : null;
  } catch (error) {
    // (by its code: the holder's GraphQLError may come from another copy of graphql)
    if ((error as GraphQLError).extensions?.code === 'MODEL_UNAVAILABLE') return null;
    throw error;
  }
}

/**
 * Has the model answer (and store) the shown samples the workers have not answered yet, when they are at most
 * ANSWERED_IN_REQUEST: a small cohort ingested while no worker ran, or one the precompute has not reached yet,
 * gets filled tracks; more are left to the workers (the page says how many are in).
 */
async function predictUnstored(
  context: Context,
  model: { version: ModelVersionRow; headsId: string },
  sampleIds: readonly number[],
): Promise<void> {
  const stored = await readStoredPredictedTypes(context.db, model.version.id, model.headsId, sampleIds);
  const missing = sampleIds.filter((id) => !stored.has(id));
  if (missing.length === 0 || missing.length > ANSWERED_IN_REQUEST) return;
  await context.models.predictSamples(model.version, missing);
}

/** Stored predicted types, or risk groups (low/high at the median of the stored scores of these samples). */
async function modelTrack(
  context: Context,
  model: { version: ModelVersionRow; headsId: string } | null,
  name: string,
  sampleIds: readonly number[],
): Promise<(string | null)[]> {
  if (!model) return sampleIds.map(() => null);
  const args = [context.db, model.version.id, model.headsId, sampleIds] as const;
  if (name === 'predictedType') {
    const types = await readStoredPredictedTypes(...args);
    return sampleIds.map((id) => types.get(id) ?? null);
  }
  const risks = await readStoredWholeProfileRisks(...args);
  const scored = sampleIds.filter((id) => risks.has(id));
  const split = riskGroups(
    scored.map((id) => risks.get(id)!),
    'median',
  );
  const group = new Map(scored.map((id, i) => [id, split.group[i]!]));
  return sampleIds.map((id) => group.get(id) ?? null);
}
