// One model version ready to serve: its checkpoint's normalisation and weights on onnxruntime (through the
// model library), its prediction heads, and the readers that turn stored samples into model input.
//
// Samples are read from their RAW_COUNT profile. Library size (CPM) is taken over the whole stored profile,
// then only the vocabulary's genes are handed to the model as log2(CPM+1), so a 60,000-gene profile costs
// one pass and no per-gene strings.
import { ready } from '@gexbert/model/engine/tf';
import { loadCheckpoint } from '@gexbert/model/gexbert/checkpoint';
import type { GexbertConfig } from '@gexbert/model/gexbert/config';
import {
  embed,
  type Predictor,
  type Profile,
  type RestoreResult,
  restore,
} from '@gexbert/model/gexbert/infer';
import type { NormStats } from '@gexbert/model/gexbert/normalise';
import { toLog2Cpm } from '@gexbert/model/gexbert/normalise';
import { createOnnxPredictor, type OnnxPredictor } from '@gexbert/model/gexbert/onnx/predictor';
import { fitCancerTypeHead, fitRiskHead, type Heads, parseHeads } from '@gexbert/model/heads/index';
import type pg from 'pg';
import { genesOfLayout, readProfiles } from '../expression/store.ts';
import type { ModelVersion } from '../registry/modelVersion.ts';

type Queryable = pg.ClientBase | pg.Pool;

export interface ModelRuntime {
  version: ModelVersion;
  config: GexbertConfig;
  stats: NormStats;
  predictor: Predictor;
  /** The version's fitted heads ({} until fitted). */
  heads: Heads;
  width: number;
  close(): Promise<void>;
}

/** Loads a version's checkpoint onto onnxruntime (CPU, or CUDA where the runtime provides it). */
export async function loadModelRuntime(
  version: ModelVersion,
  options: { intraOpThreads?: number } = {},
): Promise<ModelRuntime> {
  await ready();
  const checkpoint = loadCheckpoint(version.checkpointPath);
  checkpoint.model.dispose();
  const predictor: OnnxPredictor = await createOnnxPredictor(checkpoint.config, checkpoint.weights, options);
  return {
    version,
    config: checkpoint.config,
    stats: checkpoint.stats,
    predictor,
    heads: version.heads ? parseHeads(version.heads) : {},
    width: checkpoint.config.width,
    close: () => predictor.release(),
  };
}

/** Per gene layout, where each vocabulary gene sits in the layout (-1 when the layout lacks it). */
const positions = new Map<string, Promise<Int32Array>>();

function vocabularyPositions(
  db: Queryable,
  stats: NormStats,
  layoutId: number,
  cacheKey: string,
): Promise<Int32Array> {
  const key = `${cacheKey}/${layoutId}/${stats.genes.length}/${stats.genes[0]}/${stats.genes.at(-1)}`;
  let at = positions.get(key);
  if (!at) {
    at = genesOfLayout(db, layoutId, cacheKey).then((layout) => {
      const index = new Map(layout.map((g, i) => [g, i]));
      return Int32Array.from(stats.genes, (g) => index.get(g) ?? -1);
    });
    at.catch(() => positions.delete(key));
    positions.set(key, at);
  }
  return at;
}

/**
 * The samples' raw counts as model input: log2(CPM+1) of the vocabulary genes each sample has, the library
 * size taken over its whole profile. null for a sample without a RAW_COUNT profile.
 */
export async function sampleProfiles(
  db: Queryable,
  stats: NormStats,
  sampleIds: readonly number[],
  cacheKey = '',
): Promise<(Profile | null)[]> {
  const stored = await readProfiles(db, sampleIds, 'RAW_COUNT', cacheKey);
  return Promise.all(
    stored.map(async (stored) => {
      if (!stored) return null;
      const at = await vocabularyPositions(db, stats, stored.layoutId, cacheKey);
      const log2cpm = toLog2Cpm(Float32Array.from(stored.values), 'counts'); // (layout genes)
      const genes: string[] = [];
      const values: number[] = [];
      for (let v = 0; v < at.length; v++) {
        if (at[v]! < 0) continue;
        genes.push(stats.genes[v]!);
        values.push(log2cpm[at[v]!]!);
      }
      return { genes, values: Float32Array.from(values), unit: 'log2cpm' as const };
    }),
  );
}

export class MissingCountsError extends Error {}

async function profilesOrThrow(runtime: ModelRuntime, pool: Queryable, sampleIds: readonly number[]) {
  const profiles = await sampleProfiles(pool, runtime.stats, sampleIds);
  const missing = sampleIds.filter((_, i) => profiles[i] === null);
  if (missing.length > 0)
    throw new MissingCountsError(
      `sample(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} have no raw counts; ` +
        'GexBERT reads RAW_COUNT profiles — ingest the counts matrix for them',
    );
  return profiles as Profile[];
}

/** Embeddings of stored samples (null for a sample none of whose genes the model knows). */
export async function embedSamples(
  runtime: ModelRuntime,
  pool: Queryable,
  sampleIds: readonly number[],
): Promise<{ embeddings: (Float32Array | null)[]; inputGenes: number[] }> {
  const profiles = await profilesOrThrow(runtime, pool, sampleIds);
  const out = await embed(runtime.predictor, runtime.stats, profiles);
  return {
    embeddings: out.embeddings.map((e, i) => (out.reports[i]!.inputGenes > 0 ? e : null)),
    inputGenes: out.reports.map((r) => r.inputGenes),
  };
}

/** Restored log2(CPM+1) of `genes` (Ensembl IDs, measured or not) for stored samples. */
export async function restoreSamples(
  runtime: ModelRuntime,
  pool: Queryable,
  sampleIds: readonly number[],
  genes: string[],
): Promise<RestoreResult> {
  const profiles = await profilesOrThrow(runtime, pool, sampleIds);
  return restore(runtime.predictor, runtime.stats, profiles, genes, { unit: 'log2cpm' });
}

interface LabelRow {
  id: number;
  cancerType: string | null;
  osDays: number | null;
  osEvent: number | null;
}

/**
 * Fits the cancer-type head (when the samples have at least two types) and the risk head (when enough of
 * them have overall survival with events) on the model's embeddings of `sampleIds`.
 */
export async function fitHeads(
  runtime: ModelRuntime,
  pool: pg.Pool,
  sampleIds: readonly number[],
): Promise<Heads> {
  const { rows } = await pool.query<LabelRow>(
    `SELECT s.id, p."cancerType", p."osDays", p."osEvent" FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"
     WHERE s.id = ANY($1::int[]) ORDER BY s.id`,
    [[...sampleIds]],
  );
  const profiles = await sampleProfiles(
    pool,
    runtime.stats,
    rows.map((r) => r.id),
  );
  const usable = rows.filter((_, i) => profiles[i] !== null);
  const out = await embed(
    runtime.predictor,
    runtime.stats,
    profiles.filter((p) => p !== null),
  );
  const embeddings = out.embeddings.map((e, i) => (out.reports[i]!.inputGenes > 0 ? e : null));
  const heads: Heads = {};
  const typed = usable.flatMap((r, i) => (r.cancerType && embeddings[i] ? [{ r, e: embeddings[i]! }] : []));
  if (new Set(typed.map((t) => t.r.cancerType)).size >= 2) {
    heads.cancerType = fitCancerTypeHead(
      typed.map((t) => t.e),
      typed.map((t) => t.r.cancerType!),
    );
  }
  const survival = usable.flatMap((r, i) =>
    r.osDays !== null && r.osDays > 0 && r.osEvent !== null && embeddings[i]
      ? [{ r, e: embeddings[i]! }]
      : [],
  );
  const events = survival.filter((s) => s.r.osEvent === 1).length;
  if (events >= MIN_RISK_EVENTS) {
    heads.risk = fitRiskHead(
      survival.map((s) => s.e),
      survival.map((s) => s.r.osDays!),
      survival.map((s) => s.r.osEvent === 1),
    );
  }
  return heads;
}

/** A Cox model on embeddings needs events; below this many the risk head is not fitted. */
export const MIN_RISK_EVENTS = 10;
