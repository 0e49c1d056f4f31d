// One model version ready to serve: its checkpoint's normalisation and weights on onnxruntime (through the
// model library), its prediction heads, and the readers that turn stored samples into model input.
//
// Samples are read from their RAW_COUNT profile. Library size (CPM) is taken over the whole stored profile,
// then only the vocabulary's genes are handed to the model as log2(CPM+1), so a 60,000-gene profile costs
// one pass and no per-gene strings. A sample stored only in a normalised unit (RSEM, TPM, FPKM, FPKM_UQ,
// e.g. from `gexbert ingest table`) is read as log2(x + 1) of its values instead (modelInput); RSEM values are
// z-scored with the model's RSEM statistics when it has them (a model also trained on RSEM data).

import type { HeadReference } from '@gexbert/model/heads';
import {
  fitModelHeads,
  HeadServer,
  type ModelHeads,
  parseModelHeads,
  readModelHeads,
} from '@gexbert/model/heads';
import type { GexbertConfig, NormStats } from '@gexbert/model/inference';
import {
  embed,
  openCheckpointPredictor,
  type Predictor,
  type Profile,
  profileToZ,
  type RestoreResult,
  restore,
  toLog2Cpm,
} from '@gexbert/model/inference';
import type pg from 'pg';
import { genesOfLayout, PROFILES_IN_MEMORY, readProfiles } from '../expression/store.ts';
import { type ExpressionUnit, NORMALISED_UNITS } from '../formats/types.ts';
import { checkpointFolder } from '../registry/checkpointStore.ts';
import type { ModelVersion } from '../registry/modelVersion.ts';

type Queryable = pg.ClientBase | pg.Pool;

export interface ModelRuntime {
  version: ModelVersion;
  config: GexbertConfig;
  stats: NormStats;
  predictor: Predictor;
  /** The version's heads (null until fitted), and the server answering with them. */
  heads: ModelHeads | null;
  headServer: HeadServer | null;
  width: number;
  /**
   * Frees the predictor's sessions and their memory arenas (grown by the largest batch they ran); they
   * reopen on next use. Only for a runtime nothing else is running on (a worker's gate, say).
   */
  releaseSessions(): Promise<void>;
  close(): Promise<void>;
}

/** A runtime's model was asked to run after its signal was aborted (see `stoppable`). */
export class RuntimeStopped extends Error {
  constructor() {
    super('the model was stopped (its signal was aborted)');
    this.name = 'RuntimeStopped';
  }
}

/**
 * The same runtime, whose model refuses to run (RuntimeStopped) once `signal` is aborted: long work over
 * many batches (fitting heads, a promotion gate) then stops at its next batch.
 */
export function stoppable(runtime: ModelRuntime, signal: AbortSignal): ModelRuntime {
  const { predictor } = runtime;
  return {
    ...runtime,
    predictor: {
      name: predictor.name,
      width: predictor.width,
      run: async (batch) => {
        if (signal.aborted) throw new RuntimeStopped();
        return predictor.run(batch);
      },
    },
  };
}

/** A checkpoint folder on onnxruntime with the given heads (`version` is a stand-in outside the registry). */
async function loadRuntime(
  dir: string,
  version: ModelVersion,
  heads: ModelHeads | null,
  options: { intraOpThreads?: number },
): Promise<ModelRuntime> {
  const { checkpoint, predictor } = await openCheckpointPredictor(dir, options);
  return {
    version,
    config: checkpoint.config,
    stats: checkpoint.stats,
    predictor,
    heads,
    headServer: heads ? new HeadServer(predictor, checkpoint.stats, heads) : null,
    width: checkpoint.config.width,
    releaseSessions: () => predictor.release(),
    close: () => predictor.release(),
  };
}

/**
 * The heads stored on a version; null when it has none or they cannot serve (e.g. heads fitted before heads
 * travelled with the model): the model still embeds and restores, and the API names the problem.
 */
export function versionHeads(version: ModelVersion): ModelHeads | null {
  if (!version.heads) return null;
  try {
    return parseModelHeads(version.heads);
  } catch {
    return null;
  }
}

/** Where a process finds checkpoints: the database that stores them and its local cache folder. */
export interface CheckpointSource {
  pool: pg.Pool;
  cacheDir: string;
}

/**
 * Loads a version's checkpoint (its stored files, through the local cache) onto onnxruntime (CPU, or CUDA
 * where the runtime provides it).
 */
export async function loadModelRuntime(
  source: CheckpointSource,
  version: ModelVersion,
  options: { intraOpThreads?: number } = {},
): Promise<ModelRuntime> {
  const dir = await checkpointFolder(source.pool, version, source.cacheDir);
  return loadRuntime(dir, version, versionHeads(version), options);
}

/** Loads a checkpoint folder with its own heads.json (e.g. for `gexbert predict`), outside the registry. */
export function loadCheckpointRuntime(
  dir: string,
  options: { intraOpThreads?: number } = {},
): Promise<ModelRuntime> {
  const heads = readModelHeads(dir);
  const version = {
    id: 0,
    name: dir,
    checkpointPath: dir,
    heads: null,
  } as unknown as ModelVersion;
  return loadRuntime(dir, version, heads, options);
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
 * Units the model reads when a sample has no raw counts, in order of preference: normalised values, read
 * as log2(x + 1) (see modelInput).
 */
export const NORMALISED_INPUT_UNITS: readonly ExpressionUnit[] = NORMALISED_UNITS;

/**
 * The samples' stored values as model input: log2(CPM+1) of the vocabulary genes each sample has, the
 * library size taken over its whole RAW_COUNT profile; for a sample without raw counts, log2(x + 1) of its
 * profile in the first of NORMALISED_INPUT_UNITS it has. null for a sample with neither.
 */
export async function sampleProfiles(
  db: Queryable,
  stats: NormStats,
  sampleIds: readonly number[],
  cacheKey = '',
): Promise<(Profile | null)[]> {
  // whole profiles are read a chunk at a time and only their vocabulary genes kept: 11,000 whole profiles
  // at once would hold gigabytes
  const out: (Profile | null)[] = [];
  for (let i = 0; i < sampleIds.length; i += PROFILES_IN_MEMORY)
    out.push(...(await chunkProfiles(db, stats, sampleIds.slice(i, i + PROFILES_IN_MEMORY), cacheKey)));
  return out;
}

async function chunkProfiles(
  db: Queryable,
  stats: NormStats,
  sampleIds: readonly number[],
  cacheKey: string,
): Promise<(Profile | null)[]> {
  const stored = await readProfiles(db, sampleIds, 'RAW_COUNT', cacheKey);
  for (const unit of NORMALISED_INPUT_UNITS) {
    const missing = sampleIds.filter((_, i) => stored[i] === null);
    if (missing.length === 0) break;
    const found = await readProfiles(db, missing, unit, cacheKey);
    let k = 0;
    for (let i = 0; i < stored.length; i++) if (stored[i] === null) stored[i] = found[k++] ?? null;
  }
  return Promise.all(
    stored.map(async (stored) => {
      if (!stored) return null;
      const at = await vocabularyPositions(db, stats, stored.layoutId, cacheKey);
      return modelInput(stats, Float32Array.from(stored.values), stored.unit, at);
    }),
  );
}

/**
 * A whole stored profile in `unit` as model input (the vocabulary genes only; `at[v]` is where vocabulary
 * gene v sits in `values`, -1 = absent): raw counts as log2(CPM+1) (countsInput); RSEM, TPM, FPKM and
 * FPKM_UQ as log2(x + 1), by the same transform (toLog2Cpm of values already per million; negative values,
 * as batch-corrected RSEM has, count as 0). Other units (log2 values) are not model input: null.
 */
export function modelInput(
  stats: NormStats,
  values: Float32Array,
  unit: ExpressionUnit,
  at: Int32Array,
): Profile | null {
  if (unit === 'RAW_COUNT') return countsInput(stats, values, at);
  if (unit === 'RSEM') return vocabularyValues(stats, values, at, 'rsem');
  if (!NORMALISED_INPUT_UNITS.includes(unit)) return null;
  return vocabularyValues(stats, toLog2Cpm(values, 'cpm'), at, 'log2cpm');
}

/**
 * One whole raw-count profile as model input, the one rule for stored samples and files alike: log2(CPM+1)
 * with the library size over the whole profile, then the vocabulary genes only. `at[v]` is where
 * vocabulary gene v sits in `counts` (-1 = absent).
 */
export function countsInput(stats: NormStats, counts: Float32Array, at: Int32Array): Profile {
  return vocabularyValues(stats, toLog2Cpm(counts, 'counts'), at, 'log2cpm');
}

/**
 * The vocabulary genes' values of a whole profile, in `unit`: log2(CPM+1), or RSEM values (which the model
 * normalises with its RSEM statistics when it has them; no library size is involved).
 */
function vocabularyValues(
  stats: NormStats,
  whole: Float32Array,
  at: Int32Array,
  unit: 'log2cpm' | 'rsem',
): Profile {
  const genes: string[] = [];
  const values: number[] = [];
  for (let v = 0; v < at.length; v++) {
    if (at[v]! < 0) continue;
    genes.push(stats.genes[v]!);
    values.push(whole[at[v]!]!);
  }
  return { genes, values: Float32Array.from(values), unit };
}

export class MissingCountsError extends Error {}

async function profilesOrThrow(runtime: ModelRuntime, pool: Queryable, sampleIds: readonly number[]) {
  const profiles = await sampleProfiles(pool, runtime.stats, sampleIds);
  const missing = sampleIds.filter((_, i) => profiles[i] === null);
  if (missing.length > 0)
    throw new MissingCountsError(
      `sample(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} have no raw counts; ` +
        `GexBERT reads RAW_COUNT profiles (or ${NORMALISED_INPUT_UNITS.join(', ')} as log2(x + 1)) — ingest the counts matrix for them`,
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
  barcode: string;
  cancerType: string | null;
  osDays: number | null;
  osEvent: number | null;
}

/**
 * The labelled reference of stored samples: those of `sampleIds` with raw counts and a cancer type or
 * overall survival, real samples only unless `includeSimulated`.
 */
export async function databaseReference(
  pool: pg.Pool,
  stats: NormStats,
  sampleIds: readonly number[],
  includeSimulated = false,
): Promise<HeadReference> {
  // raw SQL: bulk: labels of thousands of samples joined to their patients
  const { rows } = await pool.query<LabelRow>(
    `SELECT s.id, s.barcode, p."cancerType", p."osDays", p."osEvent" FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"
     WHERE s.id = ANY($1::int[]) AND ($2 OR NOT s.simulated) AND (p."cancerType" IS NOT NULL OR p."osDays" IS NOT NULL)
     ORDER BY s.id`,
    [[...sampleIds], includeSimulated],
  );
  const profiles = await sampleProfiles(
    pool,
    stats,
    rows.map((r) => r.id),
  );
  const usable = rows.flatMap((r, i) => (profiles[i]?.genes.length ? [{ r, p: profiles[i]! }] : []));
  const V = stats.genes.length;
  const z = new Float32Array(usable.length * V).fill(Number.NaN); // (n x V)
  usable.forEach(({ p }, i) => {
    z.set(profileToZ(stats, p.genes, p.values, p.unit).z, i * V);
  });
  return {
    samples: usable.map((u) => u.r.barcode),
    cancerTypes: usable.map((u) => u.r.cancerType),
    osDays: usable.map((u) => u.r.osDays),
    osEvent: usable.map((u) => (u.r.osEvent === 1 ? 1 : u.r.osEvent === 0 ? 0 : null)),
    genes: V,
    z,
  };
}

/**
 * Fits a model's heads on stored samples (an explicit, versioned step: a retrained model's gate, or an
 * admin's refit): the labelled real samples among `sampleIds`, recorded in the heads' reference.
 */
export async function fitHeads(
  runtime: ModelRuntime,
  pool: pg.Pool,
  sampleIds: readonly number[],
  options: {
    includeSimulated?: boolean;
    /** 'none': no intervals on restored values (heads only scored, never stored); default: calibrated. */
    intervals?: 'calibrate' | 'none';
  } = {},
): Promise<ModelHeads> {
  const reference = await databaseReference(pool, runtime.stats, sampleIds, options.includeSimulated);
  if (reference.samples.length === 0)
    throw new Error(
      `none of the ${sampleIds.length} samples has raw counts with a cancer type or survival${options.includeSimulated ? '' : ' (simulated samples are left out)'}: ingest labelled real samples first`,
    );
  return fitModelHeads(runtime.predictor, runtime.stats, reference, {
    source: `database: ${reference.samples.length} stored samples`,
    simulated: options.includeSimulated === true,
    intervals: options.intervals ?? 'calibrate',
  });
}
