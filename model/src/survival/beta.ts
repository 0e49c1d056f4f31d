/**
 * The regularised incomplete beta function I_x(a, b), in double precision, for the Student t
 * distribution.
 */
import { logGamma } from './gamma.ts';

const EPS = Number.EPSILON;
const TINY = 1e-300;
const MAX_TERMS = 100_000;

/** Continued fraction for I_x(a, b) (modified Lentz; converges fast for x < (a + 1) / (a + b + 2)). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_TERMS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return h;
  }
  throw new Error(`incomplete beta continued fraction did not converge (x=${x}, a=${a}, b=${b})`);
}

/**
 * Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1, R's `pbeta(x, a, b)`. Pass
 * `y = 1 - x` when it is known more precisely than by subtraction; the smaller tail is computed
 * directly, so the result keeps about 1e-14 relative accuracy also when it is tiny.
 */
export function regularizedBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedBeta needs a, b > 0, got ${a}, ${b}`);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const logFront = a * Math.log(x) + b * Math.log(y) + logGamma(a + b) - logGamma(a) - logGamma(b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(y, b, a)) / b;
}
