/**
 * Average ("midrank") ranks through one native sort: rank(v) among sorted values is the mean of the
 * 1-based positions its ties occupy, as R's `rank(ties.method = "average")`.
 */

/** First index in sorted[0, n) whose value is >= v. */
function lowerBound(sorted: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in sorted[0, n) whose value is > v. */
function upperBound(sorted: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Average rank (1-based) of v among the n sorted values (v must be one of them). */
export function midRank(sorted: Float64Array, n: number, v: number): number {
  return (lowerBound(sorted, n, v) + upperBound(sorted, n, v) + 1) / 2;
}

/** Sum over groups of tied values of t^3 - t (t the group size), for the Wilcoxon variance. */
export function tieSum(sorted: Float64Array, n: number): number {
  let sum = 0;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || sorted[i] !== sorted[start]) {
      const t = i - start;
      sum += t * t * t - t;
      start = i;
    }
  }
  return sum;
}
