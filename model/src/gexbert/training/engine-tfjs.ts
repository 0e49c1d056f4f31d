/**
 * The TensorFlow.js training engine: forward pass, restoration loss and gradients with tf.variableGrads.
 * Weights live in the model's tf.Variables; the optimiser (optim.ts) runs on copies in JavaScript and
 * writes them back with `setWeights` after each step.
 */
import { type Scalar, type Tensor, tf } from '../../engine/tf.ts';
import type { GexbertModel, ModelInputs, ModelOutputs } from '../architecture/model.ts';
import { dropoutSites } from '../architecture/model.ts';
import type { TokenBatch, TrainBatch } from './batch.ts';

export interface LossAndGrads {
  loss: number;
  grads: Float32Array[];
}

/** What every training engine provides (tfjs here, onnxruntime in engine-ort.ts). */
export interface TrainingEngine {
  readonly name: string;
  /**
   * Use these weights (parameterSpecs order). Engines may keep the arrays by reference: the trainer
   * updates them in place and calls setWeights again after each optimiser step.
   */
  setWeights(weights: Float32Array[]): void;
  /**
   * Mean restoration loss and its gradients (parameterSpecs order) on a batch, with the trainer's
   * dropout masks (none: no dropout). Engines draw no random numbers of their own.
   */
  lossAndGrads(batch: TrainBatch, drop?: Map<string, Float32Array>): LossAndGrads | Promise<LossAndGrads>;
  /** Mean restoration loss without dropout. */
  loss(batch: TrainBatch): number | Promise<number>;
  dispose(): void | Promise<void>;
}

/** The batch's arrays as tensors (caller disposes, e.g. inside tf.tidy). */
export function batchInputs(b: TokenBatch): ModelInputs {
  const inputs: ModelInputs = {
    geneIds: tf.tensor2d(b.geneIds, [b.B, b.T], 'int32'), // (B, T)
    levelIds: tf.tensor2d(b.levelIds, [b.B, b.T], 'int32'), // (B, T)
  };
  if (b.padded) inputs.tokenMask = tf.tensor2d(b.tokenMask, [b.B, b.T], 'float32'); // (B, T)
  if (b.Q > 0) inputs.queryIds = tf.tensor2d(b.queryIds, [b.B, b.Q], 'int32'); // (B, Q)
  return inputs;
}

/** Weighted MSE over masked tokens and query genes, divided by the number of restored values. */
export function restorationLoss(out: ModelOutputs, b: TrainBatch): Scalar {
  const tokErr = tf.mul(
    tf.square(tf.sub(out.tokenValues, tf.tensor2d(b.tokenTarget, [b.B, b.T]))),
    tf.tensor2d(b.tokenWeight, [b.B, b.T]),
  ); // (B, T)
  let total = tf.sum(tokErr); // ()
  if (out.queryValues) {
    const qErr = tf.mul(
      tf.square(tf.sub(out.queryValues, tf.tensor2d(b.queryTarget, [b.B, b.Q]))),
      tf.tensor2d(b.queryWeight, [b.B, b.Q]),
    ); // (B, Q)
    total = tf.add(total, tf.sum(qErr)); // ()
  }
  return tf.div(total, Math.max(1, b.weightSum)) as Scalar; // ()
}

export class TfjsEngine implements TrainingEngine {
  readonly name = 'tfjs';

  constructor(readonly model: GexbertModel) {}

  setWeights(weights: Float32Array[]): void {
    let k = 0;
    for (const v of this.model.params.values()) {
      const w = weights[k++];
      if (!w || w.length !== v.size) throw new Error(`setWeights: weight ${v.name} has the wrong size`);
      tf.tidy(() => v.assign(tf.tensor(w, v.shape, 'float32')));
    }
  }

  lossAndGrads(batch: TrainBatch, drop?: Map<string, Float32Array>): LossAndGrads {
    const vars = [...this.model.params.values()];
    let loss = 0;
    const grads: Float32Array[] = [];
    tf.tidy(() => {
      const inputs = batchInputs(batch);
      const masks = dropTensors(this.model, batch, drop);
      const { value, grads: g } = tf.variableGrads(
        () => restorationLoss(this.model.forward(inputs, masks), batch),
        vars,
      );
      loss = value.dataSync()[0]!;
      for (const v of vars) {
        const gv = g[v.name];
        grads.push(gv ? (gv.dataSync() as Float32Array).slice() : new Float32Array(v.size));
      }
    });
    return { loss, grads };
  }

  loss(batch: TrainBatch): number {
    return tf.tidy(() => restorationLoss(this.model.forward(batchInputs(batch)), batch).dataSync()[0]!);
  }

  dispose(): void {}
}

function dropTensors(
  model: GexbertModel,
  b: TokenBatch,
  drop?: Map<string, Float32Array>,
): Map<string, Tensor> | undefined {
  if (!drop || drop.size === 0) return undefined;
  const out = new Map<string, Tensor>();
  for (const s of dropoutSites(model.config, b.B, b.T, b.Q)) {
    const m = drop.get(s.name);
    if (m) out.set(s.name, tf.tensor(m, s.shape, 'float32'));
  }
  return out;
}
