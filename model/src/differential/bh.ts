/**
 * Benjamini-Hochberg adjusted p-values, R's `p.adjust(p, method = "BH")`. NaN (R's NA) stays NaN and
 * does not count towards the number of tests.
 */
export function adjustBH(p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.length).fill(Number.NaN);
  let n = 0;
  const order = new Uint32Array(p.length);
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i]!)) order[n++] = i;
  const tested = order.subarray(0, n).sort((a, b) => p[b]! - p[a]!);
  let running = 1;
  for (let k = 0; k < n; k++) {
    const i = tested[k]!;
    // Rank n - k in increasing order: n / rank * p, cumulative minimum from the largest p down.
    running = Math.min(running, (n / (n - k)) * p[i]!);
    out[i] = running;
  }
  return out;
}
