/**
 * Fine-tuned GexBERT classifier: a copy of a trained GexBERT's encoder plus a linear softmax head on its
 * pooled embedding, trained end to end with cross-entropy on a gene panel (the k panel genes are the only
 * input tokens, as in embedPanel).
 *
 *   tokens   = the panel genes with each sample's value level            (B, k)
 *   embed    = encoder, mean-pooled                                     (B, C)
 *              or gene-aligned: the k outputs side by side (pooling 'genes') (B, k*C)
 *   logits   = ((embed - mu) / sd) W + b                                (B, K)
 *
 * The head starts as the frozen-encoder logistic regression (linear probe, then fine-tune: Kumar et al.
 * 2022), so end-to-end training starts from the frozen method's solution. AdamW with a small learning
 * rate for the encoder and a larger one for the head; dropout at the model's rate; early stopping on a
 * stratified inner validation split of the given (training) rows; the epoch with the lowest validation
 * cross-entropy is kept (epoch 0 = the linear probe, so fine-tuning can only be kept when it helps on
 * validation). The model passed in is never changed. With `restorationWeight` > 0 every step also takes
 * a pretraining batch (masked restoration over every gene the inner training rows measured) and adds its
 * loss, times the weight, to the cross-entropy, so the encoder keeps restoring while it learns to classify.
 */
import { type Scalar, type Tensor, type Tensor1D, type Tensor2D, tf, type Variable } from '../engine/tf.ts';
import { linear } from '../gexbert/architecture/layers/ops.ts';
import {
  dropoutSites,
  GexbertModel,
  makeDropoutMasks,
  parameterSpecs,
} from '../gexbert/architecture/model.ts';
import { levelOf, type NormStats } from '../gexbert/inference/normalise.ts';
import { BatchSampler } from '../gexbert/training/batch.ts';
import { batchInputs, restorationLoss } from '../gexbert/training/engine-tfjs.ts';
import { AdamW } from '../gexbert/training/optim.ts';
import { Rng } from '../random/rng.ts';
import { encodeLabels, fitLogisticRegression } from '../stats/classify.ts';
import { fromRows, type Matrix, selectRows } from '../stats/matrix.ts';
import { stratifiedSplit } from '../stats/split.ts';

export interface FinetuneOptions {
  seed: number;
  /** AdamW learning rate of the encoder weights (default 2e-4). */
  encoderLr?: number;
  /** AdamW learning rate of the head (default 2e-3). */
  headLr?: number;
  /** Decoupled weight decay of the encoder's matrices (default 0.01; none on the head). */
  weightDecay?: number;
  /** At most this many epochs (default 6). */
  maxEpochs?: number;
  /** Stop after this many epochs without a lower validation cross-entropy (default 2). */
  patience?: number;
  /**
   * Rows per forward pass, in training and in the probe and predictions too (default 32). Attention
   * memory grows with batch x k^2: at k = 1,024, probe passes of 64 rows ran out of tfjs-wasm memory;
   * with every pass at 8 rows it ran.
   */
  batchSize?: number;
  /** Stratified fraction of the given rows held out for early stopping (default 0.2). */
  validationFraction?: number;
  /** Dropout rate while training (default: the model's). */
  dropout?: number;
  /** Also evaluate the inner training rows' cross-entropy after every epoch (costs a forward pass; default false). */
  traceTrainLoss?: boolean;
  /** What the head reads: the mean of the encoder outputs (default) or the k outputs side by side ('genes'). */
  pooling?: 'mean' | 'genes';
  /**
   * Fits the head's starting point on the frozen features of the inner training rows (default: the
   * evaluation's logistic regression). The features are (n x C) or, pooled 'genes', (n x k*C).
   */
  probe?: (features: Float32Array[], labels: string[]) => ProbeHead;
  /** Weight of the masked-restoration loss added at every step (default 0: none). */
  restorationWeight?: number;
}

/** A linear softmax head on standardised features: logits = ((x - mean) / sd) w + b; w is (F x K) row-major. */
export interface ProbeHead {
  classes: string[];
  mean: ArrayLike<number>;
  sd: ArrayLike<number>;
  w: Float32Array;
  b: Float32Array;
}

/** The default probe: the evaluation's logistic regression on the features. */
function logisticProbe(features: Float32Array[], labels: string[]): ProbeHead {
  const probe = fitLogisticRegression(fromRows(features), labels);
  const F = features[0]!.length;
  const K = probe.classes.length;
  const std = probe.standardizer!;
  return {
    classes: probe.classes,
    mean: std.mean,
    sd: std.sd,
    w: Float32Array.from(probe.params.subarray(0, F * K)),
    b: Float32Array.from(probe.params.subarray(F * K)),
  };
}

export interface FinetuneTrace {
  /**
   * Mean cross-entropy (no dropout) on the inner validation rows and (with traceTrainLoss) the inner
   * training rows, per epoch; index 0 = before fine-tuning (the linear probe).
   */
  trainLoss: number[];
  valLoss: number[];
  /** The epoch whose weights were kept (0 = the linear probe) and the epochs run. */
  bestEpoch: number;
  epochs: number;
  seconds: number;
}

export interface FinetunedClassifier {
  classes: string[];
  panel: number[];
  /** n x K class probabilities of the rows of a z matrix (samples x vocabulary). */
  predictProba(z: Matrix): Matrix;
  predict(z: Matrix): string[];
  trace: FinetuneTrace;
  /** Frees the copied model and the head. */
  dispose(): void;
}

const DEFAULTS = {
  encoderLr: 2e-4,
  headLr: 2e-3,
  weightDecay: 0.01,
  maxEpochs: 6,
  patience: 2,
  batchSize: 32,
  validationFraction: 0.2,
  pooling: 'mean' as 'mean' | 'genes',
  probe: logisticProbe,
  restorationWeight: 0,
};

/** The panel's tokens for some rows of a z matrix: gene ids and value levels, each (n*k). */
interface PanelTokens {
  n: number;
  k: number;
  geneIds: Int32Array;
  levelIds: Int32Array;
}

function panelTokens(stats: NormStats, z: Matrix, rows: ArrayLike<number>, panel: number[]): PanelTokens {
  const n = rows.length;
  const k = panel.length;
  const geneIds = new Int32Array(n * k);
  const levelIds = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const base = rows[i]! * z.cols;
    for (let t = 0; t < k; t++) {
      geneIds[i * k + t] = panel[t]!;
      levelIds[i * k + t] = levelOf(stats, z.data[base + panel[t]!]!);
    }
  }
  return { n, k, geneIds, levelIds };
}

/** Rows [from, to) of the tokens as (B, k) tensors. */
function tokenTensors(tok: PanelTokens, from: number, to: number): { geneIds: Tensor2D; levelIds: Tensor2D } {
  const B = to - from;
  return {
    geneIds: tf.tensor2d(tok.geneIds.subarray(from * tok.k, to * tok.k), [B, tok.k], 'int32'), // (B, k)
    levelIds: tf.tensor2d(tok.levelIds.subarray(from * tok.k, to * tok.k), [B, tok.k], 'int32'), // (B, k)
  };
}

/** The head: what it reads, standardisation constants (from the linear probe) and trainable W, b. */
interface Head {
  pooling: 'mean' | 'genes';
  mu: Tensor;
  sd: Tensor;
  w: Variable;
  b: Variable;
}

/** The model's encoder weights (embeddings and encoder blocks): the ones fine-tuning changes. */
function encoderWeightNames(model: GexbertModel): string[] {
  return parameterSpecs(model.config)
    .map((s) => s.name)
    .filter((n) => n.startsWith('emb.') || n.startsWith('enc.'));
}

/** The encoder outputs the head reads: (B, C) mean-pooled or (B, k*C) gene-aligned. */
function features(
  model: GexbertModel,
  pooling: 'mean' | 'genes',
  inputs: ReturnType<typeof tokenTensors>,
  drop?: Map<string, Tensor>,
): Tensor2D {
  const { embedding, hidden } = model.encode(inputs, drop); // (B, C), (B, k, C)
  if (pooling === 'mean') return embedding;
  const [B, k, C] = hidden.shape as [number, number, number];
  return tf.reshape(hidden, [B, k * C]) as Tensor2D; // (B, k*C)
}

/** logits = standardise(pooled encoder output) W + b. */
function logits(
  model: GexbertModel,
  head: Head,
  inputs: ReturnType<typeof tokenTensors>,
  drop?: Map<string, Tensor>,
): Tensor2D {
  const x = features(model, head.pooling, inputs, drop); // (B, F)
  const s = tf.div(tf.sub(x, head.mu), head.sd) as Tensor2D; // (B, F)
  return linear(s, head.w as unknown as Tensor2D, head.b as unknown as Tensor1D); // (B, K)
}

/** Mean cross-entropy of (B, K) logits against class indices. */
function crossEntropyLoss(z: Tensor2D, y: Int32Array): Scalar {
  const K = z.shape[1];
  const oneHot = tf.oneHot(tf.tensor1d(y, 'int32'), K); // (B, K)
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(z)), 1))) as Scalar; // ()
}

/** Class probabilities of all token rows (no dropout), in batches. */
function probabilities(model: GexbertModel, head: Head, tok: PanelTokens, batch: number): Float32Array {
  const K = head.b.shape[0]!;
  const out = new Float32Array(tok.n * K);
  for (let i = 0; i < tok.n; i += batch) {
    const to = Math.min(tok.n, i + batch);
    const p = tf.tidy(
      () => tf.softmax(logits(model, head, tokenTensors(tok, i, to))).dataSync() as Float32Array,
    );
    out.set(p, i * K);
  }
  return out;
}

function meanCrossEntropy(proba: Float32Array, y: Int32Array, K: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(Math.max(proba[i * K + y[i]!]!, 1e-12));
  return s / Math.max(1, y.length);
}

/** The linear probe on frozen features of the inner training rows, as the head's starting point. */
function probeHead(
  model: GexbertModel,
  stats: NormStats,
  z: Matrix,
  rows: number[],
  labels: string[],
  panel: number[],
  classes: number,
  o: Pick<typeof DEFAULTS, 'batchSize' | 'pooling' | 'probe'>,
): Head {
  const tok = panelTokens(stats, z, rows, panel);
  const F = o.pooling === 'mean' ? model.config.width : panel.length * model.config.width;
  const emb: Float32Array[] = [];
  for (let i = 0; i < tok.n; i += o.batchSize) {
    const to = Math.min(tok.n, i + o.batchSize);
    const e = tf.tidy(() => features(model, o.pooling, tokenTensors(tok, i, to)).dataSync() as Float32Array);
    for (let j = 0; j < to - i; j++) emb.push(e.slice(j * F, (j + 1) * F));
  }
  const probe = o.probe(emb, labels);
  const K = probe.classes.length;
  if (K !== classes)
    throw new RangeError(
      `finetune: the inner training split has ${K} of ${classes} classes; give every class at least 2 training samples`,
    );
  return {
    pooling: o.pooling,
    mu: tf.tensor1d(Float32Array.from(probe.mean)),
    sd: tf.tensor1d(Float32Array.from(probe.sd)),
    w: tf.variable(tf.tensor2d(probe.w, [F, K]), true),
    b: tf.variable(tf.tensor1d(probe.b), true),
  };
}

/** One optimiser state per parameter group: the encoder's weights and the head's. */
interface Trainable {
  vars: Variable[];
  values: Float32Array[];
  opt: AdamW;
  lr: number;
}

function trainable(vars: Variable[], decay: boolean[], lr: number, weightDecay: number): Trainable {
  const values = vars.map((v) => (v.dataSync() as Float32Array).slice());
  return {
    vars,
    values,
    opt: new AdamW(values, decay, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay }),
    lr,
  };
}

function applyStep(group: Trainable, grads: Float32Array[]): void {
  group.opt.step(grads, group.lr);
  group.vars.forEach((v, i) => {
    tf.tidy(() => v.assign(tf.tensor(group.values[i]!, v.shape, 'float32')));
  });
}

function snapshot(groups: Trainable[]): Float32Array[][] {
  return groups.map((g) => g.values.map((v) => v.slice()));
}

function restoreSnapshot(groups: Trainable[], snap: Float32Array[][]): void {
  groups.forEach((g, gi) => {
    g.vars.forEach((v, i) => {
      g.values[i]!.set(snap[gi]![i]!);
      tf.tidy(() => v.assign(tf.tensor(g.values[i]!, v.shape, 'float32')));
    });
  });
}

/**
 * Fine-tunes a copy of `model` with a softmax head to classify the rows of `z` (samples x vocabulary, the
 * model's z space) from the vocabulary genes in `panel`. Call `await ready()` first. `labels` has one
 * label per row of `z`; only these rows are used (pass the training rows only).
 */
export function finetuneClassifier(
  model: GexbertModel,
  stats: NormStats,
  z: Matrix,
  labels: string[],
  panel: number[],
  options: FinetuneOptions,
): FinetunedClassifier {
  if (labels.length !== z.rows) throw new RangeError(`finetune: ${labels.length} labels for ${z.rows} rows`);
  if (panel.length === 0 || panel.some((g) => !(Number.isInteger(g) && g >= 0 && g < z.cols)))
    throw new RangeError(`finetune: the panel must be non-empty vocabulary indices in [0, ${z.cols})`);
  const o = { ...DEFAULTS, ...options };
  const started = Date.now();
  const { classes, y } = encodeLabels(labels);
  const K = classes.length;
  const split = stratifiedSplit(labels, o.validationFraction, o.seed);
  const copy = GexbertModel.fromWeights(model.config, model.getWeights());
  let head: Head;
  try {
    head = probeHead(
      copy,
      stats,
      z,
      split.train,
      split.train.map((i) => labels[i]!),
      panel,
      K,
      o,
    );
  } catch (err) {
    copy.dispose();
    throw err;
  }
  const trainTok = panelTokens(stats, z, split.train, panel);
  const valTok = panelTokens(stats, z, split.test, panel);
  const yTrain = Int32Array.from(split.train, (i) => y[i]!);
  const yVal = Int32Array.from(split.test, (i) => y[i]!);
  const names = encoderWeightNames(copy);
  const specs = new Map(parameterSpecs(copy.config).map((s) => [s.name, s]));
  const groups = [
    trainable(
      names.map((n) => copy.p<Variable>(n)),
      names.map((n) => specs.get(n)!.decay),
      o.encoderLr,
      o.weightDecay,
    ),
    trainable([head.w, head.b], [false, false], o.headLr, 0),
  ];
  const vars = groups.flatMap((g) => g.vars);
  const rate = o.dropout ?? copy.config.dropout;
  const rng = Rng.derive(o.seed, 'finetune');
  const restoration =
    o.restorationWeight > 0
      ? {
          weight: o.restorationWeight,
          sampler: new BatchSampler(Float32Array.from(selectRows(z, split.train).data), z.cols, copy.config),
        }
      : null;
  const evaluate = () => ({
    train: o.traceTrainLoss
      ? meanCrossEntropy(probabilities(copy, head, trainTok, o.batchSize), yTrain, K)
      : Number.NaN,
    val: meanCrossEntropy(probabilities(copy, head, valTok, o.batchSize), yVal, K),
  });
  const first = evaluate();
  const trace: FinetuneTrace = {
    trainLoss: [first.train],
    valLoss: [first.val],
    bestEpoch: 0,
    epochs: 0,
    seconds: 0,
  };
  let best = snapshot(groups);
  const order = Int32Array.from({ length: trainTok.n }, (_, i) => i);
  for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
    rng.shuffle(order);
    for (let i = 0; i < order.length; i += o.batchSize) {
      const rows = order.subarray(i, Math.min(order.length, i + o.batchSize));
      trainStep(copy, head, trainTok, rows, yTrain, vars, groups, rate, rng, restoration);
    }
    const e = evaluate();
    trace.epochs = epoch;
    trace.trainLoss.push(e.train);
    trace.valLoss.push(e.val);
    if (e.val < trace.valLoss[trace.bestEpoch]!) {
      trace.bestEpoch = epoch;
      best = snapshot(groups);
    } else if (epoch - trace.bestEpoch >= o.patience) break;
  }
  restoreSnapshot(groups, best);
  trace.seconds = (Date.now() - started) / 1000;
  const predictProba = (zNew: Matrix): Matrix => {
    const tok = panelTokens(
      stats,
      zNew,
      Array.from({ length: zNew.rows }, (_, i) => i),
      panel,
    );
    return { rows: zNew.rows, cols: K, data: Float64Array.from(probabilities(copy, head, tok, o.batchSize)) };
  };
  return {
    classes,
    panel: [...panel],
    predictProba,
    predict: (zNew) => {
      const p = predictProba(zNew);
      return Array.from({ length: p.rows }, (_, i) => {
        let bestC = 0;
        for (let c = 1; c < K; c++) if (p.data[i * K + c]! > p.data[i * K + bestC]!) bestC = c;
        return classes[bestC]!;
      });
    },
    trace,
    dispose: () => {
      copy.dispose();
      for (const t of [head.mu, head.sd, head.w, head.b]) t.dispose();
    },
  };
}

/** One AdamW step of both groups on a batch of the inner training rows (with dropout). */
function trainStep(
  model: GexbertModel,
  head: Head,
  tok: PanelTokens,
  rows: Int32Array,
  y: Int32Array,
  vars: Variable[],
  groups: Trainable[],
  rate: number,
  rng: Rng,
  restoration: { weight: number; sampler: BatchSampler } | null,
): void {
  const B = rows.length;
  const batch = panelTokensOf(tok, rows);
  const yb = Int32Array.from(rows, (r) => y[r]!);
  const masks = makeDropoutMasks(dropoutSites(model.config, B, tok.k, 0), rate, rng);
  const grads = tf.tidy(() => {
    const drop = new Map<string, Tensor>();
    for (const s of dropoutSites(model.config, B, tok.k, 0)) {
      const m = masks.get(s.name);
      if (m) drop.set(s.name, tf.tensor(m, s.shape, 'float32'));
    }
    const inputs = tokenTensors(batch, 0, B);
    // the same rows' pretraining task (whole measured profiles), without dropout
    const pre = restoration ? restoration.sampler.sample(rows, rng) : null;
    const preInputs = pre ? batchInputs(pre) : null;
    const { grads: g } = tf.variableGrads(() => {
      const ce = crossEntropyLoss(logits(model, head, inputs, drop), yb);
      if (!(restoration && pre && preInputs)) return ce;
      const r = restorationLoss(model.forward(preInputs), pre);
      return tf.add(ce, tf.mul(r, restoration.weight)) as Scalar;
    }, vars);
    return vars.map((v) => {
      const gv = g[v.name];
      return gv ? (gv.dataSync() as Float32Array).slice() : new Float32Array(v.size);
    });
  });
  let offset = 0;
  for (const group of groups) {
    applyStep(group, grads.slice(offset, offset + group.vars.length));
    offset += group.vars.length;
  }
}

/** Some rows of a token set, as a token set. */
function panelTokensOf(tok: PanelTokens, rows: Int32Array): PanelTokens {
  const { k } = tok;
  const geneIds = new Int32Array(rows.length * k);
  const levelIds = new Int32Array(rows.length * k);
  rows.forEach((r, i) => {
    geneIds.set(tok.geneIds.subarray(r * k, (r + 1) * k), i * k);
    levelIds.set(tok.levelIds.subarray(r * k, (r + 1) * k), i * k);
  });
  return { n: rows.length, k, geneIds, levelIds };
}

/** Mean cross-entropy of a fine-tuned classifier on rows of a z matrix with known labels. */
export function classifierCrossEntropy(clf: FinetunedClassifier, z: Matrix, labels: string[]): number {
  const p = clf.predictProba(z);
  const index = new Map(clf.classes.map((c, i) => [c, i]));
  let s = 0;
  labels.forEach((l, i) => {
    const c = index.get(l);
    if (c === undefined) throw new RangeError(`finetune: label ${l} was not seen in training`);
    s -= Math.log(Math.max(p.data[i * p.cols + c]!, 1e-12));
  });
  return s / Math.max(1, labels.length);
}
