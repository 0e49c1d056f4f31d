/**
 * One validated configuration object for a GexBERT model and its pretraining run.
 *
 * `makeConfig(partial)` fills defaults and validates; `validateConfig(unknown)` checks a full object
 * (e.g. a config.json read back from a checkpoint). Both throw a `ConfigError` listing every problem.
 * Defaults follow the best reference run on the 291 shared samples (see shared/notes):
 * per-gene z-score bins, 1,000 genes, width 64, 2 layers, NIN 128, NQ 64, LR 1e-3, 300 epochs.
 */

export type Activation = 'gelu' | 'relu';
export type LevelInit = 'ordinal' | 'random';

export interface GexbertConfig {
  // --- model ---
  /** Genes in the vocabulary (rows of the gene embedding). */
  vocabSize: number;
  /** Value bins over the z-score range; the missing/masked level is one more (index `levels`). */
  levels: number;
  /** Bins cover z in [-zRange, zRange]; values outside fall in the end bins. */
  zRange: number;
  /** Model width C. */
  width: number;
  /** Attention heads; must divide `width`. */
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  /** Hidden width of the feed-forward blocks. */
  ffnWidth: number;
  activation: Activation;
  /**
   * Initial level embeddings: `random` (N(0, 0.02) like every embedding) or `ordinal` (random plus the
   * bin's centre along one random direction, so the value is linearly readable from the start; this
   * shortened the loss plateau in the experiments of EXPERIMENTS.md).
   */
  levelInit: LevelInit;
  /** Dropout rate on embeddings and residual branches (training only). */
  dropout: number;
  // --- pretraining task ---
  /** NIN: genes drawn per sample per step as encoder input. */
  inputGenes: number;
  /**
   * When below `inputGenes`, each sample's input count is drawn per step uniformly from
   * [inputGenesMin, inputGenes] (the rest padded), as profiles measure few or many genes (absent = fixed).
   */
  inputGenesMin?: number;
  /** Fraction of the input genes whose value is replaced by the missing level (and restored). */
  maskFraction: number;
  /**
   * When above `maskFraction`, each sample's masked fraction is drawn per step uniformly from
   * [maskFraction, maskFractionMax], so the model also learns from few measured genes (absent = fixed).
   */
  maskFractionMax?: number;
  /** NQ: genes outside the input, restored by the decoder. */
  queryGenes: number;
  // --- optimisation ---
  lr: number;
  /** Cosine decay ends at lr * minLrRatio. */
  minLrRatio: number;
  /** Decoupled (AdamW) weight decay, applied to matrices and embeddings only. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  /** Linear warm-up length in optimiser steps. */
  warmupSteps: number;
  /** Clip gradients to this global L2 norm (0 = off). */
  clipNorm: number;
  epochs: number;
  batchSize: number;
  /** Held-out fraction of samples for validation / early stopping (0 = none). */
  validationFraction: number;
  /** Stop after this many evaluations without improvement of the validation loss (0 = never). */
  patience: number;
  /** Evaluate on the validation split every this many epochs. */
  evalEveryEpochs: number;
  seed: number;
}

export const defaultConfig: Readonly<GexbertConfig> = Object.freeze({
  vocabSize: 1000,
  levels: 64,
  zRange: 3,
  width: 64,
  heads: 4,
  encoderLayers: 2,
  decoderLayers: 1,
  ffnWidth: 256,
  activation: 'gelu',
  levelInit: 'ordinal',
  dropout: 0.1,
  inputGenes: 128,
  maskFraction: 0.3,
  queryGenes: 64,
  lr: 1e-3,
  minLrRatio: 0.1,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  adamEps: 1e-8,
  warmupSteps: 100,
  clipNorm: 1,
  epochs: 300,
  batchSize: 32,
  validationFraction: 0.1,
  patience: 0,
  evalEveryEpochs: 1,
  seed: 0,
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid GexBERT config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Rule =
  | { kind: 'int'; min: number; max?: number }
  | { kind: 'num'; min: number; max: number; maxExclusive?: boolean };

const rules: Record<
  Exclude<keyof GexbertConfig, 'activation' | 'levelInit' | 'maskFractionMax' | 'inputGenesMin'>,
  Rule
> = {
  vocabSize: { kind: 'int', min: 1 },
  levels: { kind: 'int', min: 2, max: 4096 },
  zRange: { kind: 'num', min: 0.5, max: 20 },
  width: { kind: 'int', min: 1, max: 8192 },
  heads: { kind: 'int', min: 1, max: 1024 },
  encoderLayers: { kind: 'int', min: 1, max: 128 },
  decoderLayers: { kind: 'int', min: 1, max: 128 },
  ffnWidth: { kind: 'int', min: 1, max: 65536 },
  dropout: { kind: 'num', min: 0, max: 1, maxExclusive: true },
  inputGenes: { kind: 'int', min: 1 },
  maskFraction: { kind: 'num', min: 0, max: 1, maxExclusive: true },
  queryGenes: { kind: 'int', min: 0 },
  lr: { kind: 'num', min: 0, max: 10 },
  minLrRatio: { kind: 'num', min: 0, max: 1 },
  weightDecay: { kind: 'num', min: 0, max: 10 },
  beta1: { kind: 'num', min: 0, max: 1, maxExclusive: true },
  beta2: { kind: 'num', min: 0, max: 1, maxExclusive: true },
  adamEps: { kind: 'num', min: 0, max: 1 },
  warmupSteps: { kind: 'int', min: 0 },
  clipNorm: { kind: 'num', min: 0, max: 1e9 },
  epochs: { kind: 'int', min: 1 },
  batchSize: { kind: 'int', min: 1, max: 65536 },
  validationFraction: { kind: 'num', min: 0, max: 1, maxExclusive: true },
  patience: { kind: 'int', min: 0 },
  evalEveryEpochs: { kind: 'int', min: 1 },
  seed: { kind: 'int', min: 0, max: 0xffffffff },
};

/** Check a complete config object; returns it typed, or throws ConfigError listing all problems. */
export function validateConfig(value: unknown): GexbertConfig {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(['config must be an object']);
  }
  const obj = value as Record<string, unknown>;
  const known = new Set<string>([
    ...Object.keys(rules),
    'activation',
    'levelInit',
    'maskFractionMax',
    'inputGenesMin',
  ]);
  for (const key of Object.keys(obj)) if (!known.has(key)) problems.push(`unknown key "${key}"`);

  for (const [key, rule] of Object.entries(rules) as [keyof typeof rules, Rule][]) {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      problems.push(`${key} must be a finite number (got ${JSON.stringify(v)})`);
      continue;
    }
    if (rule.kind === 'int' && !Number.isInteger(v)) problems.push(`${key} must be an integer (got ${v})`);
    if (v < rule.min) problems.push(`${key} must be >= ${rule.min} (got ${v})`);
    if (rule.max !== undefined) {
      const tooBig = rule.kind === 'num' && rule.maxExclusive ? v >= rule.max : v > rule.max;
      if (tooBig)
        problems.push(
          `${key} must be ${rule.kind === 'num' && rule.maxExclusive ? '<' : '<='} ${rule.max} (got ${v})`,
        );
    }
  }
  if (obj.activation !== 'gelu' && obj.activation !== 'relu') {
    problems.push(`activation must be "gelu" or "relu" (got ${JSON.stringify(obj.activation)})`);
  }
  if (obj.levelInit !== 'ordinal' && obj.levelInit !== 'random') {
    problems.push(`levelInit must be "ordinal" or "random" (got ${JSON.stringify(obj.levelInit)})`);
  }
  problems.push(...maskRangeProblems(obj), ...inputRangeProblems(obj));
  if (problems.length === 0) {
    const c = obj as unknown as GexbertConfig;
    if (c.width % c.heads !== 0) problems.push(`width (${c.width}) must be divisible by heads (${c.heads})`);
    if (c.inputGenes + c.queryGenes > c.vocabSize) {
      problems.push(
        `inputGenes + queryGenes (${c.inputGenes} + ${c.queryGenes}) must not exceed vocabSize (${c.vocabSize})`,
      );
    }
    if (c.maskFraction > 0 && maskedCount(c) === 0) {
      problems.push(
        `maskFraction ${c.maskFraction} of inputGenes ${c.inputGenes} masks no gene; raise one of them`,
      );
    }
    if (maskedCount(c) + c.queryGenes === 0)
      problems.push('nothing to restore: maskFraction and queryGenes are both 0');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...(obj as unknown as GexbertConfig) };
}

/** The optional `maskFractionMax`: absent, or a number in [maskFraction, 1). */
function maskRangeProblems(obj: Record<string, unknown>): string[] {
  const max = obj.maskFractionMax;
  if (max === undefined) return [];
  if (typeof max !== 'number' || !Number.isFinite(max) || max >= 1)
    return [`maskFractionMax must be a number below 1 (got ${JSON.stringify(max)})`];
  if (typeof obj.maskFraction === 'number' && max < obj.maskFraction)
    return [`maskFractionMax (${max}) must not be below maskFraction (${obj.maskFraction})`];
  return [];
}

/** The optional `inputGenesMin`: absent, or an integer in [1, inputGenes]. */
function inputRangeProblems(obj: Record<string, unknown>): string[] {
  const min = obj.inputGenesMin;
  if (min === undefined) return [];
  if (typeof min !== 'number' || !Number.isInteger(min) || min < 1)
    return [`inputGenesMin must be an integer >= 1 (got ${JSON.stringify(min)})`];
  if (typeof obj.inputGenes === 'number' && min > obj.inputGenes)
    return [`inputGenesMin (${min}) must not exceed inputGenes (${obj.inputGenes})`];
  return [];
}

/** Defaults, overridden by `partial`, validated. */
export function makeConfig(partial: Partial<GexbertConfig> = {}): GexbertConfig {
  return validateConfig({ ...defaultConfig, ...partial });
}

/** Masked input genes per sample per step. */
export function maskedCount(c: Pick<GexbertConfig, 'inputGenes' | 'maskFraction'>): number {
  return Math.round(c.inputGenes * c.maskFraction);
}

/** Index of the missing/masked level in the level embedding. */
export function missingLevel(c: Pick<GexbertConfig, 'levels'>): number {
  return c.levels;
}

/** Parameter count of the model this config describes. */
export function parameterCount(c: GexbertConfig): number {
  const C = c.width;
  const F = c.ffnWidth;
  const ln = 2 * C;
  const ffn = C * F + F + F * C + C;
  const enc = ln + (C * 3 * C + 3 * C) + (C * C + C) + ln + ffn;
  const dec = ln + (C * C + C) + (C * 2 * C + 2 * C) + (C * C + C) + ln + ffn;
  return (
    c.vocabSize * C +
    (c.levels + 1) * C +
    c.encoderLayers * enc +
    ln +
    c.decoderLayers * dec +
    ln +
    2 * (C + 1)
  );
}
