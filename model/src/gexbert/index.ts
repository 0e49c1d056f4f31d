/**
 * GexBERT as a library: import from '@gexbert/model/gexbert/index'.
 *
 *   const info = await ready();                                  // engine/tf.ts: picks the tfjs backend
 *   const vocab = selectVocabulary(matrix, { k: 1000, allowed: proteinCoding, minMean: 1 });
 *   const stats = fitNormaliser(matrix, vocab, { levels: 64, zRange: 3 });
 *   const config = makeConfig({ vocabSize: vocab.length });
 *   const run = await pretrain({ config, corpus: { z: matrixToZ(stats, matrix), nSamples: matrix.nSamples } });
 *   saveModel('ckpt/', run.model, stats, { trainingLog: run.log.text(), metrics: { ...run.metrics } });
 *   const { model } = loadCheckpoint('ckpt/');
 *   const { embeddings } = await embed(model, stats, profiles);
 *   const restored = await restore(model, stats, profiles, ['GENE1', 'GENE2']);
 *   writeFileSync('gexbert.onnx', exportOnnx(config, model.getWeights()));
 */
export { type BackendInfo, backendInfo, describeBackend, ready } from '../engine/tf.ts';
export { Rng, type RngState } from '../random/rng.ts';
export {
  ConfigError,
  defaultConfig,
  type GexbertConfig,
  makeConfig,
  maskedCount,
  parameterCount,
  validateConfig,
} from './architecture/config.ts';
export { GexbertModel, initialWeights, parameterSpecs, type WeightEntry } from './architecture/model.ts';
export {
  type CheckpointContents,
  type LoadedCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  saveModel,
} from './inference/checkpoint.ts';
export {
  type EmbedResult,
  embed,
  type InferOptions,
  type Predictor,
  type Profile,
  type RestoreResult,
  restore,
  tfjsPredictor,
} from './inference/infer.ts';
export {
  type ExpressionMatrix,
  fitNormaliser,
  fromZ,
  levelOf,
  matrixToLog2Cpm,
  matrixToZ,
  type NormStats,
  profileToZ,
  selectVocabulary,
  toLog2Cpm,
  type Unit,
} from './inference/normalise.ts';
export { createOnnxPredictor, type OnnxPredictor } from './inference/predictor.ts';
export { exportOnnx, type OnnxExportOptions } from './onnx/export.ts';
export { BatchSampler, type TokenBatch, type TrainBatch } from './training/batch.ts';
export { type EngineChoice, type EngineFactory, resolveEngine } from './training/engine.ts';
export { TfjsEngine, type TrainingEngine } from './training/engine-tfjs.ts';
export { JsonlLog } from './training/log.ts';
export { AdamW, clipByGlobalNorm, learningRate } from './training/optim.ts';
export { loadTrainingState, removeTrainingState, STATE_FILE } from './training/resume.ts';
export {
  type Corpus,
  type EvalInfo,
  type PretrainOptions,
  type PretrainResult,
  type ProgressInfo,
  pretrain,
  type ResumeInfo,
  type TrainMetrics,
} from './training/train.ts';
