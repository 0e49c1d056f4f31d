// Small statistics helpers for the simulator tests (deliberately independent of the library under test).

export interface Moments {
  n: number;
  mean: number;
  /** Unbiased sample variance. */
  variance: number;
  /** Fourth central moment. */
  m4: number;
}

export function moments(xs: ArrayLike<number>): Moments {
  const n = xs.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i]!;
  mean /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  return { n, mean, variance: m2 / (n - 1), m4: m4 / n };
}

/** |sample mean - mean| in standard errors, given the true variance. */
export function meanZ(m: Moments, mean: number, variance: number): number {
  return Math.abs(m.mean - mean) / Math.sqrt(variance / m.n);
}

/** |sample variance - variance| in (estimated) standard errors: se = sqrt((m4 - s^4) / n). */
export function varianceZ(m: Moments, variance: number): number {
  return Math.abs(m.variance - variance) / Math.sqrt((m.m4 - m.variance * m.variance) / m.n);
}

export function median(xs: ArrayLike<number>): number {
  const s = Array.from(xs).sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

export function sd(xs: ArrayLike<number>): number {
  return Math.sqrt(moments(xs).variance);
}

/** log2(CPM + 1) of a gene-major [G * N] count matrix, same layout. */
export function logCpm(counts: Uint32Array, genes: number, samples: number): Float64Array {
  const totals = new Float64Array(samples);
  for (let g = 0; g < genes; g++) {
    for (let i = 0; i < samples; i++) totals[i] = totals[i]! + counts[g * samples + i]!;
  }
  const out = new Float64Array(genes * samples);
  for (let g = 0; g < genes; g++) {
    for (let i = 0; i < samples; i++) {
      out[g * samples + i] = Math.log2((counts[g * samples + i]! * 1e6) / totals[i]! + 1);
    }
  }
  return out;
}

/**
 * Harrell's C: over comparable pairs (the shorter time is an event; pairs with equal times are skipped), the
 * fraction where the shorter time has the higher risk; risk ties count 1/2. O(n^2), for tests only.
 */
export function concordance(
  risk: ArrayLike<number>,
  time: ArrayLike<number>,
  event: ArrayLike<number>,
): number {
  let concordant = 0;
  let comparable = 0;
  const n = risk.length;
  for (let i = 0; i < n; i++) {
    if (event[i] !== 1) continue;
    for (let j = 0; j < n; j++) {
      if (time[j]! <= time[i]!) continue;
      comparable++;
      if (risk[i]! > risk[j]!) concordant++;
      else if (risk[i] === risk[j]) concordant += 0.5;
    }
  }
  return concordant / comparable;
}

/** Standard normal CDF via Abramowitz-Stegun 7.1.26 for erfc (absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-z * z);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Pearson chi-square of observed integer draws against a pmf, pooling values into cells with expected
 * count >= 20 (tails pooled into the end cells). Returns the statistic and degrees of freedom.
 */
export function chiSquare(
  draws: ArrayLike<number>,
  pmf: (k: number) => number,
  maxK: number,
): { stat: number; df: number } {
  const n = draws.length;
  const observed = new Float64Array(maxK + 2);
  for (let i = 0; i < n; i++) observed[Math.min(draws[i]!, maxK + 1)]!++;
  const expected = new Float64Array(maxK + 2);
  let cum = 0;
  for (let k = 0; k <= maxK; k++) {
    expected[k] = n * pmf(k);
    cum += pmf(k);
  }
  expected[maxK + 1] = n * Math.max(0, 1 - cum);
  // Pool consecutive values until each cell expects >= 20.
  const cells: { o: number; e: number }[] = [];
  let o = 0;
  let e = 0;
  for (let k = 0; k <= maxK + 1; k++) {
    o += observed[k]!;
    e += expected[k]!;
    if (e >= 20) {
      cells.push({ o, e });
      o = 0;
      e = 0;
    }
  }
  if (cells.length > 0) {
    const last = cells[cells.length - 1]!;
    last.o += o;
    last.e += e;
  }
  let stat = 0;
  for (const c of cells) stat += ((c.o - c.e) * (c.o - c.e)) / c.e;
  return { stat, df: cells.length - 1 };
}

/** A chi-square statistic is acceptable below df + 5 * sqrt(2 df) (about a 5-sigma bound). */
export function chiSquareOk(r: { stat: number; df: number }): boolean {
  return r.stat < r.df + 5 * Math.sqrt(2 * r.df);
}
