// Seeded random numbers for the simulator: xoshiro128** seeded through a 32-bit finalizer hash, and the
// samplers a cohort needs (gamma, Poisson, negative binomial, exponential, Weibull). The shuffle and the
// normal are the library's one Fisher-Yates (random/distributions.ts) and one ziggurat (random/normal.ts).
// Same (seed, stream) => same sequence: only 32-bit integer ops, IEEE double arithmetic and V8's own
// (fdlibm-derived, platform-independent) Math.exp/log/sqrt.

import { fisherYates } from '../random/distributions.ts';
import { standardNormal } from '../random/normal.ts';
import { Xoshiro128 } from '../random/xoshiro128.ts';

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;
const LOG_SQRT_2PI = 0.9189385332046728; // log(sqrt(2 * pi))

/** murmur3 fmix32: a bijective avalanche of a 32-bit integer. */
function fmix32(h: number): number {
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

function checkSeedPart(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

/** The four xoshiro words of (seed, stream): the four 32-bit inputs chained through the finalizer. */
function seedWords(seed: number, stream: number): [number, number, number, number] {
  checkSeedPart('seed', seed);
  checkSeedPart('stream', stream);
  const seedLo = seed >>> 0;
  const seedHi = Math.floor(seed / 4294967296) >>> 0;
  const streamLo = stream >>> 0;
  const streamHi = Math.floor(stream / 4294967296) >>> 0;
  const words: number[] = [];
  for (let k = 0; k < 4; k++) {
    // A different odd constant per word.
    let h = fmix32(seedLo + Math.imul(k + 1, 0x9e3779b9));
    h = fmix32(h ^ seedHi ^ 0x7f4a7c15);
    h = fmix32(h + Math.imul(streamLo ^ 0x165667b1, 0x27d4eb2f));
    h = fmix32(h ^ Math.imul(streamHi + 0x61c88647, 0x85ebca77) ^ k);
    words.push(h);
  }
  if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) words[0] = 0x9e3779b9 | 0; // all zero is a fixed point
  return words as [number, number, number, number];
}

/**
 * A xoshiro128** generator. `seed` (any non-negative safe integer) and `stream` (a non-negative safe
 * integer) select an independent sequence: the cohort gives every gene its own stream so any gene row can be
 * regenerated on its own, in any order.
 *
 * Uniforms have 32-bit resolution and lie in the open interval (0, 1), so `log(u)` is always finite
 * (exponential draws are capped at about 22.2 / rate, i.e. beyond the 1 - 2^-32 quantile).
 */
export class Rng extends Xoshiro128 {
  constructor(seed: number, stream = 0) {
    super(seedWords(seed, stream));
    for (let i = 0; i < 8; i++) this.nextUint32();
  }

  /** Uniform double in the open interval (0, 1). */
  uniform(): number {
    return (this.nextUint32() + 0.5) * TWO_POW_MINUS_32;
  }

  /** Uniform integer in [0, n), n <= 2^32 (multiply-shift; bias < n / 2^32). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher-Yates shuffle in place (random/distributions.ts) with this generator's integers. */
  shuffle<T>(items: T[]): T[] {
    return fisherYates(items, (n) => this.int(n));
  }

  /** Standard normal: the library's one sampler (random/normal.ts, a ziggurat). */
  normal(): number {
    return standardNormal(this);
  }

  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate = 1): number {
    return -Math.log(this.uniform()) / rate;
  }

  /** Weibull: S(t) = exp(-(t / scale)^shape); mean scale * Gamma(1 + 1 / shape). */
  weibull(shape: number, scale: number): number {
    return scale * (-Math.log(this.uniform())) ** (1 / shape);
  }

  /**
   * Gamma(shape, scale): mean shape * scale, variance shape * scale^2. Marsaglia & Tsang (2000) squeeze
   * method; shape < 1 uses the boost Gamma(shape + 1) * U^(1 / shape).
   */
  gamma(shape: number, scale = 1): number {
    if (!(shape > 0)) {
      if (shape === 0) return 0;
      throw new RangeError(`gamma shape must be positive, got ${shape}`);
    }
    if (shape < 1) return this.gamma(shape + 1, scale) * this.uniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v * scale;
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  /**
   * Poisson(lambda). lambda < 10: inversion by sequential search from 0 (one uniform, O(lambda) steps).
   * lambda >= 10: Hörmann's PTRS transformed rejection with squeeze (1993), exact, about 1.15 uniform pairs
   * per draw whatever lambda is, and a log-factorial only for the ~14% of draws outside the squeeze.
   * No normal approximation is used at any lambda. lambda <= 0 gives 0.
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) {
      if (Number.isNaN(lambda)) throw new RangeError('poisson lambda is NaN');
      return 0;
    }
    if (lambda < 10) {
      const u = this.uniform();
      let p = Math.exp(-lambda);
      let cdf = p;
      let k = 0;
      while (u > cdf && p > 0) {
        k++;
        p *= lambda * (k < 64 ? INV_INT[k]! : 1 / k);
        cdf += p;
      }
      return k;
    }
    // Constants of the hat; the ones only the slow path needs are computed there.
    const b = 0.931 + 2.53 * Math.sqrt(lambda);
    const a = -0.059 + 0.02483 * b;
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (this.ptrsAccept(lambda, k, u, v, a, b)) return k;
    }
  }

  /**
   * Negative binomial with mean mu and size theta (NB2): variance mu + mu^2 / theta, i.e. dispersion
   * phi = 1 / theta. Drawn as the gamma-Poisson mixture Poisson(Gamma(theta, mu / theta)).
   * theta = Infinity gives Poisson(mu).
   */
  negativeBinomial(mu: number, theta: number): number {
    if (!(mu > 0)) return 0;
    if (theta === Number.POSITIVE_INFINITY) return this.poisson(mu);
    return this.poisson(this.gamma(theta, mu / theta));
  }

  /**
   * Fills out[i] ~ NB(mean mu[i], size theta) for every i, the same gamma-Poisson algorithms as
   * {@link negativeBinomial} fused into one loop (no per-draw calls with double arguments, which V8 would box;
   * about 2x faster on a count matrix). Draws above 2^32 - 1 are clamped. mu[i] <= 0 gives 0.
   */
  fillNegativeBinomial(mu: ArrayLike<number>, theta: number, out: Uint32Array): Uint32Array {
    if (!(theta > 0)) throw new RangeError(`negative binomial size must be positive, got ${theta}`);
    const n = out.length;
    if (mu.length < n) throw new RangeError('mu is shorter than out');
    const poissonOnly = theta === Number.POSITIVE_INFINITY;
    const boost = theta < 1; // Gamma(theta) = Gamma(theta + 1) * U^(1 / theta)
    const d = (boost ? theta + 1 : theta) - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    const invTheta = 1 / theta;
    for (let i = 0; i < n; i++) {
      const m = mu[i]!;
      if (!(m > 0)) {
        if (Number.isNaN(m)) throw new RangeError(`mu[${i}] is NaN`);
        out[i] = 0;
        continue;
      }
      let lambda = m;
      if (!poissonOnly) {
        // Marsaglia-Tsang gamma with shape d + 1/3, scale mu / theta.
        let g: number;
        for (;;) {
          const x = this.normal();
          let v = 1 + c * x;
          if (v <= 0) continue;
          v = v * v * v;
          const u = this.uniform();
          const x2 = x * x;
          if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
            g = d * v;
            break;
          }
        }
        if (boost) g *= this.uniform() ** invTheta;
        lambda = g * m * invTheta;
      }
      let k = 0;
      if (lambda < 10) {
        if (lambda > 0) {
          const u = this.uniform();
          let p = Math.exp(-lambda);
          let cdf = p;
          while (u > cdf && p > 0) {
            k++;
            p *= lambda * (k < 64 ? INV_INT[k]! : 1 / k);
            cdf += p;
          }
        }
      } else {
        const b = 0.931 + 2.53 * Math.sqrt(lambda);
        const a = -0.059 + 0.02483 * b;
        const vr = 0.9277 - 3.6224 / (b - 2);
        for (;;) {
          const u = this.uniform() - 0.5;
          const v = this.uniform();
          const us = 0.5 - Math.abs(u);
          k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
          if (us >= 0.07 && v <= vr) break;
          if (k < 0 || (us < 0.013 && v > us)) continue;
          if (this.ptrsAccept(lambda, k, u, v, a, b)) break;
        }
      }
      out[i] = Math.min(k, 4294967295);
    }
    return out;
  }

  /** PTRS's exact acceptance test (outside the squeeze). */
  private ptrsAccept(lambda: number, k: number, u: number, v: number, a: number, b: number): boolean {
    const us = 0.5 - Math.abs(u);
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    return Math.log((v * invAlpha) / (a / (us * us) + b)) <= -lambda + k * Math.log(lambda) - logFactorial(k);
  }
}

/** The generator for `stream` of `seed`; see {@link Rng}. */
export function createRng(seed: number, stream = 0): Rng {
  return new Rng(seed, stream);
}

/** 1 / k for k < 64 (multiplying is much faster than dividing in the inversion loop). */
const INV_INT = Float64Array.from({ length: 64 }, (_, k) => (k === 0 ? 0 : 1 / k));

const LOG_FACTORIAL_TABLE_SIZE = 256;
const LOG_FACTORIAL_TABLE = (() => {
  const table = new Float64Array(LOG_FACTORIAL_TABLE_SIZE);
  for (let k = 2; k < LOG_FACTORIAL_TABLE_SIZE; k++) table[k] = table[k - 1]! + Math.log(k);
  return table;
})();

/** log(k!) for integer k >= 0: a table below 256, Stirling's series (error < 1e-15 relative) above. */
export function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE_SIZE) return LOG_FACTORIAL_TABLE[k]!;
  const x = k + 1;
  const x2 = x * x;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    LOG_SQRT_2PI +
    (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * x2)) / x2) / x2) / x
  );
}
