/**
 * The novelty head: is a sample unlike every cancer type the heads were fitted on? Its score is the mean
 * Euclidean distance to the k nearest reference samples over the genes the sample measures, in per-gene z
 * units standardised over the reference; the threshold is a quantile (default 97th) of the reference
 * samples' own leave-one-out scores, so about 3% of samples like the reference ones are flagged. `novelty`
 * is reported as score / threshold (> 1 = flagged).
 *
 * Chosen by measurement (model/EXPERIMENTS.md "Out-of-distribution flags", model/experiments/trust-ood.ts):
 * leaving each of the six shared TCGA types out in turn (3 seeds), 5 nearest neighbours on the measured
 * genes reached AUROC 0.995 from whole profiles and 0.992-0.995 from 64-gene panels, against 0.993 and
 * 0.972-0.991 for the same score on GexBERT embeddings (cosine distance and max-softmax were worse still);
 * the 97th percentile flagged 2.1-2.4% of held-out known-type samples (95th: ~5%).
 */
import { quantile as typeSevenQuantile } from '../stats/quantile.ts';
import { type HeadReference, referenceRow } from './reference.ts';

export interface NoveltyHead {
  kind: 'novelty';
  method: 'knn-measured-genes';
  /** Vocabulary positions the head reads (the genes measured). */
  genes: number[];
  /** Reference rows it compares with (samples with a cancer type). */
  rows: number[];
  k: number;
  /** Quantile of the reference's leave-one-out scores used as the threshold. */
  quantile: number;
  threshold: number;
  /** Per gene (of `genes`): mean and sd over the reference rows. */
  mean: number[];
  sd: number[];
}

export interface NoveltyOptions {
  k?: number;
  quantile?: number;
}

/** The reference rows' standardised values over the head's genes (missing = 0, the mean). */
function standardisedRows(
  head: Pick<NoveltyHead, 'genes' | 'rows' | 'mean' | 'sd'>,
  ref: HeadReference,
): Float64Array[] {
  return head.rows.map((i) => standardised(head, referenceRow(ref, i)));
}

/**
 * The reference rows a fitted head answers against, kept per head and reference: building them cost more
 * than the rest of a sample's answer (measured: 58 ms of 60 ms per sample on the shipped heads).
 */
const servedRows = new WeakMap<NoveltyHead, { ref: HeadReference; rows: Float64Array[] }>();

function referenceRows(head: NoveltyHead, ref: HeadReference): Float64Array[] {
  const known = servedRows.get(head);
  if (known?.ref === ref) return known.rows;
  const rows = standardisedRows(head, ref);
  servedRows.set(head, { ref, rows });
  return rows;
}

/** One sample's standardised values over the head's genes, from its z values over the vocabulary (V). */
function standardised(head: Pick<NoveltyHead, 'genes' | 'mean' | 'sd'>, z: ArrayLike<number>): Float64Array {
  return Float64Array.from(head.genes, (v, j) => {
    const x = (z[v]! - head.mean[j]!) / head.sd[j]!;
    return Number.isFinite(x) ? x : 0;
  });
}

/** Mean Euclidean distance to the k nearest rows (skipping row `skip`) and the nearest row's position. */
export function nearest(
  rows: Float64Array[],
  x: Float64Array,
  k: number,
  skip = -1,
): { score: number; closest: number } {
  const found: { d: number; i: number }[] = [];
  rows.forEach((r, i) => {
    if (i === skip) return;
    let s = 0;
    for (let j = 0; j < r.length; j++) s += (r[j]! - x[j]!) ** 2;
    found.push({ d: Math.sqrt(s), i });
  });
  found.sort((a, b) => a.d - b.d);
  const top = found.slice(0, k);
  return { score: top.reduce((a, b) => a + b.d, 0) / top.length, closest: top[0]!.i };
}

/** Fits the novelty head on reference rows (more than k) over the measured genes (vocabulary positions). */
export function fitNoveltyHead(
  ref: HeadReference,
  rows: readonly number[],
  genes: readonly number[],
  options: NoveltyOptions = {},
): NoveltyHead {
  const k = options.k ?? 5;
  const quantile = options.quantile ?? 0.97;
  if (rows.length <= k)
    throw new RangeError(`the novelty head needs more than ${k} reference samples, got ${rows.length}`);
  if (genes.length === 0) throw new RangeError('the novelty head needs at least one measured gene');
  const mean = genes.map((v) => {
    let s = 0;
    let n = 0;
    for (const i of rows) {
      const x = ref.z[i * ref.genes + v]!;
      if (Number.isFinite(x)) {
        s += x;
        n++;
      }
    }
    return n > 0 ? s / n : 0;
  });
  const sd = genes.map((v, j) => {
    let s = 0;
    let n = 0;
    for (const i of rows) {
      const x = ref.z[i * ref.genes + v]!;
      if (Number.isFinite(x)) {
        s += (x - mean[j]!) ** 2;
        n++;
      }
    }
    return Math.sqrt(s / Math.max(n - 1, 1)) || 1;
  });
  const partial = { genes: [...genes], rows: [...rows], mean, sd };
  const standard = standardisedRows(partial, ref);
  const own = standard.map((r, i) => nearest(standard, r, k, i).score);
  return {
    kind: 'novelty',
    method: 'knn-measured-genes',
    ...partial,
    k,
    quantile,
    threshold: typeSevenQuantile(own, quantile),
  };
}

/**
 * How unlike the reference one sample is, from its z values over the vocabulary (V; the head reads its
 * genes): novelty (score / threshold), the flag, and the cancer type of the nearest reference sample.
 */
export function noveltyOf(
  head: NoveltyHead,
  ref: HeadReference,
  z: ArrayLike<number>,
): { novelty: number; outOfDistribution: boolean; closestType: string | null } {
  if (z.length !== ref.genes)
    throw new RangeError(
      `novelty: ${z.length} values for a ${ref.genes}-gene vocabulary: give z over the vocabulary`,
    );
  const { score, closest } = nearest(referenceRows(head, ref), standardised(head, z), head.k);
  const novelty = score / head.threshold;
  return {
    novelty,
    outOfDistribution: novelty > 1,
    closestType: ref.cancerTypes[head.rows[closest]!] ?? null,
  };
}
