/**
 * One fold of an evaluation: its training and test samples, the GexBERT model trained on the training
 * samples only, and both sets in the model's per-gene z space. The tasks (tasks/*.ts) read a fold.
 */
import path from 'node:path';
import type { GexbertConfig } from '../gexbert/config.ts';
import { createOnnxPredictor, embed, type OnnxPredictor, type Profile } from '../gexbert/index.ts';
import type { GexbertModel } from '../gexbert/model.ts';
import { type ExpressionMatrix, matrixToZ, type NormStats } from '../gexbert/normalise.ts';
import { trainCheckpoint } from '../gexbert/recipe.ts';
import { type LabelledCounts, type SurvivalRecord, toExpression } from './inputs.ts';
import { fromRows, type Matrix } from './matrix.ts';
import type { Measurements } from './measurements.ts';

export interface FoldContext {
  /** 0-based fold number and the number of folds. */
  fold: number;
  folds: number;
  seed: number;
  quick: boolean;
  log: (line: string) => void;
  /** Where this fold's checkpoint and working files go. */
  dir: string;
  data: LabelledCounts;
  trainIdx: number[];
  testIdx: number[];
  trainLabels: string[];
  testLabels: string[];
  trainCounts: ExpressionMatrix;
  testCounts: ExpressionMatrix;
  config: GexbertConfig;
  /** The trained model (tfjs; for fine-tuning) and its ONNX predictor (for inference). */
  model: GexbertModel;
  stats: NormStats;
  predictor: OnnxPredictor;
  /** The model's vocabulary (V genes) and the samples in its z space: n x V. */
  vocab: string[];
  trainZ: Matrix;
  testZ: Matrix;
  /** Overall survival by patient barcode, when a clinical table was given. */
  survival: Map<string, SurvivalRecord> | null;
  /** Genes the model may use (protein-coding), for tasks that choose genes outside the vocabulary. */
  allowedGenes?: ReadonlySet<string>;
  measurements: Measurements;
  /** Adds a note to the report once (the same text from several folds is kept once). */
  note: (text: string) => void;
}

/** Per-gene z values (training statistics of the checkpoint) as a matrix: samples x vocabulary. */
export function zMatrix(stats: NormStats, m: ExpressionMatrix): Matrix {
  const z = matrixToZ(stats, m);
  return {
    rows: m.nSamples,
    cols: stats.genes.length,
    data: Float64Array.from(z, (v) => (Number.isFinite(v) ? v : 0)),
  };
}

/**
 * Genes the evaluation hides are left out of the model's input (not fed as missing tokens): a panel of 16
 * genes is 16 inputs, and imputation at 90% missing does not flood the encoder with missing tokens.
 */
export const OMIT = { missing: 'omit' } as const;

/** Profiles of the rows of a z matrix over `genes`, keeping only the entries `keep` accepts. */
export function zProfiles(z: Matrix, genes: string[], keep: (i: number, v: number) => boolean): Profile[] {
  return Array.from({ length: z.rows }, (_, i) => ({
    genes,
    values: Float32Array.from({ length: z.cols }, (_, v) =>
      keep(i, v) ? z.data[i * z.cols + v]! : Number.NaN,
    ),
    unit: 'z' as const,
  }));
}

/** GexBERT embeddings (n x width) of the rows of a fold's z matrix, from the vocabulary genes `inPanel` marks. */
export async function embedPanel(fold: FoldContext, z: Matrix, inPanel?: Uint8Array): Promise<Matrix> {
  const keep = inPanel ? (_: number, v: number) => inPanel[v] === 1 : () => true;
  const { embeddings } = await embed(fold.predictor, fold.stats, zProfiles(z, fold.vocab, keep), OMIT);
  return fromRows(embeddings);
}

export interface FoldInput {
  fold: number;
  folds: number;
  seed: number;
  quick: boolean;
  log: (line: string) => void;
  out: string;
  data: LabelledCounts;
  trainIdx: number[];
  testIdx: number[];
  trainDescription: string;
  survival: Map<string, SurvivalRecord> | null;
  allowedGenes?: ReadonlySet<string>;
  measurements: Measurements;
  note: (text: string) => void;
}

/** Trains GexBERT on the fold's training samples (the recipe; a step limit in quick mode) and builds its context. */
export async function prepareFold(input: FoldInput): Promise<FoldContext> {
  const { data, trainIdx, testIdx, quick, log } = input;
  const dir = input.folds === 1 ? input.out : path.join(input.out, `fold-${input.fold + 1}`);
  const trainCounts = toExpression(data.counts, trainIdx);
  const testCounts = toExpression(data.counts, testIdx);
  const ckptDir = path.join(dir, 'checkpoint');
  const maxSteps = quick ? 600 : undefined;
  const timeLimit = quick ? 300 : undefined; // a safety net: 600 steps take ~60 s on an idle 2-core machine
  log(
    `training GexBERT (${quick ? `quick: at most ${maxSteps} steps or ${timeLimit} s` : 'full recipe'}) into ${ckptDir}`,
  );
  let lastReport = 0;
  const { config, model, stats, metrics } = await trainCheckpoint(trainCounts, {
    out: ckptDir,
    ...(input.allowedGenes ? { allowedGenes: input.allowedGenes } : {}),
    seed: input.seed + input.fold,
    dataDescription: input.trainDescription,
    ...(maxSteps === undefined ? {} : { maxSteps }),
    ...(timeLimit === undefined ? {} : { timeLimitSeconds: timeLimit }),
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastReport < 10_000 && p.step < p.totalSteps) return;
      lastReport = now;
      log(`train step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)}`);
    },
  });
  input.note(
    `GexBERT${input.folds > 1 ? ` (fold ${input.fold + 1})` : ''}: recipe config (width ${config.width}, ${config.encoderLayers} encoder layers), vocabulary ${stats.genes.length} genes, ${metrics.steps} optimiser steps in ${metrics.seconds.toFixed(0)} s${quick ? ` (--quick: at most ${maxSteps} steps or ${timeLimit} s${metrics.aborted ? '; stopped by the time limit' : ''})` : ''}; best validation loss ${metrics.bestValLoss?.toFixed(4) ?? 'n/a'}.`,
  );
  log(`trained: ${metrics.steps} steps in ${metrics.seconds.toFixed(0)} s`);
  const predictor = await createOnnxPredictor(config, model.getWeights());
  return {
    fold: input.fold,
    folds: input.folds,
    seed: input.seed,
    quick,
    log,
    dir,
    data,
    trainIdx,
    testIdx,
    trainLabels: trainIdx.map((i) => data.labels[i]!),
    testLabels: testIdx.map((i) => data.labels[i]!),
    trainCounts,
    testCounts,
    config,
    model,
    stats,
    predictor,
    vocab: stats.genes,
    trainZ: zMatrix(stats, trainCounts),
    testZ: zMatrix(stats, testCounts),
    survival: input.survival,
    ...(input.allowedGenes ? { allowedGenes: input.allowedGenes } : {}),
    measurements: input.measurements,
    note: input.note,
  };
}

/** Frees the fold's model and onnxruntime sessions. */
export async function closeFold(fold: FoldContext): Promise<void> {
  await fold.predictor.release();
  fold.model.dispose();
}
