/**
 * Order statistics in linear time: quickselect, R's type-7 quantile by selection, and the range of
 * values whose average ranks (R's `rank(ties.method = "average")`) fall in a window — TMM's
 * trimming — without sorting.
 */

/**
 * The k-th smallest (0-based) of a[0, n), in expected linear time (Hoare quickselect, median of
 * three). Reorders a so that a[i] <= a[k] for i < k and a[i] >= a[k] for i > k; no NaN allowed.
 */
export function selectKth(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as pivot, moved to a[mid].
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Type-7 quantile (R's default) of a[0, n) by selection; reorders a. */
export function selectQuantile(a: Float64Array, n: number, prob: number): number {
  if (n === 0) return Number.NaN;
  const h = (n - 1) * prob;
  const lo = Math.floor(h);
  const low = selectKth(a, n, lo);
  if (lo + 1 >= n || h === lo) return low;
  let next = Number.POSITIVE_INFINITY;
  for (let i = lo + 1; i < n; i++) if (a[i]! < next) next = a[i]!;
  return low + (h - lo) * (next - low);
}

/**
 * The smallest and largest of values[0, n) whose average rank r satisfies loRank <= r <= hiRank
 * (1-based), so that `value >= min && value <= max` selects exactly those values. `scratch` (length
 * >= n) is overwritten. An empty window gives min > max.
 */
export function midRankWindow(
  values: Float64Array,
  n: number,
  loRank: number,
  hiRank: number,
  scratch: Float64Array,
): { min: number; max: number } {
  const empty = { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
  if (n === 0 || loRank > hiRank || loRank > n || hiRank < 1) return empty;
  scratch.set(values.subarray(0, n));
  // Ties of u occupy 0-based positions [below, below + equal): average rank below + (equal + 1) / 2.
  const rankOf = (u: number) => {
    let below = 0;
    let equal = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v < u) below++;
      else if (v === u) equal++;
    }
    return below + (equal + 1) / 2;
  };
  // Values below the one at position loRank - 1 rank below loRank, values above it rank above it:
  // only its own tie group is in doubt (likewise at hiRank - 1).
  const lowPosition = Math.max(0, Math.ceil(loRank) - 1);
  const u = selectKth(scratch, n, lowPosition);
  let min = u;
  if (rankOf(u) < loRank) {
    min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) if (values[i]! > u && values[i]! < min) min = values[i]!;
  }
  const highPosition = Math.min(n - 1, Math.floor(hiRank) - 1);
  const w = selectKth(scratch, n, highPosition);
  let max = w;
  if (rankOf(w) > hiRank) {
    max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) if (values[i]! < w && values[i]! > max) max = values[i]!;
  }
  return { min, max };
}
