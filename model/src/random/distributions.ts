/**
 * The samplers every generator of the library shares, written once over the generator's own draws: the
 * Fisher-Yates shuffle, its partial form (draws without replacement) and the Box-Muller normal pair. The
 * library's `Rng` (rng.ts), the `Random` functions (random.ts) and the simulator's generator
 * (simulate/random.ts) each pass their uniform integer or uniform number draw, so each keeps its sequence.
 * The simulator's count samplers (ziggurat normal, gamma, Poisson, negative binomial, exponential, Weibull)
 * are used by the simulator alone and live there.
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

/**
 * Box-Muller: two independent standard normals from two uniforms in [0, 1) drawn with `uniform` (the first
 * redrawn while it is 0, or below double precision, so its log is finite): [r cos(2 pi v), r sin(2 pi v)].
 */
export function boxMuller(uniform: () => number): [number, number] {
  let u = uniform();
  while (u <= Number.EPSILON) u = uniform();
  const v = uniform();
  const r = Math.sqrt(-2 * Math.log(u));
  return [r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v)];
}
