/**
 * `@gexbert/model/inference`: what the services, the CLI and the end-to-end tests use to run a trained
 * GexBERT. Serving opens a checkpoint with `openCheckpointPredictor` (onnxruntime, no tfjs) and asks it
 * for embeddings and restorations (`embed`, `restore`) of profiles brought to the model's z-scores by
 * the one log2(CPM + 1) (`toLog2Cpm`, `log2CpmValue`, `profileToZ`). The tfjs reference (`loadCheckpoint`
 * after `ready`) and `createOnnxPredictor` over `exportOnnx` are here for the tests that compare them.
 */

export { ready } from '../../engine/tf.ts';
export type { GexbertConfig } from '../architecture/config.ts';
export { exportOnnx } from '../onnx/export.ts';
export { loadCheckpoint, readVocabulary } from './checkpoint.ts';
export {
  embed,
  type InferOptions,
  type Predictor,
  type Profile,
  type RestoreResult,
  restore,
} from './infer.ts';
export {
  type ExpressionMatrix,
  log2CpmValue,
  log2OfZ,
  momentsOf,
  type NormStats,
  profileToZ,
  toLog2Cpm,
  vocabularyIndex,
} from './normalise.ts';
export { createOnnxPredictor, openCheckpointPredictor } from './predictor.ts';
