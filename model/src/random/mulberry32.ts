/**
 * mulberry32 (Tommy Ettinger): the seeded uniform generator of the evaluation toolkit, the heads' calibration
 * and sampling, and the experiments, as a `Random` function with its samplers; every draw there is
 * reproducible. Training and the simulator draw from xoshiro128** (xoshiro128.ts) instead; each keeps its
 * own sequences.
 */

/** A seeded generator of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a small 32-bit generator, good enough for shuffles, masks and initialisation. */
export function createRandom(seed: number): Random {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** Standard normal draw (Box-Muller). */
export function randomNormal(random: Random): number {
  let u = random();
  while (u <= Number.EPSILON) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Fisher-Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** `k` distinct integers drawn from [0, n) without replacement, in draw order. */
export function sampleWithoutReplacement(n: number, k: number, random: Random): number[] {
  if (!(k >= 0 && k <= n)) throw new RangeError(`cannot draw ${k} of ${n} without replacement`);
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(random, n - i);
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return pool.slice(0, k);
}
