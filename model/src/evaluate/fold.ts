/**
 * One fold of an evaluation: its training and test samples, the GexBERT model trained on the training
 * samples only, and both sets in the model's per-gene z space. The tasks (tasks/*.ts) read a fold.
 */
import path from 'node:path';
import { type LabelledCounts, type SurvivalRecord, toExpression } from '../data/inputs.ts';
import type { GexbertConfig } from '../gexbert/architecture/config.ts';
import type { GexbertModel } from '../gexbert/architecture/model.ts';
import { embed, OMIT, zProfiles } from '../gexbert/inference/infer.ts';
import { type ExpressionMatrix, matrixToZ, type NormStats } from '../gexbert/inference/normalise.ts';
import { createOnnxPredictor, type OnnxPredictor } from '../gexbert/inference/predictor.ts';
import type { EngineChoice } from '../gexbert/training/engine.ts';
import { trainCheckpoint } from '../gexbert/training/recipe.ts';
import { fromRows, type Matrix } from '../stats/matrix.ts';
import type { Measurements } from './measurements.ts';

/** A trained GexBERT (its ONNX predictor and normalisation) and a fold's samples in its z space. */
export interface ModelView {
  /** The model's vocabulary (V genes) and the samples in its z space: n x V. */
  vocab: string[];
  stats: NormStats;
  predictor: OnnxPredictor;
  trainZ: Matrix;
  testZ: Matrix;
}

export interface FoldContext extends ModelView {
  /** 0-based fold number and the number of folds. */
  fold: number;
  folds: number;
  seed: number;
  quick: boolean;
  /** Parts of the evaluation left out (EvaluateOptions.skip). */
  skip: ReadonlySet<EvaluationPart>;
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
  /** The trained model (tfjs; for fine-tuning); its ONNX predictor, vocabulary and z matrices are the ModelView. */
  model: GexbertModel;
  /**
   * Full mode: a second GexBERT trained on the same samples with a `WIDE_VOCABULARY`-gene vocabulary. It
   * restores the 5,000-gene imputation set and reads the 1,024-gene panels, which the recipe's 1,000
   * genes cannot hold.
   */
  wide?: ModelView;
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

/** GexBERT embeddings (n x width) of the rows of a z matrix of `view`, from the vocabulary genes `inPanel` marks. */
export async function embedPanel(view: ModelView, z: Matrix, inPanel?: Uint8Array): Promise<Matrix> {
  const keep = inPanel ? (_: number, v: number) => inPanel[v] === 1 : () => true;
  const { embeddings } = await embed(view.predictor, view.stats, zProfiles(z, view.vocab, keep), OMIT);
  return fromRows(embeddings);
}

/** Parts of an evaluation a run can leave out (tests keep theirs short). */
export type EvaluationPart = 'finetune' | 'trust';

export interface FoldInput {
  fold: number;
  folds: number;
  seed: number;
  quick: boolean;
  skip?: ReadonlySet<EvaluationPart>;
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
  /** A step limit for every model the fold trains (tests); default: quick mode's 600, the full recipe otherwise. */
  maxSteps?: number;
  /** The training engine of every model the fold trains (default `auto`). */
  engine?: EngineChoice;
}

/**
 * A data set of normalised values from a sample table is an already chosen gene set (pancan33: 100 genes):
 * GexBERT's vocabulary is all of its genes (no expression floor, no gene-type filter, no wide model).
 */
export function isChosenGeneSet(data: LabelledCounts): boolean {
  return data.unit !== 'counts';
}

/** Vocabulary size of the full mode's second GexBERT (the imputation task's widest gene set). */
export const WIDE_VOCABULARY = 5000;

/**
 * Settings of the wide model beyond the recipe's: more query genes per step, so each of the 5,000 genes is
 * restored about as often in training as the recipe's 1,000 are (model/EXPERIMENTS.md section 10).
 */
export const WIDE_CONFIG: Partial<GexbertConfig> = { queryGenes: 320 };

interface TrainedModel {
  config: GexbertConfig;
  model: GexbertModel;
  view: ModelView;
}

/** Trains one GexBERT on the fold's training samples (the recipe; a step limit in quick mode), logging progress. */
async function trainFoldModel(
  input: FoldInput,
  counts: { train: ExpressionMatrix; test: ExpressionMatrix },
  ckptDir: string,
  options: { vocabularySize?: number; config?: Partial<GexbertConfig>; label: string },
): Promise<TrainedModel> {
  const { quick, log } = input;
  const maxSteps = input.maxSteps ?? (quick ? 600 : undefined);
  const timeLimit = quick ? 300 : undefined; // a safety net: 600 steps take ~60 s on an idle 2-core machine
  log(
    `training ${options.label} (${quick ? `quick: at most ${maxSteps} steps or ${timeLimit} s` : 'full recipe'}) into ${ckptDir}`,
  );
  let lastReport = 0;
  const { config, model, stats, metrics } = await trainCheckpoint(counts.train, {
    out: ckptDir,
    ...(options.vocabularySize === undefined ? {} : { vocabularySize: options.vocabularySize }),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(input.allowedGenes ? { allowedGenes: input.allowedGenes } : {}),
    ...(isChosenGeneSet(input.data) ? { minMean: 0 } : {}),
    seed: input.seed + input.fold,
    dataDescription: input.trainDescription,
    ...(maxSteps === undefined ? {} : { maxSteps }),
    ...(timeLimit === undefined ? {} : { timeLimitSeconds: timeLimit }),
    ...(input.engine === undefined ? {} : { engine: input.engine }),
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastReport < 10_000 && p.step < p.totalSteps) return;
      lastReport = now;
      log(`${options.label}: train step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)}`);
    },
  });
  input.note(
    `${options.label}${input.folds > 1 ? ` (fold ${input.fold + 1})` : ''}: recipe config (width ${config.width}, ${config.encoderLayers} encoder layers, ${config.inputGenes} input and ${config.queryGenes} query genes per sample and step), vocabulary ${stats.genes.length} genes, ${metrics.steps} optimiser steps in ${metrics.seconds.toFixed(0)} s${quick ? ` (--quick: at most ${maxSteps} steps or ${timeLimit} s${metrics.aborted ? '; stopped by the time limit' : ''})` : ''}; best validation loss ${metrics.bestValLoss?.toFixed(4) ?? 'n/a'}.`,
  );
  log(`${options.label}: trained ${metrics.steps} steps in ${metrics.seconds.toFixed(0)} s`);
  const predictor = await createOnnxPredictor(config, model.getWeights());
  const view = {
    vocab: stats.genes,
    stats,
    predictor,
    trainZ: zMatrix(stats, counts.train),
    testZ: zMatrix(stats, counts.test),
  };
  return { config, model, view };
}

/**
 * Trains GexBERT on the fold's training samples and builds its context; in full mode also the wide model
 * (`WIDE_VOCABULARY` genes).
 */
export async function prepareFold(input: FoldInput): Promise<FoldContext> {
  const { data, trainIdx, testIdx, quick, log } = input;
  const dir = input.folds === 1 ? input.out : path.join(input.out, `fold-${input.fold + 1}`);
  const counts = {
    train: toExpression(data.counts, trainIdx, data.unit),
    test: toExpression(data.counts, testIdx, data.unit),
  };
  const main = await trainFoldModel(input, counts, path.join(dir, 'checkpoint'), { label: 'GexBERT' });
  if (main.view.vocab.length < data.counts.geneIds.length && isChosenGeneSet(data))
    input.note(
      `GexBERT vocabulary: ${main.view.vocab.length} of the ${data.counts.geneIds.length} genes (the others are constant or mostly missing in the training samples).`,
    );
  let wide: TrainedModel | undefined;
  if (!quick && !isChosenGeneSet(data)) {
    try {
      wide = await trainFoldModel(input, counts, path.join(dir, `checkpoint-${WIDE_VOCABULARY}-genes`), {
        vocabularySize: WIDE_VOCABULARY,
        config: WIDE_CONFIG,
        label: `GexBERT-${WIDE_VOCABULARY}`,
      });
      wide.model.dispose(); // only its ONNX predictor is used
    } catch (err) {
      await main.view.predictor.release();
      main.model.dispose();
      throw err;
    }
  }
  return {
    fold: input.fold,
    folds: input.folds,
    seed: input.seed,
    quick,
    skip: input.skip ?? new Set(),
    log,
    dir,
    data,
    trainIdx,
    testIdx,
    trainLabels: trainIdx.map((i) => data.labels[i]!),
    testLabels: testIdx.map((i) => data.labels[i]!),
    trainCounts: counts.train,
    testCounts: counts.test,
    config: main.config,
    model: main.model,
    ...main.view,
    ...(wide ? { wide: wide.view } : {}),
    survival: input.survival,
    ...(input.allowedGenes ? { allowedGenes: input.allowedGenes } : {}),
    measurements: input.measurements,
    note: input.note,
  };
}

/** Frees the fold's model and onnxruntime sessions. */
export async function closeFold(fold: FoldContext): Promise<void> {
  await fold.predictor.release();
  await fold.wide?.predictor.release();
  fold.model.dispose();
}
