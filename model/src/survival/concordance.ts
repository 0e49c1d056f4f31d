import type { GroupLabel, SurvivalData } from './types.ts';
import {
  checkFinite,
  checkLength,
  checkSurvivalData,
  codeLabels,
  isMissingLabel,
  sortedLevels,
} from './validate.ts';

/** Options for {@link concordance}. */
export interface ConcordanceOptions {
  /**
   * false (default, as R): a larger x predicts LONGER survival. true (R's `reverse = TRUE`): x is a
   * risk score, a larger x predicts an earlier event (this is what coxph reports for its linear predictor).
   */
  reverse?: boolean;
  /** Optional strata: pairs are only formed within a stratum, and the counts are summed. */
  strata?: ArrayLike<GroupLabel | null | undefined>;
}

/** Pair counts and Harrell's C, named as in R's `concordance()$count`. */
export interface ConcordanceResult {
  concordant: number;
  discordant: number;
  /** Comparable pairs tied on x (but not on time). */
  tiedX: number;
  /** Pairs of events at the same time, not tied on x. */
  tiedY: number;
  /** Pairs of events at the same time and tied on x. */
  tiedXY: number;
  /** (concordant + tiedX / 2) / (concordant + discordant + tiedX); NaN when no pair is comparable. */
  concordance: number;
}

/** Fenwick tree of counts over the ranks 0..size-1. */
class RankCounter {
  private readonly tree: Float64Array;
  private readonly single: Float64Array;
  total = 0;

  constructor(size: number) {
    this.tree = new Float64Array(size + 1);
    this.single = new Float64Array(size);
  }

  add(rank: number): void {
    this.single[rank]! += 1;
    this.total += 1;
    for (let i = rank + 1; i < this.tree.length; i += i & -i) this.tree[i]! += 1;
  }

  /** Number of entries with rank strictly below `rank`. */
  below(rank: number): number {
    let sum = 0;
    for (let i = rank; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }

  equal(rank: number): number {
    return this.single[rank]!;
  }
}

/** Counts for the subjects `rows` of one stratum (same algorithm as R's concordance3). */
function countStratum(data: SurvivalData, x: ArrayLike<number>, rows: number[], counts: Float64Array): void {
  if (!rows.some((i) => data.event[i] === 1)) return;
  const values = [...new Set(rows.map((i) => x[i]!))].sort((a, b) => a - b);
  const rankOf = new Map<number, number>();
  values.forEach((v, r) => {
    rankOf.set(v, r);
  });
  // Reverse time order; at a tied time censored subjects come first (they are at risk at the
  // event time), then deaths sorted by x so that x-ties among tied deaths are adjacent.
  const sorted = [...rows].sort(
    (a, b) => data.time[b]! - data.time[a]! || data.event[a]! - data.event[b]! || x[a]! - x[b]!,
  );
  const tree = new RankCounter(values.length);
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i]!;
    if (data.event[first] === 0) {
      tree.add(rankOf.get(x[first]!)!);
      i++;
      continue;
    }
    const t = data.time[first]!;
    let j = i;
    let deathsSoFar = 0;
    let sameXSoFar = 0;
    let previousX = Number.NaN;
    for (; j < sorted.length && data.time[sorted[j]!] === t; j++) {
      const subject = sorted[j]!;
      const xs = x[subject]!;
      counts[3]! += deathsSoFar; // tied on time (tied.xy removed below)
      deathsSoFar++;
      if (xs !== previousX) {
        sameXSoFar = 0;
        previousX = xs;
      }
      counts[4]! += sameXSoFar;
      sameXSoFar++;
      const rank = rankOf.get(xs)!;
      const below = tree.below(rank);
      const equal = tree.equal(rank);
      // Every subject in the tree outlived this death. Larger x with longer survival is concordant.
      counts[0]! += tree.total - below - equal;
      counts[1]! += below;
      counts[2]! += equal;
    }
    for (let k = i; k < j; k++) tree.add(rankOf.get(x[sorted[k]!]!)!);
    i = j;
  }
}

/**
 * Harrell's concordance between a predictor and right-censored survival, with R's pair counting
 * (survival 3.5 `concordance()`, timewt = "n", no weights).
 *
 * A pair is comparable when the earlier time is an event and the other subject was still at risk:
 * its time is later, or it is censored at that same time. Two events at the same time are not
 * comparable and count as tied.y (tied.xy if x is tied too); a comparable pair with equal x counts as
 * tied.x. C = (concordant + tied.x / 2) / (concordant + discordant + tied.x). Times are tied only when
 * exactly equal (R's timefix merging of near-equal times is not done). O(n log n) (Fenwick tree).
 */
export function concordance(
  data: SurvivalData,
  x: ArrayLike<number>,
  options: ConcordanceOptions = {},
): ConcordanceResult {
  const n = checkSurvivalData(data);
  checkLength('x', x, n);
  checkFinite('x', x);
  const counts = new Float64Array(5);
  if (options.strata) {
    const strata = options.strata;
    checkLength('strata', strata, n);
    const levels = sortedLevels(strata);
    const codes = codeLabels(strata, levels);
    const rows: number[][] = levels.map(() => []);
    for (let i = 0; i < n; i++) {
      if (isMissingLabel(strata[i])) throw new RangeError(`strata[${i}] is missing`);
      rows[codes[i]!]!.push(i);
    }
    for (const stratumRows of rows) countStratum(data, x, stratumRows, counts);
  } else {
    countStratum(
      data,
      x,
      Array.from({ length: n }, (_, i) => i),
      counts,
    );
  }
  const [larger, smaller, tiedX, tiedOnTime, tiedXY] = counts as unknown as [
    number,
    number,
    number,
    number,
    number,
  ];
  const concordant = options.reverse ? smaller : larger;
  const discordant = options.reverse ? larger : smaller;
  const tiedY = tiedOnTime - tiedXY;
  const denominator = concordant + discordant + tiedX;
  return {
    concordant,
    discordant,
    tiedX,
    tiedY,
    tiedXY,
    concordance: denominator > 0 ? (concordant + tiedX / 2) / denominator : Number.NaN,
  };
}
