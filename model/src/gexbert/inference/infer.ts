/**
 * Inference on expression profiles: sample embeddings and restored gene values, batched.
 *
 * A profile is `{ genes, values, unit }` (NaN = missing). It may name any subset of the vocabulary:
 * its measured vocabulary genes become the encoder's input tokens with their value level, genes given
 * with a missing value (NaN) become tokens with the learned missing level (the level masked values get
 * in training), so "measured" and "given as missing" differ; a vocabulary gene absent from the profile
 * is no token, and genes outside the vocabulary are ignored and reported. Tokens are padded per batch.
 * A profile with no measured gene (none in the vocabulary, or all missing) gets the no-information
 * result: an all-zero embedding and NaN restored values. Restoring queries the decoder with the
 * requested genes, measured or not.
 *
 * The math runs on a `Predictor`: TensorFlow.js (`tfjsPredictor`) or onnxruntime (predictor.ts).
 */
import { ready, tf } from '../../engine/tf.ts';
import { Rng } from '../../random/rng.ts';
import type { Matrix } from '../../stats/matrix.ts';
import type { GexbertModel } from '../architecture/model.ts';
import type { TokenBatch } from '../training/batch.ts';
import { batchInputs } from '../training/engine-tfjs.ts';
import { fromZ, levelOf, type NormStats, profileToZ, type Unit, vocabularyIndex } from './normalise.ts';

export interface Profile {
  genes: string[];
  /** One value per gene; NaN = missing. */
  values: Float32Array;
  unit: Unit;
}

/** Runs the model on a token batch. */
export interface Predictor {
  readonly name: string;
  readonly width: number;
  /** embedding: (B*C); queryValues: (B*Q) when the batch has queries. */
  run(batch: TokenBatch): Promise<{ embedding: Float32Array; queryValues?: Float32Array }>;
}

export function tfjsPredictor(model: GexbertModel): Predictor {
  return {
    name: 'tfjs',
    width: model.config.width,
    async run(batch) {
      return tf.tidy(() => {
        const out = model.forward(batchInputs(batch));
        const res: { embedding: Float32Array; queryValues?: Float32Array } = {
          embedding: (out.embedding.dataSync() as Float32Array).slice(), // (B*C)
        };
        if (out.queryValues) res.queryValues = (out.queryValues.dataSync() as Float32Array).slice(); // (B*Q)
        return res;
      });
    },
  };
}

export interface InferOptions {
  /** Profiles per forward pass (default 32; fewer when the attention budget requires). */
  batchSize?: number;
  /**
   * Attention scores one forward pass may hold, per head: B x T x (T + Q) for B profiles of T input
   * tokens and Q query genes (default `ATTENTION_BUDGET`). Long profiles or many queries shrink the batch
   * and, past one profile, split the queries into several passes, so memory stays bounded.
   */
  attentionBudget?: number;
  /**
   * Use at most this many measured genes per profile (a seeded random subset); default: all. Genes
   * given as missing are always added as missing tokens.
   */
  maxInputGenes?: number;
  /** Seed for that subset (default 0). */
  seed?: number;
  /**
   * Genes given with a missing value (NaN): `token` (default) inputs them with the learned missing
   * level; `omit` leaves them out like absent genes. Training shows the model about 1 missing token
   * per 3 measured ones: with far more missing than measured genes (e.g. a small panel listed among
   * NaNs), `omit` restores better (model/EXPERIMENTS.md section 8).
   */
  missing?: 'token' | 'omit';
}

export interface ProfileReport {
  /** Measured vocabulary genes used as input. */
  inputGenes: number;
  /** Vocabulary genes given with a missing value (NaN) and input with the missing level (0 with `missing: 'omit'`). */
  missingGenes: number;
  /** Profile genes not in the vocabulary (ignored). */
  unknownGenes: string[];
}

export interface EmbedResult {
  /**
   * One embedding (length = model width) per profile; all zeros for a profile with no measured
   * vocabulary gene (e.g. every value NaN).
   */
  embeddings: Float32Array[];
  reports: ProfileReport[];
}

export interface RestoreResult {
  /** The requested genes that are in the vocabulary, in request order. */
  genes: string[];
  /** Requested genes not in the vocabulary (no value returned). */
  unknownQueries: string[];
  /** Per profile, one restored value per entry of `genes` (NaN for a profile with no measured gene). */
  values: Float32Array[];
  unit: Exclude<Unit, 'counts'>;
  reports: ProfileReport[];
}

interface Encoded {
  /** Input tokens: measured genes, then genes given as missing. */
  ids: Int32Array;
  /** Value level per token (`stats.levels` = missing). */
  levels: Int32Array;
  /** False when no gene is measured: the profile is not run and gets the no-information result. */
  usable: boolean;
  report: ProfileReport;
}

function encodeProfiles(stats: NormStats, profiles: Profile[], opts: InferOptions): Encoded[] {
  return profiles.map((p, i) => {
    const mapped = profileToZ(stats, p.genes, p.values, p.unit);
    let measured: number[] = [];
    const missing: number[] = [];
    for (let v = 0; v < mapped.z.length; v++) {
      if (Number.isFinite(mapped.z[v]!)) measured.push(v);
      else if (mapped.given[v] && opts.missing !== 'omit') missing.push(v);
    }
    if (opts.maxInputGenes !== undefined && measured.length > opts.maxInputGenes) {
      const pool = Int32Array.from(measured);
      const k = new Rng(opts.seed ?? 0, `infer/${i}`).sampleInPlace(pool, opts.maxInputGenes);
      measured = [...pool.subarray(0, k)].sort((a, b) => a - b);
    }
    const usable = measured.length > 0;
    const ids = usable ? [...measured, ...missing] : [];
    const levels = ids.map((v, t) => (t < measured.length ? levelOf(stats, mapped.z[v]!) : stats.levels));
    return {
      ids: Int32Array.from(ids),
      levels: Int32Array.from(levels),
      usable,
      report: { inputGenes: measured.length, missingGenes: missing.length, unknownGenes: mapped.unknown },
    };
  });
}

/**
 * Default attention budget: 2^24 scores per head (x heads x 4 bytes: 256 MB at 4 heads). Without it, 32
 * profiles of 3,500 tokens restoring 5,000 genes asked for ~9 GB per attention tensor and did not finish.
 */
export const ATTENTION_BUDGET = 2 ** 24;

/**
 * Attention scores per head that profiles batched together may hold (a single profile may use up to the
 * attention budget). onnxruntime's arena keeps the largest pass a session ran: restoring a 1,000-gene
 * vocabulary for 145 profiles at 10-90% missing held 810 MB at 2^24 and 358 MB at 2^22, no slower (a
 * worker's heads calibration; measured with a scratch script, load ~15).
 */
export const BATCH_ATTENTION_BUDGET = 2 ** 22;

/** Input tokens of the longest profile (at least 1: an empty batch still has one padded token). */
function longestInput(enc: Encoded[]): number {
  return Math.max(1, ...enc.map((e) => e.ids.length));
}

/**
 * Profiles per pass and queries per pass for profiles of up to T tokens and Q queries: as many profiles as
 * the batch budget (the smaller of `BATCH_ATTENTION_BUDGET` and the attention budget) allows, at most
 * `batchSize`; when one profile with all Q queries exceeds the attention budget, the queries are split (at
 * least one per pass).
 */
export function passPlan(
  T: number,
  Q: number,
  opts: Pick<InferOptions, 'batchSize' | 'attentionBudget'>,
): { batch: number; queries: number } {
  const budget = opts.attentionBudget ?? ATTENTION_BUDGET;
  const batchBudget = Math.min(budget, BATCH_ATTENTION_BUDGET);
  const perProfile = T * (T + Q);
  const batch = Math.max(1, Math.min(opts.batchSize ?? 32, Math.floor(batchBudget / perProfile)));
  const queries = perProfile <= budget ? Math.max(1, Q) : Math.max(1, Math.floor(budget / T) - T);
  return { batch, queries };
}

function makeBatch(enc: Encoded[], queryIds: Int32Array, missing: number): TokenBatch {
  const B = enc.length;
  const T = Math.max(1, ...enc.map((e) => e.ids.length));
  const Q = queryIds.length;
  const b: TokenBatch = {
    B,
    T,
    Q,
    geneIds: new Int32Array(B * T),
    levelIds: new Int32Array(B * T).fill(missing),
    tokenMask: new Float32Array(B * T),
    padded: false,
    queryIds: new Int32Array(B * Q),
  };
  enc.forEach((e, i) => {
    b.geneIds.set(e.ids, i * T);
    b.levelIds.set(e.levels, i * T);
    b.tokenMask.fill(1, i * T, i * T + e.ids.length);
    if (e.ids.length < T) b.padded = true;
    b.queryIds.set(queryIds, i * Q);
  });
  return b;
}

async function asPredictor(m: GexbertModel | Predictor): Promise<Predictor> {
  if ('run' in m) return m;
  await ready();
  return tfjsPredictor(m);
}

/**
 * Sample embeddings (mean-pooled encoder output) of the profiles; `onPass`, when given, hears after each
 * forward pass how many profiles are embedded of how many (and is awaited).
 */
export async function embed(
  model: GexbertModel | Predictor,
  stats: NormStats,
  profiles: Profile[],
  opts: InferOptions & { onPass?: (done: number, total: number) => Promise<void> | void } = {},
): Promise<EmbedResult> {
  const pred = await asPredictor(model);
  const C = pred.width;
  const enc = encodeProfiles(stats, profiles, opts);
  const { batch: bs } = passPlan(longestInput(enc), 0, opts);
  const embeddings: Float32Array[] = [];
  for (let i = 0; i < enc.length; i += bs) {
    const chunk = enc.slice(i, i + bs);
    const out = await pred.run(makeBatch(chunk, new Int32Array(0), stats.levels));
    chunk.forEach((e, j) => {
      embeddings.push(e.usable ? out.embedding.slice(j * C, (j + 1) * C) : new Float32Array(C));
    });
    await opts.onPass?.(embeddings.length, enc.length);
  }
  return { embeddings, reports: enc.map((e) => e.report) };
}

/** Restore the values of `genes` (any vocabulary genes, measured or not) for each profile. */
export async function restore(
  model: GexbertModel | Predictor,
  stats: NormStats,
  profiles: Profile[],
  genes: string[],
  opts: InferOptions & { unit?: Exclude<Unit, 'counts'> } = {},
): Promise<RestoreResult> {
  const pred = await asPredictor(model);
  const unit = opts.unit ?? 'log2cpm';
  const index = vocabularyIndex(stats);
  const known = genes.filter((g) => index.has(g));
  const unknownQueries = genes.filter((g) => !index.has(g));
  const queryIds = Int32Array.from(known, (g) => index.get(g)!);
  const enc = encodeProfiles(stats, profiles, opts);
  const Q = queryIds.length;
  const values = enc.map(() => new Float32Array(Q).fill(Number.NaN));
  const { batch: bs, queries: qs } = passPlan(longestInput(enc), Q, opts);
  for (let i = 0; i < enc.length; i += bs) {
    const chunk = enc.slice(i, i + bs);
    for (let q0 = 0; q0 < Q; q0 += qs) {
      const ids = queryIds.subarray(q0, q0 + qs); // this pass's queries: (Qc)
      const Qc = ids.length;
      const out = await pred.run(makeBatch(chunk, ids, stats.levels)); // queryValues: (B*Qc)
      chunk.forEach((e, j) => {
        if (!out.queryValues || !e.usable) return;
        const row = values[i + j]!;
        for (let q = 0; q < Qc; q++) row[q0 + q] = fromZ(stats, ids[q]!, out.queryValues[j * Qc + q]!, unit);
      });
    }
  }
  return { genes: known, unknownQueries, values, unit, reports: enc.map((e) => e.report) };
}

/**
 * Genes to hide are left out of the model's input (not fed as missing tokens): a panel of 16
 * genes is 16 inputs, and imputation at 90% missing does not flood the encoder with missing tokens.
 */
export const OMIT = { missing: 'omit' } as const;

/** Profiles of the rows of a z matrix over `genes`, keeping only the entries `keep` accepts. */
export function zProfiles(z: Matrix, genes: string[], keep: (i: number, v: number) => boolean): Profile[] {
  return Array.from({ length: z.rows }, (_, i) => ({
    genes,
    values: Float32Array.from({ length: z.cols }, (_, v) =>
      keep(i, v) ? z.data[i * z.cols + v]! : Number.NaN,
    ),
    unit: 'z' as const,
  }));
}
