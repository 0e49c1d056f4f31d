/** Shared helpers for the GexBERT tests: a small simulator with known co-expression. */
import { type GexbertConfig, makeConfig } from '../../src/gexbert/config.ts';
import { Rng } from '../../src/gexbert/rng.ts';

export interface Simulation {
  /** nSamples x nGenes, log2(CPM + 1)-like values. */
  values: Float32Array;
  genes: string[];
  nSamples: number;
  /** The loadings (K x G), to draw more samples from the same structure. */
  loadings: Float32Array;
  draw(n: number, rng: Rng): Float32Array;
}

/**
 * Latent factors x loadings + noise: gene g of sample s is
 *   mean_g + sd_g * (sum_k f_sk L_kg / |L_g| * sqrt(1 - noise^2) + noise * e_sg)
 * so genes sharing factors are co-expressed and a gene is predictable from the others.
 */
export function simulate(opts: {
  nSamples: number;
  nGenes: number;
  factors: number;
  noise: number;
  seed: number;
  /** Mean of the first factor's loadings (0 = signs mixed at random; > 0 = a co-expressed module). */
  firstLoadingMean?: number;
}): Simulation {
  const { nGenes: G, factors: K, noise } = opts;
  const rng = new Rng(opts.seed, 'loadings');
  const loadings = new Float32Array(K * G).map(() => rng.normal());
  for (let g = 0; g < G; g++) loadings[g]! += opts.firstLoadingMean ?? 0;
  const mean = Array.from({ length: G }, () => 4 + 4 * rng.next());
  const sd = Array.from({ length: G }, () => 0.5 + rng.next());
  const signal = Math.sqrt(1 - noise * noise);
  // Each gene's signal has unit variance: divide by the norm of its loadings.
  const norm = Array.from({ length: G }, (_, g) => {
    let ss = 0;
    for (let k = 0; k < K; k++) ss += loadings[k * G + g]! ** 2;
    return Math.sqrt(ss) || 1;
  });
  const draw = (n: number, r: Rng) => {
    const out = new Float32Array(n * G);
    for (let s = 0; s < n; s++) {
      const f = Array.from({ length: K }, () => r.normal());
      for (let g = 0; g < G; g++) {
        let x = 0;
        for (let k = 0; k < K; k++) x += f[k]! * loadings[k * G + g]!;
        out[s * G + g] = mean[g]! + sd[g]! * ((x / norm[g]!) * signal + noise * r.normal());
      }
    }
    return out;
  };
  return {
    values: draw(opts.nSamples, new Rng(opts.seed, 'samples')),
    genes: Array.from({ length: G }, (_, g) => `G${g}`),
    nSamples: opts.nSamples,
    loadings,
    draw,
  };
}

/** A tiny model config for fast tests. */
export function tinyConfig(over: Partial<GexbertConfig> = {}): GexbertConfig {
  return makeConfig({
    vocabSize: 24,
    levels: 16,
    width: 16,
    heads: 2,
    encoderLayers: 1,
    decoderLayers: 1,
    ffnWidth: 32,
    dropout: 0,
    inputGenes: 12,
    maskFraction: 0.25,
    queryGenes: 6,
    lr: 3e-3,
    warmupSteps: 5,
    epochs: 2,
    batchSize: 8,
    validationFraction: 0,
    ...over,
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
