import { describe, expect, it } from 'vitest';
import { linearInterpolator, rankSumSorted } from '../../src/differential/index.ts';
import { midRankWindow, selectKth, selectQuantile } from '../../src/differential/ranks.ts';
import { quantile } from '../../src/stats/index.ts';

// Deterministic pseudo-random values with many ties.
function tiedValues(n: number, levels: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return Math.floor((s / 4294967296) * levels) / 7;
  });
}

/** Average ranks by sorting indices (R's rank, ties.method = "average"). */
function naiveRanks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && values[order[j]!] === values[order[i]!]) j++;
    for (let k = i; k < j; k++) ranks[order[k]!] = (i + 1 + j) / 2;
    i = j;
  }
  return ranks;
}

describe('ranks and order statistics', () => {
  it.each([
    [50, 5],
    [101, 40],
    [400, 1000],
    [7, 1],
  ])('n = %d, %d levels', (n, levels) => {
    const values = tiedValues(n, levels, n + levels);
    const ranks = naiveRanks(values);
    const sorted = values.slice().sort();
    for (const prob of [0, 0.25, 0.5, 0.75, 0.9, 1]) {
      expect(selectQuantile(values.slice(), n, prob)).toBe(quantile(values, prob));
    }
    for (let k = 0; k < n; k += Math.max(1, n >> 3)) expect(selectKth(values.slice(), n, k)).toBe(sorted[k]);
    // TMM's windows: floor(n * trim) + 1 .. n + 1 - that.
    for (const trim of [0, 0.05, 0.3, 0.49]) {
      const lo = Math.floor(n * trim) + 1;
      const hi = n + 1 - lo;
      const { min, max } = midRankWindow(values, n, lo, hi, new Float64Array(n));
      values.forEach((v, i) => {
        expect(v >= min && v <= max, `trim ${trim}, value ${v} rank ${ranks[i]}`).toBe(
          ranks[i]! >= lo && ranks[i]! <= hi,
        );
      });
    }
    let ties = 0;
    for (const r of new Set(ranks)) {
      const t = ranks.filter((x) => x === r).length;
      ties += t ** 3 - t;
    }
    // Wilcoxon's W for the values at even positions against the rest, and the tie sum.
    const x = values.filter((_, i) => i % 2 === 0);
    const y = values.filter((_, i) => i % 2 === 1);
    const rankSum = ranks.reduce((s, r, i) => (i % 2 === 0 ? s + r : s), 0);
    expect(rankSumSorted(x.sort(), y.sort())).toEqual({ W: rankSum - (x.length * (x.length + 1)) / 2, ties });
  });
});

describe('linear interpolation as approx(rule = 2)', () => {
  it('agrees with a linear search, at knots and between them', () => {
    const x = tiedValues(300, 120, 3).sort();
    const y = tiedValues(300, 1000, 4);
    const f = linearInterpolator(x, y);
    // Reference: ties averaged, then the interval found by scanning.
    const ux = [...new Set(x)];
    const uy = ux.map((v) => {
      const tied = Array.from(x.keys()).filter((i) => x[i] === v);
      return tied.reduce((s, i) => s + y[i]!, 0) / tied.length;
    });
    const naive = (v: number) => {
      if (v <= ux[0]!) return uy[0]!;
      if (v >= ux.at(-1)!) return uy.at(-1)!;
      const i = ux.findIndex((u, k) => u <= v && v < ux[k + 1]!);
      return v === ux[i] ? uy[i]! : uy[i]! + (uy[i + 1]! - uy[i]!) * ((v - ux[i]!) / (ux[i + 1]! - ux[i]!));
    };
    for (const v of [...ux, ...tiedValues(500, 100_000, 5).map((u) => u * 0.00133 - 1)]) {
      expect(f(v)).toBe(naive(v));
    }
  });
});
