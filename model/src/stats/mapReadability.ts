/**
 * How well a 2-D map of high-dimensional points reads, two scores in [0, 1] (higher reads better):
 * - type agreement: the mean over labelled points of the fraction of its k nearest labelled neighbours on the
 *   map that share its label (cancer type): do the types form their own regions?
 * - trustworthiness (Venna & Kaski 2001; sklearn.manifold.trustworthiness): 1 - 2 / (n k (2n - 3k - 1)) *
 *   sum over points i of sum over its k map neighbours j that are not among its k nearest in the original
 *   space of (rank of j among i's original-space neighbours - k): are neighbours on the map neighbours in
 *   the data? Exact ranks cost n^2 distances, so above `queries` points it is averaged over a seeded sample of
 *   that many query points (each ranked against all points), normalised as for those queries.
 * Distances are Euclidean; ties in a ranking are broken by row order.
 */
import { createRandom, sampleWithoutReplacement } from '../random/random.ts';
import type { Matrix } from './matrix.ts';

export interface MapReadability {
  /** Neighbours compared per point. */
  k: number;
  /** Mean fraction of a labelled point's k nearest labelled map neighbours with its label; null below 2 labels. */
  typeAgreement: number | null;
  trustworthiness: number | null;
  /** Points trustworthiness was averaged over (all points, or the seeded sample). */
  trustworthinessQueries: number;
}

export const READABILITY_DEFAULTS = { k: 10, queries: 2000, seed: 1 } as const;

/** Squared Euclidean distances from row `i` of `m` to every row. */
function distancesFrom(m: Matrix, i: number, out: Float64Array): Float64Array {
  const { cols, data } = m;
  const base = i * cols;
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const d = data[base + c]! - data[o + c]!;
      s += d * d;
    }
    out[r] = s;
  }
  return out;
}

/** The `k` rows among `candidates` (excluding `i`) nearest to row `i` by `distance`, nearest first. */
function nearest(distance: Float64Array, i: number, candidates: ArrayLike<number>, k: number): number[] {
  const best: number[] = []; // sorted by (distance, row)
  const before = (a: number, b: number) =>
    distance[a]! < distance[b]! || (distance[a] === distance[b] && a < b);
  for (let c = 0; c < candidates.length; c++) {
    const r = candidates[c]!;
    if (r === i) continue;
    if (best.length === k && !before(r, best[k - 1]!)) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && before(r, best[at - 1]!)) at--;
    best.splice(at, 0, r);
    if (best.length > k) best.pop();
  }
  return best;
}

/** Type agreement of the map `low` ([n, 2]) for labels (null: unlabelled, not counted). */
export function typeAgreement(low: Matrix, labels: readonly (string | null)[], k: number): number | null {
  const labelled = labels.flatMap((l, i) => (l === null ? [] : [i]));
  if (new Set(labelled.map((i) => labels[i])).size < 2 || labelled.length <= k) return null;
  const distance = new Float64Array(low.rows);
  let sum = 0;
  for (const i of labelled) {
    const near = nearest(distancesFrom(low, i, distance), i, labelled, k);
    sum += near.filter((j) => labels[j] === labels[i]).length / k;
  }
  return sum / labelled.length;
}

/** Trustworthiness of the map `low` ([n, 2]) of `high` ([n, width]) over the query rows. */
export function trustworthiness(
  high: Matrix,
  low: Matrix,
  k: number,
  queries: readonly number[],
): number | null {
  const n = high.rows;
  if (n < 2 * k + 2 || queries.length === 0) return null;
  const all = Array.from({ length: n }, (_, i) => i);
  const dHigh = new Float64Array(n);
  const dLow = new Float64Array(n);
  let penalty = 0;
  for (const i of queries) {
    distancesFrom(high, i, dHigh);
    const mapNeighbours = nearest(distancesFrom(low, i, dLow), i, all, k);
    const highNeighbours = new Set(nearest(dHigh, i, all, k));
    for (const j of mapNeighbours) {
      if (highNeighbours.has(j)) continue;
      // rank of j among i's original-space neighbours (1 = nearest), ties by row order
      let rank = 1;
      for (let r = 0; r < n; r++)
        if (r !== i && r !== j && (dHigh[r]! < dHigh[j]! || (dHigh[r] === dHigh[j] && r < j))) rank++;
      penalty += rank - k;
    }
  }
  return 1 - (2 / (queries.length * k * (2 * n - 3 * k - 1))) * penalty;
}

/** Both scores of the map `low` of `high` (rows in the same order), labels by row. */
export function mapReadability(
  high: Matrix,
  low: Matrix,
  labels: readonly (string | null)[],
  options: { k?: number; queries?: number; seed?: number } = {},
): MapReadability {
  const k = options.k ?? READABILITY_DEFAULTS.k;
  const limit = options.queries ?? READABILITY_DEFAULTS.queries;
  const queries =
    high.rows > limit
      ? sampleWithoutReplacement(high.rows, limit, createRandom(options.seed ?? READABILITY_DEFAULTS.seed))
      : Array.from({ length: high.rows }, (_, i) => i);
  return {
    k,
    typeAgreement: typeAgreement(low, labels, k),
    trustworthiness: trustworthiness(high, low, k, queries),
    trustworthinessQueries: queries.length,
  };
}
