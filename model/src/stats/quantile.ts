/** Quantile with linear interpolation (R type 7) of unsorted values. */
export function quantile(values: ArrayLike<number>, prob: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  return quantileOfSorted(sorted, prob);
}

/** The `prob` quantile (R type 7, linear interpolation) of non-empty values sorted ascending. */
export function quantileOfSorted(sorted: ArrayLike<number>, prob: number): number {
  const h = (sorted.length - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
