/**
 * Temperature scaling (Guo et al. 2017): one scalar T divides a classifier's logits, fitted by minimising
 * the negative log-likelihood of held-out (here cross-validated) logits. T > 1 softens over-confident
 * probabilities; the predicted class never changes.
 */

/** Softmax of logits / temperature (one row of k logits). */
export function softmaxAt(logits: ArrayLike<number>, temperature = 1): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < logits.length; c++) max = Math.max(max, logits[c]! / temperature);
  const e = Float64Array.from(logits, (v) => Math.exp(v / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Mean negative log-likelihood of the true classes (`truth[i]` indexes row i) at a temperature. */
export function temperatureNll(
  logits: ArrayLike<number>[],
  truth: ArrayLike<number>,
  temperature: number,
): number {
  let sum = 0;
  logits.forEach((row, i) => {
    sum -= Math.log(Math.max(softmaxAt(row, temperature)[truth[i]!]!, 1e-300));
  });
  return sum / logits.length;
}

/**
 * The temperature in [1/8, 8] minimising the NLL (golden-section search on log T, which the NLL is
 * unimodal in for fixed logits). Throws on no rows or mismatched lengths.
 */
export function fitTemperature(logits: ArrayLike<number>[], truth: ArrayLike<number>): number {
  if (logits.length === 0 || logits.length !== truth.length)
    throw new RangeError(`${logits.length} logit rows for ${truth.length} labels: give one per sample`);
  const f = (logT: number) => temperatureNll(logits, truth, Math.exp(logT));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(1 / 8);
  let hi = Math.log(8);
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 60 && hi - lo > 1e-6; i++) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}
