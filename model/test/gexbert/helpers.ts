/** Shared helpers for the GexBERT tests: a small simulator with known co-expression. */
import { type GexbertConfig, makeConfig } from '../../src/gexbert/architecture/config.ts';
import { initialWeights, type WeightEntry } from '../../src/gexbert/architecture/model.ts';
import { Rng } from '../../src/random/rng.ts';

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

/**
 * The architectures the ONNX graphs (onnx/architecture.ts) are checked on against the tfjs model:
 * encoder and decoder depths 1-3, widths 16, 32 and 48, 1, 2 and 4 heads (head widths 4 to 48), both
 * activations, and 6, 1 or no query genes (the decoder trains on none). Tiny vocabularies keep them fast.
 */
export const PARITY_CONFIGS: Partial<GexbertConfig>[] = [
  // encoder layers, decoder layers, width, heads, ffn width, activation, query genes
  parity(1, 1, 16, 1, 32, 'gelu', 6),
  parity(2, 2, 32, 4, 48, 'relu', 6),
  parity(3, 1, 48, 2, 64, 'gelu', 1),
  parity(1, 3, 48, 4, 32, 'relu', 6),
  parity(2, 1, 16, 4, 16, 'gelu', 0),
  parity(3, 2, 32, 1, 64, 'relu', 6),
];

function parity(
  encoderLayers: number,
  decoderLayers: number,
  width: number,
  heads: number,
  ffnWidth: number,
  activation: 'gelu' | 'relu',
  queryGenes: number,
): Partial<GexbertConfig> {
  return { encoderLayers, decoderLayers, width, heads, ffnWidth, activation, queryGenes };
}

/** A short name for a parity configuration in test titles. */
export function describeConfig(c: Partial<GexbertConfig>): string {
  return `${c.encoderLayers}+${c.decoderLayers} layers, width ${c.width}, ${c.heads} heads, ${c.activation}, ${c.queryGenes} training queries`;
}

/** Random weights with realistic spread (not just the small init), so parity is tested on non-trivial values. */
export function randomWeights(c: GexbertConfig, seed: number): WeightEntry[] {
  const r = new Rng(seed, 'weights');
  return initialWeights(c, seed).map((w) => ({
    ...w,
    data: w.data.map((x) => (w.name.endsWith('.g') ? 1 + 0.3 * r.normal() : x + 0.15 * r.normal())),
  }));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A co-expressed module (first factor, loadings mostly positive) plus a factor with mixed signs: 240 x 40 genes. */
export const coexpressedSimulation = (): Simulation =>
  simulate({ nSamples: 240, nGenes: 40, factors: 2, noise: 0.3, seed: 5, firstLoadingMean: 1.5 });

/** The tiny model the co-expression tests train on `coexpressedSimulation` (20 epochs). */
export const coexpressionConfig = (): GexbertConfig =>
  tinyConfig({
    vocabSize: 40,
    width: 32,
    heads: 4,
    ffnWidth: 64,
    inputGenes: 16,
    queryGenes: 8,
    batchSize: 16,
    epochs: 20,
    warmupSteps: 20,
    validationFraction: 0.15,
    seed: 1,
  });
