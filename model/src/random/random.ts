/**
 * Seeded uniform draws as a plain `Random` function, and the samplers built on one (integers, normals,
 * shuffles, draws without replacement, written once in normal.ts and distributions.ts): what the evaluation toolkit,
 * the heads and the experiments use.
 * The numbers come from the library's one generator, xoshiro128** (rng.ts), so every draw is reproducible.
 */
import { fisherYates, partialFisherYates } from './distributions.ts';
import { standardNormal } from './normal.ts';
import { Rng } from './rng.ts';

/** A seeded generator of uniform numbers in [0, 1). */
export type Random = () => number;

/** Uniform numbers in [0, 1) from the library's generator (xoshiro128**) seeded with `seed`. */
export function createRandom(seed: number): Random {
  const rng = new Rng(Math.floor(seed), 'random');
  return () => rng.next();
}

/** Uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/**
 * Standard normal draw: the library's one sampler (normal.ts), fed 32-bit integers read back from `random`'s
 * uniforms (exactly the generator's own draws for createRandom's, which are multiples of 2^-32).
 */
export function randomNormal(random: Random): number {
  return standardNormal({ nextUint32: () => Math.floor(random() * 4294967296) >>> 0 });
}

/** Fisher-Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  return fisherYates(items, (n) => randomInt(random, n));
}

/** `k` distinct integers drawn from [0, n) without replacement, in draw order. */
export function sampleWithoutReplacement(n: number, k: number, random: Random): number[] {
  if (!(k >= 0 && k <= n)) throw new RangeError(`cannot draw ${k} of ${n} without replacement`);
  const pool = Array.from({ length: n }, (_, i) => i);
  partialFisherYates(pool, k, (m) => randomInt(random, m));
  return pool.slice(0, k);
}
