/**
 * R's `lowess` (Cleveland's LOWESS as in R's C function clowess) and `approxfun(rule = 2)` linear
 * interpolation of its curve: what voom uses for the mean-variance trend.
 */

const cube = (u: number) => u * u * u;

/** Local weighted linear fit at xs over points nleft..nright (0-based); clowess's `lowest`. */
function lowest(
  x: Float64Array,
  y: Float64Array,
  xs: number,
  nleft: number,
  nright: number,
  w: Float64Array,
  robustness: Float64Array | null,
): number | null {
  const n = x.length;
  const range = x[n - 1]! - x[0]!;
  const h = Math.max(xs - x[nleft]!, x[nright]! - xs);
  const h9 = 0.999 * h;
  const h1 = 0.001 * h;
  let a = 0;
  let j = nleft;
  while (j < n) {
    w[j] = 0;
    const r = Math.abs(x[j]! - xs);
    if (r <= h9) {
      w[j] = r <= h1 ? 1 : cube(1 - cube(r / h));
      if (robustness) w[j]! *= robustness[j]!;
      a += w[j]!;
    } else if (x[j]! > xs) break;
    j++;
  }
  // Rightmost point used (beyond nright when tied).
  const nrt = j - 1;
  if (a <= 0) return null;
  for (j = nleft; j <= nrt; j++) w[j]! /= a;
  if (h > 0) {
    a = 0;
    for (j = nleft; j <= nrt; j++) a += w[j]! * x[j]!;
    let b = xs - a;
    let c = 0;
    for (j = nleft; j <= nrt; j++) c += w[j]! * (x[j]! - a) * (x[j]! - a);
    if (Math.sqrt(c) > 0.001 * range) {
      b /= c;
      for (j = nleft; j <= nrt; j++) w[j]! *= b * (x[j]! - a) + 1;
    }
  }
  let ys = 0;
  for (j = nleft; j <= nrt; j++) ys += w[j]! * y[j]!;
  return ys;
}

/** clowess on x sorted increasingly: the smoothed y at every x. */
function clowess(x: Float64Array, y: Float64Array, f: number, nsteps: number, delta: number): Float64Array {
  const n = x.length;
  const ys = new Float64Array(n);
  if (n < 2) {
    ys[0] = y[0]!;
    return ys;
  }
  const ns = Math.max(2, Math.min(n, Math.trunc(f * n + 1e-7)));
  const res = new Float64Array(n);
  const rw = new Float64Array(n);
  const sortedAbs = new Float64Array(n);
  for (let iter = 1; iter <= nsteps + 1; iter++) {
    let nleft = 0;
    let nright = ns - 1;
    let last = -1;
    let i = 0;
    for (;;) {
      if (nright < n - 1) {
        // Move the window right while that does not widen it.
        const d1 = x[i]! - x[nleft]!;
        const d2 = x[nright + 1]! - x[i]!;
        if (d1 > d2) {
          nleft++;
          nright++;
          continue;
        }
      }
      const fitted = lowest(x, y, x[i]!, nleft, nright, res, iter > 1 ? rw : null);
      ys[i] = fitted ?? y[i]!;
      if (last < i - 1) {
        // Skipped points: linear interpolation.
        const denom = x[i]! - x[last]!;
        for (let j = last + 1; j < i; j++) {
          const alpha = (x[j]! - x[last]!) / denom;
          ys[j] = alpha * ys[i]! + (1 - alpha) * ys[last]!;
        }
      }
      last = i;
      const cut = x[last]! + delta;
      for (i = last + 1; i < n; i++) {
        if (x[i]! > cut) break;
        if (x[i] === x[last]) {
          ys[i] = ys[last]!;
          last = i;
        }
      }
      i = Math.max(last + 1, i - 1);
      if (last >= n - 1) break;
    }
    for (let k = 0; k < n; k++) res[k] = y[k]! - ys[k]!;
    if (iter > nsteps) break;
    let sc = 0;
    for (let k = 0; k < n; k++) sc += Math.abs(res[k]!);
    sc /= n;
    for (let k = 0; k < n; k++) sortedAbs[k] = Math.abs(res[k]!);
    sortedAbs.sort();
    const m1 = n >> 1;
    const cmad = n % 2 === 0 ? 3 * (sortedAbs[m1]! + sortedAbs[n - m1 - 1]!) : 6 * sortedAbs[m1]!;
    if (cmad < 1e-7 * sc) break;
    const c9 = 0.999 * cmad;
    const c1 = 0.001 * cmad;
    for (let k = 0; k < n; k++) {
      const r = Math.abs(res[k]!);
      rw[k] = r <= c1 ? 1 : r <= c9 ? (1 - (r / cmad) ** 2) ** 2 : 0;
    }
  }
  return ys;
}

export interface LowessOptions {
  /** Smoother span (default 2/3). */
  f?: number;
  /** Robustness iterations (default 3). */
  iter?: number;
  /** Points closer than delta are interpolated (default 0.01 * range(x)). */
  delta?: number;
}

/** R's `lowess(x, y, f, iter, delta)`: x sorted (stably) with y, and the smoothed values. */
export function lowess(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: LowessOptions = {},
): { x: Float64Array; y: Float64Array } {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || a - b);
  const xs = Float64Array.from(order, (i) => x[i]!);
  const ys = Float64Array.from(order, (i) => y[i]!);
  const delta = options.delta ?? 0.01 * (xs[n - 1]! - xs[0]!);
  return { x: xs, y: clowess(xs, ys, options.f ?? 2 / 3, options.iter ?? 3, delta) };
}

/**
 * `approxfun(x, y, rule = 2, ties = mean)` for x sorted increasingly: linear interpolation, constant
 * beyond the ends, tied x collapsed to the mean of their y. The knot interval is found through an
 * index of equal-width buckets, so an evaluation takes constant time on average.
 */
export function linearInterpolator(x: Float64Array, y: Float64Array): (v: number) => number {
  const ux: number[] = [];
  const uy: number[] = [];
  for (let i = 0; i < x.length; ) {
    let j = i;
    let sum = 0;
    while (j < x.length && x[j] === x[i]) sum += y[j++]!;
    ux.push(x[i]!);
    uy.push(sum / (j - i));
    i = j;
  }
  const n = ux.length;
  const kx = Float64Array.from(ux);
  const ky = Float64Array.from(uy);
  const first = kx[0]!;
  const last = kx[n - 1]!;
  // bucketStart[b]: index of the last knot <= the start of bucket b.
  const nBuckets = Math.max(1, 2 * n);
  const width = (last - first) / nBuckets;
  const bucketStart = new Int32Array(nBuckets + 1);
  for (let b = 0, i = 0; b <= nBuckets; b++) {
    const start = first + b * width;
    while (i < n - 1 && kx[i + 1]! <= start) i++;
    bucketStart[b] = i;
  }
  return (v: number) => {
    if (Number.isNaN(v)) return Number.NaN;
    if (v <= first) return ky[0]!;
    if (v >= last) return ky[n - 1]!;
    let i = bucketStart[Math.min(nBuckets, Math.floor((v - first) / width))]!;
    // Rounding of the bucket may put its start a hair beyond v: step back, then forward to the interval.
    while (i > 0 && kx[i]! > v) i--;
    while (kx[i + 1]! <= v) i++;
    if (v === kx[i]) return ky[i]!;
    return ky[i]! + (ky[i + 1]! - ky[i]!) * ((v - kx[i]!) / (kx[i + 1]! - kx[i]!));
  };
}
