/**
 * AdamW (decoupled weight decay, Loshchilov & Hutter) over plain Float32Arrays, global-norm gradient
 * clipping and the learning-rate schedule (linear warm-up, then cosine decay to lr * minLrRatio).
 * tfjs has no AdamW; running the update in JavaScript also makes it identical for every engine.
 */
import type { GexbertConfig } from '../architecture/config.ts';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamW {
  readonly m: Float32Array[];
  readonly v: Float32Array[];
  /** Steps taken (bias correction uses it). */
  t = 0;

  /**
   * @param params the weights, updated in place by `step`
   * @param decay per weight, whether weight decay applies
   */
  constructor(
    readonly params: Float32Array[],
    readonly decay: boolean[],
    readonly opts: AdamWOptions,
  ) {
    if (decay.length !== params.length) throw new Error('AdamW: decay flags do not match params');
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }

  /** One update with learning rate `lr`: p -= lr * (mhat / (sqrt(vhat) + eps) + wd * p). */
  step(grads: Float32Array[], lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.opts;
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k]!;
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      if (g.length !== p.length)
        throw new Error(`AdamW: gradient ${k} has ${g.length} values, weight has ${p.length}`);
      const decayFactor = 1 - lr * (this.decay[k] ? weightDecay : 0);
      const stepSize = lr / bc1;
      const invBc2 = 1 / bc2;
      const b1c = 1 - beta1;
      const b2c = 1 - beta2;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = beta1 * m[i]! + b1c * gi;
        const vi = beta2 * v[i]! + b2c * gi * gi;
        m[i] = mi;
        v[i] = vi;
        // p - lr * (mhat / (sqrt(vhat) + eps) + wd * p)
        p[i] = p[i]! * decayFactor - (stepSize * mi) / (Math.sqrt(vi * invBc2) + eps);
      }
    }
  }
}

/** L2 norm over all gradients. */
export function globalNorm(grads: Float32Array[]): number {
  let ss = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) ss += g[i]! * g[i]!;
  return Math.sqrt(ss);
}

/** Scale gradients in place so their global norm is at most maxNorm (0 = off). Returns the norm before. */
export function clipByGlobalNorm(grads: Float32Array[], maxNorm: number): number {
  const norm = globalNorm(grads);
  if (maxNorm > 0 && norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i]! *= s;
  }
  return norm;
}

/** Learning rate at optimiser step `step` (0-based) of `totalSteps`. */
export function learningRate(
  c: Pick<GexbertConfig, 'lr' | 'warmupSteps' | 'minLrRatio'>,
  step: number,
  totalSteps: number,
): number {
  if (c.warmupSteps > 0 && step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const decaySteps = Math.max(1, totalSteps - c.warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - c.warmupSteps) / decaySteps));
  const minLr = c.lr * c.minLrRatio;
  return minLr + 0.5 * (c.lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
