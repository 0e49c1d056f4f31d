/**
 * The shuffles every generator of the library shares, written once over the generator's own integer draws:
 * the Fisher-Yates shuffle and its partial form (draws without replacement). The library's `Rng` (rng.ts),
 * the `Random` functions (random.ts) and the simulator's generator (simulate/random.ts) each pass their
 * uniform integer draw, so each keeps its sequence. The one normal sampler is normal.ts; the simulator's
 * count samplers (gamma, Poisson, negative binomial, exponential, Weibull) are used by it alone and live there.
 */

/** A uniform integer in [0, n). */
export type IntDraw = (n: number) => number;

/** Fisher-Yates: shuffles `items` in place, each swap partner drawn with `int`; returns `items`. */
export function fisherYates<T, A extends T[] | Int32Array>(items: A, int: IntDraw): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

/**
 * Partial Fisher-Yates: moves min(k, n) uniformly drawn elements of `pool` to its front, in draw order,
 * permuting `pool` in place; returns min(k, n).
 */
export function partialFisherYates(pool: number[] | Int32Array, k: number, int: IntDraw): number {
  const n = pool.length;
  const m = Math.min(k, n);
  for (let i = 0; i < m; i++) {
    const j = i + int(n - i);
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return m;
}
