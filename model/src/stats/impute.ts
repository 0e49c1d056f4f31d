/**
 * Imputation of masked expression values: MCAR masks, per-gene mean and KNN imputers, and metrics on
 * the masked entries only. Missing values are NaN in the matrices handed to the imputers.
 */

import { createRandom, sampleWithoutReplacement } from '../random/random.ts';
import { type Matrix, row, selectRows } from './matrix.ts';
import { pearson, rmse } from './metrics.ts';
import type { Standardizer } from './standardize.ts';

/**
 * MCAR mask of a rows x cols matrix: exactly round(rate * rows * cols) entries, chosen uniformly at
 * random (seeded), are 1 (missing); the rest 0.
 */
export function mcarMask(rows: number, cols: number, rate: number, seed: number): Uint8Array {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must be in [0, 1], got ${rate}`);
  const size = rows * cols;
  const mask = new Uint8Array(size);
  for (const i of sampleWithoutReplacement(size, Math.round(rate * size), createRandom(seed))) mask[i] = 1;
  return mask;
}

/** A copy of `x` with NaN wherever `mask` is 1. */
export function applyMask(x: Matrix, mask: Uint8Array): Matrix {
  if (mask.length !== x.data.length) throw new RangeError('mask and matrix sizes differ');
  const data = Float64Array.from(x.data);
  for (let i = 0; i < data.length; i++) if (mask[i] === 1) data[i] = Number.NaN;
  return { rows: x.rows, cols: x.cols, data };
}

/** Column means over the non-NaN entries (NaN for a column with none). */
export function nanColMeans(x: Matrix): Float64Array {
  const sum = new Float64Array(x.cols);
  const count = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) {
    const r = row(x, i);
    for (let j = 0; j < x.cols; j++) {
      const v = r[j]!;
      if (!Number.isNaN(v)) {
        sum[j]! += v;
        count[j]!++;
      }
    }
  }
  return sum.map((s, j) => (count[j]! > 0 ? s / count[j]! : Number.NaN));
}

/**
 * Per-gene mean imputation: each NaN of `target` becomes the mean of that gene over `reference`'s
 * observed values (pass the training data; pass `target` itself for the column mean of what is observed).
 */
export function meanImpute(reference: Matrix, target: Matrix): Matrix {
  if (reference.cols !== target.cols) throw new RangeError('reference and target have different genes');
  const mean = nanColMeans(reference);
  const data = Float64Array.from(target.data);
  for (let i = 0; i < target.rows; i++)
    for (let j = 0; j < target.cols; j++) {
      const q = i * target.cols + j;
      if (Number.isNaN(data[q]!)) data[q] = mean[j]!;
    }
  return { rows: target.rows, cols: target.cols, data };
}

/**
 * KNN imputation for several k at once (one neighbour search). For a target row, the distance to a
 * reference row is the root mean squared difference over the genes observed in both (rows sharing no
 * gene are never neighbours). A missing gene gets the mean of that gene over the k nearest reference
 * rows that observe it (fewer if not enough do; the reference gene mean if none do).
 */
export function knnImputeMany(reference: Matrix, target: Matrix, ks: number[]): Matrix[] {
  if (reference.cols !== target.cols) throw new RangeError('reference and target have different genes');
  for (const k of ks) if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be >= 1, got ${k}`);
  const p = target.cols;
  const fallback = nanColMeans(reference);
  const outputs = ks.map(() => ({ rows: target.rows, cols: p, data: Float64Array.from(target.data) }));
  const kMax = Math.max(...ks);
  const distance = new Float64Array(reference.rows);
  const missing: number[] = [];
  for (let i = 0; i < target.rows; i++) {
    const t = row(target, i);
    missing.length = 0;
    for (let j = 0; j < p; j++) if (Number.isNaN(t[j]!)) missing.push(j);
    if (missing.length === 0) continue;
    for (let r = 0; r < reference.rows; r++) {
      const ref = row(reference, r);
      let ss = 0;
      let count = 0;
      for (let j = 0; j < p; j++) {
        const d = t[j]! - ref[j]!;
        if (!Number.isNaN(d)) {
          ss += d * d;
          count++;
        }
      }
      distance[r] = count > 0 ? Math.sqrt(ss / count) : Number.POSITIVE_INFINITY;
    }
    const order = Array.from({ length: reference.rows }, (_, r) => r)
      .filter((r) => Number.isFinite(distance[r]!))
      .sort((a, b) => distance[a]! - distance[b]! || a - b);
    for (const j of missing) {
      // Running means over the first donors observing gene j, recorded at each requested k.
      let sum = 0;
      let used = 0;
      const atK = new Float64Array(kMax + 1).fill(Number.NaN);
      for (const r of order) {
        if (used >= kMax) break;
        const v = reference.data[r * p + j]!;
        if (Number.isNaN(v)) continue;
        sum += v;
        used++;
        atK[used] = sum / used;
      }
      ks.forEach((k, idx) => {
        const m = used === 0 ? fallback[j]! : atK[Math.min(k, used)]!;
        outputs[idx]!.data[i * p + j] = m;
      });
    }
  }
  return outputs;
}

/** KNN imputation with one k (see {@link knnImputeMany}). */
export function knnImpute(reference: Matrix, target: Matrix, k: number): Matrix {
  return knnImputeMany(reference, target, [k])[0]!;
}

/** Options for {@link tuneKnnK}. */
export interface KnnTuningOptions {
  /** Candidate k (default 1, 3, 5, 10, 15, 20, 30). */
  candidates?: number[];
  /** Missing rate of the masks on the held-out training rows (default 0.5). */
  rate?: number;
  /** Fraction of training rows used as masked queries (default 0.25); the rest are donors. */
  queryFraction?: number;
  seed?: number;
}

/**
 * Chooses k for KNN imputation on training data only: a seeded subset of the training rows is masked
 * (MCAR) and imputed from the remaining training rows; the k with the lowest RMSE on the masked
 * entries wins (ties go to the smaller k).
 */
export function tuneKnnK(
  train: Matrix,
  options: KnnTuningOptions = {},
): { k: number; candidates: number[]; rmse: number[] } {
  const seed = options.seed ?? 0;
  const random = createRandom(seed);
  const nQuery = Math.max(1, Math.round((options.queryFraction ?? 0.25) * train.rows));
  if (nQuery >= train.rows) throw new RangeError('not enough training rows to tune k');
  const query = sampleWithoutReplacement(train.rows, nQuery, random).sort((a, b) => a - b);
  const isQuery = new Uint8Array(train.rows);
  for (const q of query) isQuery[q] = 1;
  const donors = Array.from({ length: train.rows }, (_, i) => i).filter((i) => isQuery[i] === 0);
  const maxK = donors.length;
  const candidates = (options.candidates ?? [1, 3, 5, 10, 15, 20, 30]).filter((k) => k <= maxK);
  if (candidates.length === 0) throw new RangeError('no candidate k fits the number of donors');
  const truth = selectRows(train, query);
  const mask = mcarMask(truth.rows, truth.cols, options.rate ?? 0.5, seed + 1);
  const imputed = knnImputeMany(selectRows(train, donors), applyMask(truth, mask), candidates);
  const errors = imputed.map((m) => maskedEntries(truth, m, mask).rmse);
  let best = 0;
  errors.forEach((e, i) => {
    if (e < errors[best]!) best = i;
  });
  return { k: candidates[best]!, candidates, rmse: errors };
}

function maskedEntries(truth: Matrix, imputed: Matrix, mask: Uint8Array): { rmse: number } {
  const t: number[] = [];
  const v: number[] = [];
  for (let q = 0; q < mask.length; q++)
    if (mask[q] === 1) {
      t.push(truth.data[q]!);
      v.push(imputed.data[q]!);
    }
  return { rmse: rmse(t, v) };
}

/** Imputation quality on the masked entries. */
export interface ImputationMetrics {
  /** Number of masked entries scored. */
  n: number;
  /**
   * Pearson correlation of truth and imputation over all masked entries, both in per-gene standardised
   * space ((x - mean_g) / sd_g with the given standardiser, normally fitted on training data). A
   * constant prediction (e.g. the training gene mean) scores 0.
   */
  pearson: number;
  /** RMSE over the masked entries on the original scale. */
  rmse: number;
  /** RMSE over the masked entries in standardised space. */
  rmseStandardized: number;
}

/** Scores an imputation on the entries where `mask` is 1. */
export function imputationMetrics(
  truth: Matrix,
  imputed: Matrix,
  mask: Uint8Array,
  standardizer: Standardizer,
): ImputationMetrics {
  if (truth.data.length !== imputed.data.length || mask.length !== truth.data.length)
    throw new RangeError('truth, imputed and mask sizes differ');
  const p = truth.cols;
  const tRaw: number[] = [];
  const vRaw: number[] = [];
  const tStd: number[] = [];
  const vStd: number[] = [];
  for (let q = 0; q < mask.length; q++) {
    if (mask[q] !== 1) continue;
    const j = q % p;
    const t = truth.data[q]!;
    const v = imputed.data[q]!;
    tRaw.push(t);
    vRaw.push(v);
    tStd.push((t - standardizer.mean[j]!) / standardizer.sd[j]!);
    vStd.push((v - standardizer.mean[j]!) / standardizer.sd[j]!);
  }
  return {
    n: tRaw.length,
    pearson: pearson(tStd, vStd),
    rmse: rmse(tRaw, vRaw),
    rmseStandardized: rmse(tStd, vStd),
  };
}
