/**
 * xoshiro128** (Blackman & Vigna; period 2^128 - 1): the library's one random generator. The library's Rng
 * (rng.ts, also behind the `Random` functions of random.ts) and the simulator's Rng (simulate/random.ts) extend
 * it with their own seeding and samplers, so each keeps its sequences; only 32-bit integer operations,
 * identical on every platform.
 */
export class Xoshiro128 {
  protected a: number;
  protected b: number;
  protected c: number;
  protected d: number;

  /** Starts from four 32-bit words, not all zero (the all-zero state is a fixed point). */
  protected constructor(words: readonly [number, number, number, number]) {
    if ((words[0] | words[1] | words[2] | words[3]) === 0)
      throw new Error('xoshiro128**: the state must not be all zero');
    [this.a, this.b, this.c, this.d] = [words[0] | 0, words[1] | 0, words[2] | 0, words[3] | 0];
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const b = this.b;
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result >>> 0;
  }

  /** Fill `out` with 32-bit unsigned integers: the same sequence as repeated nextUint32(), faster. */
  fillUint32(out: Uint32Array): void {
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    for (let i = 0; i < out.length; i++) {
      const x = Math.imul(b, 5);
      out[i] = Math.imul((x << 7) | (x >>> 25), 9);
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
