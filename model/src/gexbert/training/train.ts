/**
 * Pretraining: restore masked inputs and unseen query genes (see batch.ts), MSE loss, AdamW with linear
 * warm-up and cosine decay, global-norm clipping, dropout, a held-out validation split with early
 * stopping on its restoration loss. Every random choice comes from Rng streams derived from
 * config.seed, so a fixed seed gives an identical run (same engine, same backend).
 *
 * With `resume`, the complete training state is saved every few steps and on abort (resume.ts), and a
 * run started with a saved state continues from it: an interrupted and resumed run gives the same
 * weights and log as an uninterrupted one, with or without `resume` (dropout masks always come from the
 * trainer's Rng, never from the engine). Engine choice and its failures: engine.ts.
 */
import { ready } from '../../engine/tf.ts';
import { Rng } from '../../random/rng.ts';
import { type GexbertConfig, parameterCount, validateConfig } from '../architecture/config.ts';
import {
  dropoutSites,
  GexbertModel,
  initialWeights,
  makeDropoutMasks,
  parameterSpecs,
  type WeightEntry,
} from '../architecture/model.ts';
import { BatchSampler, type TrainBatch } from './batch.ts';
import { type EngineChoice, type EngineFactory, resolveEngine } from './engine.ts';
import type { TrainingEngine } from './engine-tfjs.ts';
import { JsonlLog } from './log.ts';
import { AdamW, clipByGlobalNorm, learningRate } from './optim.ts';
import {
  checkFingerprint,
  loadTrainingState,
  runFingerprint,
  saveTrainingState,
  type TrainingState,
} from './resume.ts';

/** A z-scored training corpus: nSamples x V (vocabulary order), NaN = missing. */
export interface Corpus {
  z: Float32Array;
  nSamples: number;
}

export interface ProgressInfo {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  samplesPerSec: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface EvalInfo {
  epoch: number;
  step: number;
  /** Mean training loss over the epoch(s) since the last evaluation. */
  trainLoss: number;
  /** Restoration loss on the validation split (fixed draws, no dropout); undefined without a split. */
  valLoss?: number;
  bestValLoss?: number;
  bestEpoch?: number;
}

export interface TrainMetrics {
  /** The engine that trained (tfjs after a fallback). */
  engine: string;
  /** Why `auto` did not train with onnxruntime (the warning), when it fell back. */
  engineWarning?: string;
  parameters: number;
  steps: number;
  epochs: number;
  trainSamples: number;
  validationSamples: number;
  finalTrainLoss: number;
  bestValLoss?: number;
  bestEpoch?: number;
  /** Validation loss of predicting 0 (the per-gene training mean) for every restored value. */
  valMeanBaselineLoss?: number;
  stoppedEarly: boolean;
  /** The AbortSignal ended the run. */
  aborted: boolean;
  seconds: number;
  trainSamplesPerSec: number;
}

export interface PretrainOptions {
  config: GexbertConfig;
  corpus: Corpus;
  /**
   * Who computes loss and gradients: `onnxruntime` (the hand-written ONNX training graph; ~7x faster
   * than tfjs-wasm on this machine), `tfjs` (TensorFlow.js on the backend engine/tf.ts chose), `auto`
   * (onnxruntime if it starts, else tfjs with a warning), or a factory. Default: `auto` (the platform
   * passes its GEXBERT_TRAIN_ENGINE setting). A named engine that fails to start is an error (engine.ts).
   */
  engine?: EngineChoice | EngineFactory;
  /** Told of a fallback (auto: onnxruntime failed, training with tfjs); default: a line on stderr. */
  onWarning?: (message: string) => void;
  /** onnxruntime intra-op threads (default: onnxruntime's choice, all cores). */
  engineThreads?: number;
  /** Start from these weights instead of a fresh initialisation. */
  initialWeights?: WeightEntry[];
  onProgress?: (p: ProgressInfo) => void;
  /** Report progress every this many steps (default 10; the last step is always reported). */
  progressEvery?: number;
  onEval?: (e: EvalInfo) => void;
  /** Write the JSONL log here as training goes. */
  logFile?: string;
  /** Stop after this many optimiser steps (the schedule is then fitted to them). */
  maxSteps?: number;
  signal?: AbortSignal;
  /**
   * Save the complete training state to `dir` every `everySteps` optimiser steps (default 50) and on
   * abort, and continue from the state found there at the start. A state saved by a run with another
   * config, step limit, corpus or initial weights is refused. Resuming trains the same model as the
   * uninterrupted run, with or without `resume`.
   */
  resume?: { dir: string; everySteps?: number };
  /** Called once when training continues from a saved state. */
  onResume?: (from: ResumeInfo) => void;
}

export interface ResumeInfo {
  dir: string;
  /** Optimiser steps already taken. */
  step: number;
  totalSteps: number;
  epoch: number;
}

export interface PretrainResult {
  /** The model with the best validation weights (or the last ones without a validation split). */
  model: GexbertModel;
  history: EvalInfo[];
  metrics: TrainMetrics;
  log: JsonlLog;
  split: { train: number[]; validation: number[] };
  /** Set when the run continued from a saved state. */
  resumedFrom?: ResumeInfo;
}

/** Shuffle samples with the seed and hold out round(fraction * n) of them (at least 1 if fraction > 0). */
export function splitSamples(
  n: number,
  fraction: number,
  seed: number,
): { train: number[]; validation: number[] } {
  const idx = Array.from({ length: n }, (_, i) => i);
  Rng.derive(seed, 'split').shuffle(idx);
  let nVal = fraction > 0 ? Math.max(1, Math.round(n * fraction)) : 0;
  if (n - nVal < 1) nVal = Math.max(0, n - 1);
  return {
    validation: idx.slice(0, nVal).sort((a, b) => a - b),
    train: idx.slice(nVal).sort((a, b) => a - b),
  };
}

export async function pretrain(opts: PretrainOptions): Promise<PretrainResult> {
  await ready();
  const config = validateConfig(opts.config);
  const V = config.vocabSize;
  const { corpus } = opts;
  if (corpus.z.length !== corpus.nSamples * V) {
    throw new Error(
      `corpus has ${corpus.z.length} values; expected nSamples ${corpus.nSamples} x vocabSize ${V}`,
    );
  }
  const split = splitSamples(corpus.nSamples, config.validationFraction, config.seed);
  const B = config.batchSize;
  const stepsPerEpoch = Math.ceil(split.train.length / B);
  const plannedSteps = config.epochs * stepsPerEpoch;
  const totalSteps = Math.min(plannedSteps, opts.maxSteps ?? Number.POSITIVE_INFINITY);

  const resumeDir = opts.resume?.dir;
  const saveEvery = Math.max(1, Math.floor(opts.resume?.everySteps ?? 50));
  const fingerprint = resumeDir ? runFingerprint(config, totalSteps, corpus, opts.initialWeights) : undefined;
  const saved = resumeDir ? loadTrainingState(resumeDir) : undefined;
  if (saved && resumeDir && fingerprint) checkFingerprint(resumeDir, saved.fingerprint, fingerprint);

  const sampler = new BatchSampler(corpus.z, V, config);
  const specs = parameterSpecs(config);
  const weights = saved
    ? specs.map((s, k) => ({ name: s.name, shape: s.shape, data: saved.weights[k]! }))
    : (opts.initialWeights ?? initialWeights(config));
  const model = GexbertModel.fromWeights(config, weights);
  const { engine, warning: engineWarning } = await startEngine(model, opts);
  // After the engine started: a run that cannot start leaves no log file behind.
  const log = new JsonlLog(opts.logFile, saved?.log);
  const byName = new Map(weights.map((w) => [w.name, w.data]));
  const master = specs.map((s) => Float32Array.from(byName.get(s.name)!));
  engine.setWeights(master);
  const optimiser = new AdamW(
    master,
    specs.map((s) => s.decay),
    { beta1: config.beta1, beta2: config.beta2, eps: config.adamEps, weightDecay: config.weightDecay },
  );

  const dataRng = Rng.derive(config.seed, 'data');
  const dropRng = Rng.derive(config.seed, 'dropout');

  // Fixed validation draws, so losses are comparable between evaluations.
  const valRng = Rng.derive(config.seed, 'validation');
  const valBatches: TrainBatch[] = [];
  for (let i = 0; i < split.validation.length; i += B)
    valBatches.push(sampler.sample(split.validation.slice(i, i + B), valRng));
  const valBaseline = valBatches.length > 0 ? meanBaseline(valBatches) : undefined;

  if (!saved) {
    log.write({
      type: 'start',
      engine: engine.name,
      config,
      parameters: parameterCount(config),
      trainSamples: split.train.length,
      validationSamples: split.validation.length,
      stepsPerEpoch,
      totalSteps,
      valMeanBaselineLoss: valBaseline,
    });
  }

  const history: EvalInfo[] = [];
  const progressEvery = Math.max(1, opts.progressEvery ?? 10);
  let best: { loss: number; epoch: number; weights: Float32Array[] } | undefined;
  let sinceBest = 0;
  let stoppedEarly = false;
  let step = 0;
  let trainSeconds = 0;
  let samplesSeen = 0;
  let lossSum = 0;
  let lossCount = 0;
  let lastLoss = Number.NaN;
  let t0 = performance.now();
  let startEpoch = 1;
  let resumedFrom: ResumeInfo | undefined;
  let resumePoint: { order: number[]; position: number } | undefined;

  if (saved && resumeDir) {
    restoreOptimiser(optimiser, saved);
    sampler.setPoolState(saved.pools);
    dataRng.setState(saved.rngs.data!);
    dropRng.setState(saved.rngs.dropout!);
    history.push(...(saved.history as unknown as EvalInfo[]));
    if (saved.best && saved.bestWeights)
      best = { loss: saved.best.loss, epoch: saved.best.epoch, weights: saved.bestWeights };
    sinceBest = saved.sinceBest;
    step = saved.step;
    trainSeconds = saved.trainSeconds;
    samplesSeen = saved.samplesSeen;
    lossSum = saved.lossSum;
    lossCount = saved.lossCount;
    lastLoss = saved.lastLoss ?? Number.NaN;
    t0 -= saved.elapsedSeconds * 1000;
    startEpoch = saved.epoch;
    resumePoint = { order: saved.order, position: saved.position };
    resumedFrom = { dir: resumeDir, step, totalSteps, epoch: saved.epoch };
    opts.onResume?.(resumedFrom);
  }
  let savedStep = saved?.step ?? -1;
  const saveState = (epoch: number, order: number[], position: number) => {
    if (!resumeDir || !fingerprint) return;
    saveTrainingState(resumeDir, {
      fingerprint,
      step,
      epoch,
      position,
      order,
      optimiserStep: optimiser.t,
      rngs: { data: dataRng.getState(), dropout: dropRng.getState() },
      best: best ? { loss: best.loss, epoch: best.epoch } : null,
      sinceBest,
      lossSum,
      lossCount,
      lastLoss: Number.isNaN(lastLoss) ? null : lastLoss,
      samplesSeen,
      trainSeconds,
      elapsedSeconds: (performance.now() - t0) / 1000,
      history: history.map((h) => ({ ...h })),
      log: log.records,
      weights: master,
      moment1: optimiser.m,
      moment2: optimiser.v,
      bestWeights: best ? best.weights : null,
      pools: sampler.poolState(),
    });
    savedStep = step;
  };

  let aborted = false;
  for (let epoch = startEpoch; epoch <= config.epochs && step < totalSteps && !aborted; epoch++) {
    let order: number[];
    let first = 0;
    if (resumePoint && epoch === startEpoch) {
      order = resumePoint.order;
      first = resumePoint.position;
    } else {
      order = [...split.train];
      dataRng.shuffle(order);
    }
    for (let i = first; i < order.length && step < totalSteps; i += B) {
      // A clean point: `step` steps taken, about to train on order[i...] of this epoch.
      if (opts.signal?.aborted) {
        if (step !== savedStep) saveState(epoch, order, i);
        aborted = true;
        break;
      }
      if (step > 0 && step % saveEvery === 0 && step !== savedStep) saveState(epoch, order, i);
      const ts = performance.now();
      const batch = sampler.sample(order.slice(i, i + B), dataRng);
      const drop =
        config.dropout > 0
          ? makeDropoutMasks(dropoutSites(config, batch.B, batch.T, batch.Q), config.dropout, dropRng)
          : undefined;
      const { loss, grads } = await engine.lossAndGrads(batch, drop);
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at step ${step}`);
      const gradNorm = clipByGlobalNorm(grads, config.clipNorm);
      const lr = learningRate(config, step, totalSteps);
      optimiser.step(grads, lr);
      engine.setWeights(master);
      step += 1;
      trainSeconds += (performance.now() - ts) / 1000;
      samplesSeen += batch.B;
      lossSum += loss;
      lossCount += 1;
      lastLoss = loss;
      if (step % progressEvery === 0 || step === totalSteps) {
        const sps = samplesSeen / Math.max(trainSeconds, 1e-9);
        const info: ProgressInfo = {
          step,
          totalSteps,
          epoch,
          loss,
          lr,
          gradNorm,
          samplesPerSec: sps,
          elapsedSeconds: (performance.now() - t0) / 1000,
          etaSeconds: ((totalSteps - step) * trainSeconds) / step,
        };
        log.write({ type: 'step', ...info });
        opts.onProgress?.(info);
      }
    }
    const lastEpoch = epoch === config.epochs || step >= totalSteps || aborted;
    if (epoch % config.evalEveryEpochs === 0 || lastEpoch) {
      const info: EvalInfo = { epoch, step, trainLoss: lossSum / Math.max(1, lossCount) };
      lossSum = 0;
      lossCount = 0;
      if (valBatches.length > 0) {
        const valLoss = await evaluate(engine, valBatches);
        info.valLoss = valLoss;
        if (!best || valLoss < best.loss) {
          best = { loss: valLoss, epoch, weights: master.map((w) => w.slice()) };
          sinceBest = 0;
        } else {
          sinceBest += 1;
        }
        info.bestValLoss = best.loss;
        info.bestEpoch = best.epoch;
      }
      history.push(info);
      log.write({ type: 'eval', ...info });
      opts.onEval?.(info);
      if (config.patience > 0 && sinceBest >= config.patience) {
        stoppedEarly = true;
        break;
      }
    }
  }

  const finalWeights = best ? best.weights : master;
  model.setWeights(specs.map((s, k) => ({ name: s.name, shape: s.shape, data: finalWeights[k]! })));
  await engine.dispose();
  const seconds = (performance.now() - t0) / 1000;
  const metrics: TrainMetrics = {
    engine: engine.name,
    ...(engineWarning === undefined ? {} : { engineWarning }),
    parameters: parameterCount(config),
    steps: step,
    epochs: history.at(-1)?.epoch ?? 0,
    trainSamples: split.train.length,
    validationSamples: split.validation.length,
    finalTrainLoss: lastLoss,
    bestValLoss: best?.loss,
    bestEpoch: best?.epoch,
    valMeanBaselineLoss: valBaseline,
    stoppedEarly,
    aborted,
    seconds,
    trainSamplesPerSec: samplesSeen / Math.max(trainSeconds, 1e-9),
  };
  log.write({ type: 'end', ...metrics });
  log.close();
  return { model, history, metrics, log, split, ...(resumedFrom ? { resumedFrom } : {}) };
}

/** The run's engine (engine.ts) and the fallback warning, if any; the model is freed when none starts. */
async function startEngine(
  model: GexbertModel,
  opts: PretrainOptions,
): Promise<{ engine: TrainingEngine; warning?: string }> {
  let warning: string | undefined;
  const warn = opts.onWarning ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  try {
    const factory = resolveEngine(opts.engine ?? 'auto', {
      warn: (message) => {
        warning = message;
        warn(message);
      },
      ...(opts.engineThreads === undefined ? {} : { threads: opts.engineThreads }),
    });
    const engine = await factory(model);
    return warning === undefined ? { engine } : { engine, warning };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** Put a saved optimiser state (moments and step count) into the live optimiser. */
function restoreOptimiser(optimiser: AdamW, saved: TrainingState): void {
  const sizes = optimiser.params.map((p) => p.length);
  const fits = (arrays: Float32Array[]) =>
    arrays.length === sizes.length && arrays.every((a, k) => a.length === sizes[k]);
  if (!fits(saved.moment1) || !fits(saved.moment2))
    throw new Error('resume state: optimiser moments do not match the model; delete the resume folder');
  for (let k = 0; k < sizes.length; k++) {
    optimiser.m[k]!.set(saved.moment1[k]!);
    optimiser.v[k]!.set(saved.moment2[k]!);
  }
  optimiser.t = saved.optimiserStep;
}

/** Restoration loss over fixed batches (weighted by the number of restored values). */
export async function evaluate(engine: TrainingEngine, batches: TrainBatch[]): Promise<number> {
  let sum = 0;
  let n = 0;
  for (const b of batches) {
    sum += (await engine.loss(b)) * b.weightSum;
    n += b.weightSum;
  }
  return sum / Math.max(1, n);
}

/** Loss of predicting 0 (z of the per-gene mean) for every restored value. */
export function meanBaseline(batches: TrainBatch[]): number {
  let sum = 0;
  let n = 0;
  for (const b of batches) {
    for (let i = 0; i < b.tokenTarget.length; i++) sum += b.tokenWeight[i]! * b.tokenTarget[i]! ** 2;
    for (let i = 0; i < b.queryTarget.length; i++) sum += b.queryWeight[i]! * b.queryTarget[i]! ** 2;
    n += b.weightSum;
  }
  return sum / Math.max(1, n);
}
