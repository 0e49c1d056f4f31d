/**
 * A variational autoencoder for imputing masked expression values, the imputation baseline trained with
 * the same library as GexBERT (TensorFlow.js). Dense layers only:
 *   x (B, G) -> ReLU MLP -> (mu, logvar) (B, L) -> z = mu + exp(logvar / 2) * eps -> ReLU MLP -> x^ (B, G)
 * Genes are standardised with the training rows' mean and sd. Training is denoising: a random fraction of
 * each input row is hidden (set to the training mean, 0 after standardising; the observed entries are scaled
 * by genes / observed genes, as in inverted dropout, so the input's scale does not depend on the missing
 * rate) and the whole clean row is the target; the loss is the Gaussian (unit variance) reconstruction error plus a KL term whose weight warms up.
 * Adam, seeded, early stopping on the masked-entry error of an inner validation split of the training rows.
 * Imputation starts the missing entries at the training mean, then encodes and decodes (mean path, no
 * sampling) a few times, replacing only the missing entries with the decoder mean.
 */
import {
  type GradSaveFunc,
  ready,
  type Scalar,
  type Tensor,
  type Tensor2D,
  tf,
  type Variable,
} from '../engine/tf.ts';
import {
  createRandom,
  type Random,
  randomNormal,
  sampleWithoutReplacement,
  shuffleInPlace,
} from '../random/random.ts';
import { type Matrix, selectRows, zeros } from '../stats/matrix.ts';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../stats/standardize.ts';

/** Options of {@link fitVae}. */
export interface VaeOptions {
  /** Width of the hidden layer of the encoder and the decoder (default 256). */
  hidden?: number;
  /** Latent dimensions (default 32). */
  latent?: number;
  /** Most epochs (default 300). */
  maxEpochs?: number;
  /** Stop after this many epochs without a better validation error (default 20). */
  patience?: number;
  /** Rows per Adam step (default 64). */
  batchSize?: number;
  /** Adam learning rate (default 2e-3). */
  learningRate?: number;
  /**
   * Final weight of the KL term relative to the unit-variance Gaussian reconstruction term (1 = the ELBO;
   * default 0.01: the reconstruction error of standardised genes is well below the unit variance).
   */
  klWeight?: number;
  /** Epochs over which the KL weight rises linearly from 0 (default 20). */
  klWarmupEpochs?: number;
  /** Range of the per-row fraction of inputs hidden during training (default [0.1, 0.9]). */
  maskRateRange?: [number, number];
  /** Fraction of the training rows held out for early stopping (default 0.15). */
  validationFraction?: number;
  /** Most encode -> decode passes when imputing (default 5); the number used is chosen on the validation rows. */
  maxIterations?: number;
  /** Stop training after this many seconds (default none). */
  timeLimitSeconds?: number;
  seed?: number;
  /** Progress lines (about every 10 s). */
  log?: (line: string) => void;
}

/** A trained VAE imputer. */
export interface VaeImputer {
  genes: number;
  /** Mean training loss (reconstruction + weighted KL, per gene) of each epoch. */
  trainLoss: number[];
  /** Validation masked-entry mean squared error (standardised) of each epoch. */
  validationError: number[];
  /** The epoch (0-based) whose weights were kept. */
  bestEpoch: number;
  /** Encode -> decode passes used when imputing (the best on the validation rows). */
  iterations: number;
  seconds: number;
  /** Whether the time limit (rather than early stopping or the epoch limit) ended training. */
  timedOut: boolean;
  /** `target` with its NaN entries imputed (other entries copied unchanged). */
  impute(target: Matrix): Matrix;
  dispose(): void;
}

interface Dense {
  w: Variable; // (in, out)
  b: Variable; // (out)
}

interface Network {
  enc: Dense; // G -> H
  mu: Dense; // H -> L
  logvar: Dense; // H -> L
  dec: Dense; // L -> H
  out: Dense; // H -> G
}

const DEFAULTS = {
  hidden: 256,
  latent: 32,
  maxEpochs: 300,
  patience: 20,
  batchSize: 64,
  learningRate: 2e-3,
  klWeight: 0.01,
  klWarmupEpochs: 20,
  maskRateRange: [0.1, 0.9] as [number, number],
  validationFraction: 0.15,
  maxIterations: 5,
};

/** A dense layer with seeded Glorot-normal weights and zero biases. */
function dense(nIn: number, nOut: number, random: Random): Dense {
  const sd = Math.sqrt(2 / (nIn + nOut));
  const w = Float32Array.from({ length: nIn * nOut }, () => sd * randomNormal(random));
  return { w: tf.variable(tf.tensor2d(w, [nIn, nOut])), b: tf.variable(tf.zeros([nOut])) };
}

/**
 * x @ w + b with a hand-written gradient: the wasm backend's matMul with transposeA/transposeB is about
 * ten times slower than an explicit transpose followed by a plain matMul, and tfjs's own gradient uses them.
 */
const affine = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [Tensor2D, Tensor2D, Tensor, GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b) as Tensor2D, // (B, out)
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [xs, ws] = saved as [Tensor2D, Tensor2D];
      return [
        tf.matMul(dy as Tensor2D, tf.transpose(ws)), // (B, in)
        tf.matMul(tf.transpose(xs), dy as Tensor2D), // (in, out)
        tf.sum(dy, 0), // (out)
      ];
    },
  };
});

function apply(layer: Dense, x: Tensor2D): Tensor2D {
  return affine(x, layer.w, layer.b) as Tensor2D; // (B, out)
}

function layers(net: Network): Dense[] {
  return [net.enc, net.mu, net.logvar, net.dec, net.out];
}

function variables(net: Network): Variable[] {
  return layers(net).flatMap((l) => [l.w, l.b]);
}

function encode(net: Network, x: Tensor2D): { mu: Tensor2D; logvar: Tensor2D } {
  const h = tf.relu(apply(net.enc, x)) as Tensor2D; // (B, H)
  const mu = apply(net.mu, h); // (B, L)
  const logvar = tf.clipByValue(apply(net.logvar, h), -10, 10) as Tensor2D; // (B, L)
  return { mu, logvar };
}

function decode(net: Network, z: Tensor2D): Tensor2D {
  const h = tf.relu(apply(net.dec, z)) as Tensor2D; // (B, H)
  return apply(net.out, h); // (B, G)
}

/**
 * The encoder's input from rows whose hidden entries are 0 (the training mean): scaled by G / observed
 * genes per row (inverted dropout), so the input's scale does not depend on the missing rate.
 */
function observedInput(x: Tensor2D, hidden: Tensor2D): Tensor2D {
  const G = x.shape[1];
  const observed = tf.maximum(tf.sum(tf.sub(1, hidden), 1, true), 1); // (B, 1)
  return tf.mul(x, tf.div(G, observed)) as Tensor2D; // (B, G)
}

/** Per-gene loss of a batch: reconstruction of the clean rows from the hidden ones, plus beta * KL. */
function batchLoss(
  net: Network,
  clean: Tensor2D, // (B, G)
  hidden: Tensor2D, // (B, G), 1 where the input is hidden
  eps: Tensor2D, // (B, L)
  beta: number,
): Scalar {
  const [B, G] = clean.shape;
  const input = observedInput(tf.mul(clean, tf.sub(1, hidden)) as Tensor2D, hidden); // (B, G)
  const { mu, logvar } = encode(net, input); // (B, L) each
  const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) as Tensor2D; // (B, L)
  const recon = decode(net, z); // (B, G)
  const sq = tf.sum(tf.square(tf.sub(clean, recon))); // ()
  const kl = tf.sum(tf.sub(tf.add(tf.exp(logvar), tf.square(mu)), tf.add(logvar, 1))); // ()
  return tf.div(tf.add(tf.mul(sq, 0.5), tf.mul(kl, 0.5 * beta)), B * G) as Scalar; // ()
}

interface Batch {
  clean: Float32Array; // (B, G)
  hidden: Float32Array; // (B, G)
  eps: Float32Array; // (B, L)
  B: number;
  G: number;
  L: number;
}

/** One Adam step on a batch; returns its loss. */
function trainStep(net: Network, optimizer: tf.Optimizer, b: Batch, beta: number): number {
  const loss = tf.tidy(() => {
    const clean = tf.tensor2d(b.clean, [b.B, b.G]); // (B, G)
    const hidden = tf.tensor2d(b.hidden, [b.B, b.G]); // (B, G)
    const eps = tf.tensor2d(b.eps, [b.B, b.L]); // (B, L)
    return optimizer.minimize(() => batchLoss(net, clean, hidden, eps, beta), true, variables(net)) as Scalar;
  });
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

/** One pass over the training rows (`fit`: rows x G, standardised) in shuffled batches; the mean loss. */
function trainEpoch(
  net: Network,
  optimizer: tf.Optimizer,
  fit: Float32Array,
  G: number,
  o: typeof DEFAULTS,
  beta: number,
  random: Random,
): number {
  const rows = fit.length / G;
  const order = shuffleInPlace(
    Array.from({ length: rows }, (_, i) => i),
    random,
  );
  let lossSum = 0;
  for (let start = 0; start < rows; start += o.batchSize) {
    const batch = order.slice(start, start + o.batchSize);
    const B = batch.length;
    const clean = new Float32Array(B * G);
    batch.forEach((r, i) => {
      clean.set(fit.subarray(r * G, (r + 1) * G), i * G);
    });
    const hidden = trainingMask(B, G, o.maskRateRange, random);
    const eps = Float32Array.from({ length: B * o.latent }, () => randomNormal(random));
    lossSum += trainStep(net, optimizer, { clean, hidden, eps, B, G, L: o.latent }, beta) * B;
  }
  return lossSum / rows;
}

/** Fills the entries of `x` (standardised, NaN = missing) by iterated encode -> decode mean passes. */
function fillStandardized(net: Network, x: Matrix, iterations: number): Float32Array {
  const G = x.cols;
  const out = new Float32Array(x.rows * G);
  const chunk = 256;
  for (let start = 0; start < x.rows; start += chunk) {
    const n = Math.min(chunk, x.rows - start);
    const values = new Float32Array(n * G);
    const missing = new Float32Array(n * G);
    for (let q = 0; q < n * G; q++) {
      const v = x.data[start * G + q]!;
      if (Number.isNaN(v)) missing[q] = 1;
      else values[q] = v;
    }
    const filled = tf.tidy(() => {
      const m = tf.tensor2d(missing, [n, G]); // (n, G)
      const keep = tf.sub(1, m); // (n, G)
      let cur = tf.tensor2d(values, [n, G]); // (n, G), missing entries at the mean (0)
      for (let it = 0; it < iterations; it++) {
        const input = it === 0 ? observedInput(cur, m) : cur; // (n, G)
        const recon = decode(net, encode(net, input).mu); // (n, G)
        cur = tf.add(tf.mul(cur, keep), tf.mul(recon, m)) as Tensor2D; // (n, G)
      }
      return cur;
    });
    out.set(filled.dataSync() as Float32Array, start * G);
    filled.dispose();
  }
  return out;
}

/** Hides a random fraction (drawn per row from `range`) of each row: 1 = hidden. */
function trainingMask(rows: number, cols: number, range: [number, number], random: Random): Float32Array {
  const mask = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const rate = range[0] + (range[1] - range[0]) * random();
    for (let j = 0; j < cols; j++) if (random() < rate) mask[i * cols + j] = 1;
  }
  return mask;
}

/** Mean squared error on the hidden entries of the validation rows (standardised space). */
function validationError(net: Network, truth: Matrix, hidden: Matrix, iterations: number): number {
  const filled = fillStandardized(net, hidden, iterations);
  let ss = 0;
  let n = 0;
  for (let q = 0; q < hidden.data.length; q++)
    if (Number.isNaN(hidden.data[q]!)) {
      ss += (filled[q]! - truth.data[q]!) ** 2;
      n++;
    }
  return n > 0 ? ss / n : 0;
}

/** The number of passes (1..max) with the lowest validation error; ties go to fewer passes. */
function chooseIterations(net: Network, truth: Matrix, hidden: Matrix, max: number): number {
  let best = { iterations: 1, error: Number.POSITIVE_INFINITY };
  for (let it = 1; it <= max; it++) {
    const error = validationError(net, truth, hidden, it);
    if (error < best.error) best = { iterations: it, error };
  }
  return best.iterations;
}

function snapshot(net: Network): Float32Array[] {
  return variables(net).map((v) => v.dataSync().slice() as Float32Array);
}

function restoreSnapshot(net: Network, weights: Float32Array[]): void {
  variables(net).forEach((v, k) => {
    tf.tidy(() => v.assign(tf.tensor(weights[k]!, v.shape)));
  });
}

function checkOptions(o: typeof DEFAULTS, rows: number): void {
  const [lo, hi] = o.maskRateRange;
  if (!(lo >= 0 && hi < 1 && lo <= hi))
    throw new RangeError(`maskRateRange must satisfy 0 <= low <= high < 1, got [${lo}, ${hi}]`);
  if (!(o.validationFraction > 0 && o.validationFraction < 1))
    throw new RangeError(`validationFraction must be in (0, 1), got ${o.validationFraction}`);
  if (rows < 10) throw new RangeError(`the VAE needs at least 10 training rows, got ${rows}`);
}

function checkComplete(train: Matrix): void {
  const q = train.data.findIndex((v) => !Number.isFinite(v));
  if (q >= 0)
    throw new RangeError(
      `VAE training rows must be complete: row ${Math.floor(q / train.cols)}, gene ${q % train.cols} is ${train.data[q]}; impute or drop it first`,
    );
}

/** Trains a VAE imputer on complete training rows (samples x genes, no NaN). */
export async function fitVae(train: Matrix, options: VaeOptions = {}): Promise<VaeImputer> {
  const o = { ...DEFAULTS, ...options };
  checkOptions(o, train.rows);
  checkComplete(train);
  await ready();
  const started = Date.now();
  const random = createRandom(options.seed ?? 0);
  const standardizer = fitStandardizer(train);
  const x = applyStandardizer(train, standardizer);
  const G = x.cols;
  // Inner split: validation rows with a fixed 50% mask score each epoch.
  const nVal = Math.max(2, Math.round(o.validationFraction * x.rows));
  const valRows = sampleWithoutReplacement(x.rows, nVal, random).sort((a, b) => a - b);
  const isVal = new Uint8Array(x.rows);
  for (const r of valRows) isVal[r] = 1;
  const fitRows = Array.from({ length: x.rows }, (_, i) => i).filter((i) => isVal[i] === 0);
  const valTruth = selectRows(x, valRows);
  const valHidden = selectRows(x, valRows);
  for (let q = 0; q < valHidden.data.length; q++) if (random() < 0.5) valHidden.data[q] = Number.NaN;
  const fit = Float32Array.from(selectRows(x, fitRows).data);

  const net: Network = {
    enc: dense(G, o.hidden, random),
    mu: dense(o.hidden, o.latent, random),
    logvar: dense(o.hidden, o.latent, random),
    dec: dense(o.latent, o.hidden, random),
    out: dense(o.hidden, G, random),
  };
  const optimizer = tf.train.adam(o.learningRate);
  const trainLoss: number[] = [];
  const valError: number[] = [];
  let best = { epoch: -1, error: Number.POSITIVE_INFINITY, weights: snapshot(net) };
  let lastLog = Date.now();
  let timedOut = false;
  for (let epoch = 0; epoch < o.maxEpochs; epoch++) {
    const beta = o.klWeight * Math.min(1, (epoch + 1) / Math.max(1, o.klWarmupEpochs));
    trainLoss.push(trainEpoch(net, optimizer, fit, G, o, beta, random));
    const error = validationError(net, valTruth, valHidden, 1);
    valError.push(error);
    if (error < best.error) best = { epoch, error, weights: snapshot(net) };
    const seconds = (Date.now() - started) / 1000;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      o.log?.(
        `VAE (${G} genes) epoch ${epoch + 1}: loss ${trainLoss[epoch]!.toFixed(4)}, validation MSE ${error.toFixed(4)} (best ${best.error.toFixed(4)} at epoch ${best.epoch + 1})`,
      );
    }
    if (epoch - best.epoch >= o.patience) break;
    timedOut = options.timeLimitSeconds !== undefined && seconds > options.timeLimitSeconds;
    if (timedOut) break;
  }
  restoreSnapshot(net, best.weights);
  optimizer.dispose();
  const iterations = chooseIterations(net, valTruth, valHidden, o.maxIterations);
  return {
    genes: G,
    trainLoss,
    validationError: valError,
    bestEpoch: best.epoch,
    iterations,
    timedOut,
    seconds: (Date.now() - started) / 1000,
    impute: (target) => imputeWith(net, standardizer, target, iterations),
    dispose: () => {
      for (const v of variables(net)) v.dispose();
    },
  };
}

function imputeWith(net: Network, s: Standardizer, target: Matrix, iterations: number): Matrix {
  if (target.cols !== s.mean.length)
    throw new RangeError(`the VAE was trained on ${s.mean.length} genes, the target has ${target.cols}`);
  const z = applyStandardizer(target, s); // NaN stays NaN
  const filled = fillStandardized(net, z, iterations);
  const out = zeros(target.rows, target.cols);
  for (let q = 0; q < out.data.length; q++) {
    const v = target.data[q]!;
    const j = q % target.cols;
    out.data[q] = Number.isNaN(v) ? filled[q]! * s.sd[j]! + s.mean[j]! : v;
  }
  return out;
}
