// A group's distribution for box and violin plots: quartiles (type 7, as R's quantile), Tukey whiskers
// (the furthest values within 1.5 IQR of the box), outliers, and a Gaussian kernel density over the data's
// range with R's default bandwidth (bw.nrd0). Quantiles, mean and sd are the library's (@gexbert/model/maths).
import { meanAndSd, quantileOfSorted } from '@gexbert/model/maths';

export interface BoxStats {
  n: number;
  q1: number;
  median: number;
  q3: number;
  lowerWhisker: number;
  upperWhisker: number;
  outliers: number[];
}

/** Box statistics of a non-empty list of values. */
export function boxStats(values: readonly number[]): BoxStats {
  const sorted = [...values].sort((a, b) => a - b);
  const [q1, median, q3] = [0.25, 0.5, 0.75].map((p) => quantileOfSorted(sorted, p)) as [
    number,
    number,
    number,
  ];
  const reach = 1.5 * (q3 - q1);
  const inside = sorted.filter((v) => v >= q1 - reach && v <= q3 + reach);
  return {
    n: sorted.length,
    q1,
    median,
    q3,
    lowerWhisker: inside[0] ?? q1,
    upperWhisker: inside.at(-1) ?? q3,
    outliers: sorted.filter((v) => v < q1 - reach || v > q3 + reach),
  };
}

/** R's bw.nrd0: 0.9 min(sd, IQR / 1.34) n^(-1/5), falling back as R does when both are 0. */
export function bandwidth(values: readonly number[]): number {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const { sd } = meanAndSd(values);
  const iqr = (quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25)) / 1.34;
  let lo = Math.min(sd, iqr);
  if (!(lo > 0)) lo = sd || Math.abs(sorted[0]!) || 1;
  return 0.9 * lo * n ** -0.2;
}

/** Gaussian kernel density at `points` evenly spaced points over [min, max] of the values. */
export function density(values: readonly number[], points = 64): { x: number; y: number }[] {
  const bw = bandwidth(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const norm = 1 / (values.length * bw * Math.sqrt(2 * Math.PI));
  return Array.from({ length: points }, (_, i) => {
    const x = points === 1 || max === min ? min : min + ((max - min) * i) / (points - 1);
    let sum = 0;
    for (const v of values) sum += Math.exp(-0.5 * ((x - v) / bw) ** 2);
    return { x, y: sum * norm };
  });
}
