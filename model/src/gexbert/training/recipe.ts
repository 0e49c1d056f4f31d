// The platform's training recipe: counts in, a complete checkpoint folder out (config, vocabulary,
// normalisation, weights, model.onnx, training log, metrics, model card). Used by `gexbert train`.
//
// Defaults are the best settings measured on the 291 real TCGA samples (EXPERIMENTS.md): a vocabulary of
// the 1,000 most variable protein-coding genes, per-gene z-scored log2(CPM+1) in 64 levels, width 64,
// 2 encoder layers, 128 input + 64 query genes per step, learning rate 1e-3, 300 epochs.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ready } from '../../engine/tf.ts';
import { defaultConfig, type GexbertConfig, makeConfig } from '../architecture/config.ts';
import type { GexbertModel } from '../architecture/model.ts';
import { saveModel } from '../inference/checkpoint.ts';
import {
  type ExpressionMatrix,
  fitGeneMoments,
  fitNormaliser,
  matrixToZ,
  type NormStats,
  selectVocabulary,
} from '../inference/normalise.ts';
import { exportOnnx } from '../onnx/export.ts';
import type { EngineChoice } from './engine.ts';
import { removeTrainingState } from './resume.ts';
import { type EvalInfo, type ProgressInfo, pretrain, type ResumeInfo, type TrainMetrics } from './train.ts';

export const RECIPE_DEFAULTS: Partial<GexbertConfig> = {
  levels: 64,
  width: 64,
  heads: 4,
  encoderLayers: 2,
  decoderLayers: 1,
  ffnWidth: 256,
  inputGenes: 128,
  queryGenes: 64,
  lr: 1e-3,
  dropout: 0.1,
  epochs: 300,
  warmupSteps: 100,
  batchSize: 32,
  validationFraction: 0.1,
};

export interface RecipeOptions {
  /** Where the checkpoint folder is written. */
  out: string;
  /** Vocabulary size: the most variable genes of `allowedGenes` (default 1,000). */
  vocabularySize?: number;
  /** Genes the vocabulary may use (e.g. protein-coding Ensembl IDs); default all. */
  allowedGenes?: ReadonlySet<string>;
  /**
   * Minimum mean log2(CPM + 1) of a vocabulary gene (default 1, which drops barely expressed genes of a
   * genome-wide table); 0 for a gene set already chosen, so none of its genes is dropped for low expression.
   */
  minMean?: number;
  /**
   * RSEM-normalised samples (unit `rsem`, samples x genes, genes as in `counts`) pretrained on beside the
   * counts: every one of their genes joins the vocabulary, and their z-scores use RSEM statistics fitted on
   * them (NormStats.rsem), never the count statistics.
   */
  rsem?: ExpressionMatrix;
  /** Overrides of the recipe's model and training settings. */
  config?: Partial<GexbertConfig>;
  seed?: number;
  /** A description of the training data for the model card. */
  dataDescription: string;
  onProgress?: (p: ProgressInfo) => void;
  onEval?: (e: EvalInfo) => void;
  maxSteps?: number;
  /** Stop training after this many seconds (the best weights so far are kept). */
  timeLimitSeconds?: number;
  /**
   * Keep a resume state in this folder (saved every 50 steps) and continue from the state found there,
   * so a killed training continues where it stopped. Removed once the checkpoint is written.
   */
  resumeDir?: string;
  /** Called when training continues from a state in `resumeDir`. */
  onResume?: (from: ResumeInfo) => void;
  /**
   * Stops training at the next step boundary: the resume state is saved (with `resumeDir`), no checkpoint
   * is written, and trainCheckpoint rejects with TrainingStopped.
   */
  signal?: AbortSignal;
  /** The training engine (default `auto`; engine.ts). */
  engine?: EngineChoice;
  /** onnxruntime intra-op threads of the training engine (default: onnxruntime's choice, all cores). */
  engineThreads?: number;
  /**
   * Awaited after each preparation step (`vocabulary`, `normaliser`, `corpus`), before training starts.
   * Each step runs without yielding (at 11,000 x 20,000 genes, 10-30 s each): a caller that reports a
   * heartbeat or watches for a cancel does it here. Rejecting stops the recipe.
   */
  onPhase?: (phase: 'vocabulary' | 'normaliser' | 'corpus') => Promise<void>;
}

/** trainCheckpoint was stopped by its `signal`; `step` is where a resume continues. */
export class TrainingStopped extends Error {
  constructor(readonly step: number) {
    super(`training stopped at step ${step}`);
    this.name = 'TrainingStopped';
  }
}

export interface RecipeResult {
  out: string;
  config: GexbertConfig;
  vocabulary: number;
  metrics: TrainMetrics & {
    samples: number;
    /** With RSEM samples: how many of `samples` were raw counts and how many RSEM. */
    countSamples?: number;
    rsemSamples?: number;
    startedAt: string;
    finishedAt: string;
    /** The optimiser step training continued from (only when it resumed a saved state). */
    resumedFromStep?: number;
  };
  /** The trained model and its normalisation (as saved), for callers that go on to use them. */
  model: GexbertModel;
  stats: NormStats;
}

/**
 * Input and query genes per sample and step that fit a vocabulary of `vocabSize` genes: unchanged when
 * they do, otherwise both shrunk in proportion so they add up to the vocabulary (a 100-gene set: 66 input
 * genes, 30% of them masked, and 34 queries instead of 128 + 64).
 */
export function tokensWithin(
  inputGenes: number,
  queryGenes: number,
  vocabSize: number,
): { inputGenes: number; queryGenes: number } {
  if (inputGenes + queryGenes <= vocabSize) return { inputGenes, queryGenes };
  const input = Math.max(1, Math.floor((vocabSize * inputGenes) / (inputGenes + queryGenes)));
  return { inputGenes: input, queryGenes: Math.max(0, vocabSize - input) };
}

/** Every sample's z over the vocabulary (samples x V): the counts' rows, then the RSEM samples' rows. */
function trainingCorpus(
  stats: NormStats,
  counts: ExpressionMatrix,
  rsem: ExpressionMatrix | undefined,
): { z: Float32Array; nSamples: number } {
  const z = matrixToZ(stats, counts); // (n_counts x V)
  if (!rsem) return { z, nSamples: counts.nSamples };
  const both = new Float32Array(z.length + rsem.nSamples * stats.genes.length); // ((n_counts + n_rsem) x V)
  both.set(z);
  both.set(matrixToZ(stats, rsem), z.length);
  return { z: both, nSamples: counts.nSamples + rsem.nSamples };
}

/**
 * Trains GexBERT on `counts` (samples x genes raw counts), and on `options.rsem` when given, and writes a
 * complete checkpoint.
 */
export async function trainCheckpoint(
  counts: ExpressionMatrix,
  options: RecipeOptions,
): Promise<RecipeResult> {
  await ready();
  if (options.rsem && options.rsem.unit !== 'rsem')
    throw new Error(`trainCheckpoint: the rsem matrix has unit ${options.rsem.unit}, expected rsem`);
  const variable = selectVocabulary(counts, {
    k: options.vocabularySize ?? 1000,
    ...(options.allowedGenes ? { allowed: new Set(options.allowedGenes) } : {}),
    minMean: options.minMean ?? 1,
  });
  await options.onPhase?.('vocabulary');
  const vocab = [...new Set([...variable, ...(options.rsem?.genes ?? [])])];
  const settings = { ...defaultConfig, ...RECIPE_DEFAULTS, ...options.config };
  const config = makeConfig({
    ...settings,
    ...tokensWithin(settings.inputGenes, settings.queryGenes, vocab.length),
    vocabSize: vocab.length,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const stats: NormStats = {
    ...fitNormaliser(counts, vocab, { levels: config.levels, zRange: config.zRange }),
    ...(options.rsem ? { rsem: fitGeneMoments(options.rsem, vocab) } : {}),
  };
  await options.onPhase?.('normaliser');
  const corpus = trainingCorpus(stats, counts, options.rsem);
  await options.onPhase?.('corpus');
  const started = new Date();
  const abort = new AbortController();
  const stop = () => abort.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  const timer =
    options.timeLimitSeconds === undefined
      ? undefined
      : setTimeout(() => abort.abort(), options.timeLimitSeconds * 1000);
  const run = await pretrain({
    config,
    corpus,
    logFile: path.join(options.out, 'training-log.jsonl'),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onEval ? { onEval: options.onEval } : {}),
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    ...(options.resumeDir === undefined ? {} : { resume: { dir: options.resumeDir } }),
    ...(options.onResume ? { onResume: options.onResume } : {}),
    signal: abort.signal,
    ...(options.engine === undefined ? {} : { engine: options.engine }),
    ...(options.engineThreads === undefined ? {} : { engineThreads: options.engineThreads }),
  }).finally(() => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  });
  if (options.signal?.aborted && run.metrics.aborted) throw new TrainingStopped(run.metrics.steps);
  const metrics = {
    ...run.metrics,
    samples: corpus.nSamples,
    ...(options.rsem ? { countSamples: counts.nSamples, rsemSamples: options.rsem.nSamples } : {}),
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    ...(run.resumedFrom ? { resumedFromStep: run.resumedFrom.step } : {}),
  };
  saveModel(options.out, run.model, stats, {
    trainingLog: run.log.text(),
    metrics,
    notes: options.dataDescription,
  });
  writeFileSync(path.join(options.out, 'model.onnx'), exportOnnx(config, run.model.getWeights()));
  if (options.resumeDir !== undefined) removeTrainingState(options.resumeDir);
  return { out: options.out, config, vocabulary: vocab.length, metrics, model: run.model, stats };
}
