/**
 * Seeded pseudo-random numbers: xoshiro128** (period 2^128 - 1), seeded through splitmix32.
 * Every random choice of the library (weight init, gene subsets, masks, dropout, splits) comes from an
 * Rng built from the config's seed and a stream name, so a fixed seed gives identical runs.
 */
import { fisherYates, partialFisherYates } from './distributions.ts';
import { standardNormal } from './normal.ts';
import { Xoshiro128 } from './xoshiro128.ts';

function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [s, z >>> 0];
}

/** A stable 32-bit hash of a string (FNV-1a), used to derive independent streams from one seed. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A generator's complete state: the four xoshiro words. */
export interface RngState {
  words: [number, number, number, number];
}

/** The four xoshiro words of (seed, stream), through splitmix32. */
function seedWords(seed: number, stream: string): [number, number, number, number] {
  let s = (seed ^ hashString(stream)) | 0;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [next, z] = splitmix32(s);
    s = next;
    out.push(z | 0);
  }
  if ((out[0]! | out[1]! | out[2]! | out[3]!) === 0) out[0] = 1;
  return out as [number, number, number, number];
}

export class Rng extends Xoshiro128 {
  /** `stream` separates independent sequences drawn from the same seed. */
  constructor(seed: number, stream = '') {
    super(seedWords(seed, stream));
  }

  /** The complete state: a generator given it with `setState` continues with the same sequence. */
  getState(): RngState {
    return { words: [this.a, this.b, this.c, this.d] };
  }

  setState(state: RngState): void {
    const w = state.words;
    if (w.length !== 4 || !w.every((x) => Number.isInteger(x)) || (w[0] | w[1] | w[2] | w[3]) === 0)
      throw new Error('Rng.setState: expected four 32-bit integers, not all zero');
    [this.a, this.b, this.c, this.d] = [w[0] | 0, w[1] | 0, w[2] | 0, w[3] | 0];
  }

  /** A child generator whose sequence depends on this one's seed and `stream`, not on its position. */
  static derive(seed: number, ...streams: (string | number)[]): Rng {
    return new Rng(seed, streams.join('/'));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal: the library's one sampler (normal.ts, a ziggurat). */
  normal(): number {
    return standardNormal(this);
  }

  /** Shuffle in place (Fisher-Yates). */
  shuffle<T>(items: T[] | Int32Array): void {
    fisherYates(items, (n) => this.int(n));
  }

  /**
   * Move `k` uniformly drawn elements of `pool` to its front (partial Fisher-Yates) and return `k`.
   * `pool` is permuted in place; callers keep one pool per sample and reuse it.
   */
  sampleInPlace(pool: Int32Array, k: number): number {
    return partialFisherYates(pool, k, (n) => this.int(n));
  }
}
