/**
 * The pretraining task, as plain typed arrays (shared by every training engine and by the tests).
 *
 * For each sample of a batch: draw `inputGenes` + `queryGenes` of its observed genes at random; the
 * first `inputGenes` are encoder input, of which a `maskFraction` get the missing level (their values
 * are restored by the token head; with `maskFractionMax` the fraction is drawn per sample per step from
 * [maskFraction, maskFractionMax]; with `inputGenesMin` the input count is drawn from [inputGenesMin,
 * inputGenes], the rest padded); the other `queryGenes` are restored by the decoder. A sample with
 * fewer observed genes gets fewer of both, and padding (mask 0, weight 0) fills the rest.
 */

import type { Rng } from '../../random/rng.ts';
import { type GexbertConfig, maskedCount } from '../architecture/config.ts';
import { levelOf } from '../inference/normalise.ts';

/** Restoration targets are clipped to +-TARGET_CLIP (z units) so a few outliers cannot dominate MSE. */
export const TARGET_CLIP = 10;

export interface TokenBatch {
  B: number;
  T: number;
  Q: number;
  /** (B*T) vocabulary index per input token (0 on padding). */
  geneIds: Int32Array;
  /** (B*T) value level; `levels` = missing/masked (also on padding). */
  levelIds: Int32Array;
  /** (B*T) 1 = real token, 0 = padding. */
  tokenMask: Float32Array;
  /** True when some tokenMask entry is 0. */
  padded: boolean;
  /** (B*Q) vocabulary index per query gene (0 on padding). */
  queryIds: Int32Array;
}

export interface TrainBatch extends TokenBatch {
  /** (B*T) z target of masked tokens (0 elsewhere). */
  tokenTarget: Float32Array;
  /** (B*T) 1 on masked real tokens, 0 elsewhere. */
  tokenWeight: Float32Array;
  /** (B*Q) z target of each query gene. */
  queryTarget: Float32Array;
  /** (B*Q) 1 on real queries, 0 on padding. */
  queryWeight: Float32Array;
  /** Sum of both weights: the number of restored values. */
  weightSum: number;
}

/** Draws pretraining batches from a z-scored corpus (nSamples x V, NaN = missing). */
export class BatchSampler {
  private readonly pools: Int32Array[];

  constructor(
    private readonly z: Float32Array,
    private readonly V: number,
    private readonly config: GexbertConfig,
  ) {
    const n = z.length / V;
    if (!Number.isInteger(n)) throw new Error(`corpus has ${z.length} values, not a multiple of V = ${V}`);
    this.pools = [];
    for (let s = 0; s < n; s++) {
      const idx: number[] = [];
      for (let v = 0; v < V; v++) if (Number.isFinite(z[s * V + v]!)) idx.push(v);
      this.pools.push(Int32Array.from(idx));
    }
  }

  /**
   * The sampler's state: every sample's gene pool, concatenated. `sample` permutes the pools in place,
   * so continuing a run identically needs them as well as the Rng.
   */
  poolState(): Int32Array {
    const out = new Int32Array(this.pools.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of this.pools) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Restore pools saved by `poolState` (from a sampler over the same corpus). */
  setPoolState(state: Int32Array): void {
    const total = this.pools.reduce((a, p) => a + p.length, 0);
    if (state.length !== total)
      throw new Error(`sampler state has ${state.length} entries; this corpus needs ${total}`);
    let o = 0;
    for (const p of this.pools) {
      p.set(state.subarray(o, o + p.length));
      o += p.length;
    }
  }

  /** Observed genes of a sample. */
  observed(sample: number): number {
    return this.pools[sample]?.length ?? 0;
  }

  /** One batch for the given samples, drawing genes and masks from `rng`. */
  sample(samples: ArrayLike<number>, rng: Rng): TrainBatch {
    const c = this.config;
    const B = samples.length;
    const T = c.inputGenes;
    const Q = c.queryGenes;
    const b: TrainBatch = {
      B,
      T,
      Q,
      geneIds: new Int32Array(B * T),
      levelIds: new Int32Array(B * T).fill(c.levels),
      tokenMask: new Float32Array(B * T),
      padded: false,
      queryIds: new Int32Array(B * Q),
      tokenTarget: new Float32Array(B * T),
      tokenWeight: new Float32Array(B * T),
      queryTarget: new Float32Array(B * Q),
      queryWeight: new Float32Array(B * Q),
      weightSum: 0,
    };
    const stats = { levels: c.levels, zRange: c.zRange };
    for (let i = 0; i < B; i++) {
      const s = samples[i]!;
      const pool = this.pools[s];
      if (!pool) throw new Error(`no sample ${s}`);
      const n = rng.sampleInPlace(pool, T + Q);
      let nin = T;
      let nq = Q;
      if (n < T + Q) {
        nin = Math.min(T, Math.max(n > 0 ? 1 : 0, Math.round((n * T) / (T + Q))));
        nq = Math.min(Q, n - nin);
      }
      nin = inputCountOf(c, nin, rng);
      const nMask = maskedCount({ inputGenes: nin, maskFraction: maskFractionOf(c, rng) });
      if (nin < T) b.padded = true;
      const zo = s * this.V;
      for (let t = 0; t < nin; t++) {
        const g = pool[t]!;
        const zv = this.z[zo + g]!;
        const o = i * T + t;
        b.geneIds[o] = g;
        b.tokenMask[o] = 1;
        if (t < nMask) {
          b.levelIds[o] = c.levels;
          b.tokenTarget[o] = clip(zv);
          b.tokenWeight[o] = 1;
          b.weightSum += 1;
        } else {
          b.levelIds[o] = levelOf(stats, zv);
        }
      }
      for (let q = 0; q < nq; q++) {
        const g = pool[nin + q]!;
        const o = i * Q + q;
        b.queryIds[o] = g;
        b.queryTarget[o] = clip(this.z[zo + g]!);
        b.queryWeight[o] = 1;
        b.weightSum += 1;
      }
    }
    return b;
  }
}

/** This sample's input count: `nin`, or uniform in [inputGenesMin, nin] (one draw). */
function inputCountOf(c: GexbertConfig, nin: number, rng: Rng): number {
  const min = c.inputGenesMin ?? nin;
  if (min >= nin) return nin;
  return min + rng.int(nin - min + 1);
}

/** This sample's masked fraction: fixed, or uniform in [maskFraction, maskFractionMax] (one draw). */
function maskFractionOf(c: GexbertConfig, rng: Rng): number {
  const max = c.maskFractionMax ?? c.maskFraction;
  if (max <= c.maskFraction) return c.maskFraction;
  return c.maskFraction + rng.next() * (max - c.maskFraction);
}

function clip(z: number): number {
  return Math.min(TARGET_CLIP, Math.max(-TARGET_CLIP, z));
}
