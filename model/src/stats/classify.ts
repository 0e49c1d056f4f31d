/**
 * Classifiers on expression panels: multinomial logistic regression (L2, L-BFGS) and a one-hidden-layer
 * MLP (ReLU, softmax, Adam, L2, early stopping). Both standardise their inputs with statistics of the
 * training rows (unless told not to) and predict class labels.
 */

import { createRandom, randomNormal, shuffleInPlace } from '../random/random.ts';
import { type Matrix, row, selectRows } from './matrix.ts';
import { type LbfgsOptions, minimizeLbfgs } from './optimize.ts';
import { stratifiedSplit } from './split.ts';
import { applyStandardizer, fitStandardizer, type Standardizer } from './standardize.ts';

/** Sorted distinct labels and each sample's class index. */
export function encodeLabels(labels: ArrayLike<string>): { classes: string[]; y: Int32Array } {
  const classes = [...new Set(Array.from(labels))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  return { classes, y: Int32Array.from(Array.from(labels), (l) => index.get(l)!) };
}

/** Softmax of `logits` in place (numerically stable). */
function softmaxInPlace(logits: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < logits.length; c++) max = Math.max(max, logits[c]!);
  let sum = 0;
  for (let c = 0; c < logits.length; c++) {
    const e = Math.exp(logits[c]! - max);
    logits[c] = e;
    sum += e;
  }
  for (let c = 0; c < logits.length; c++) logits[c]! /= sum;
}

/** Anything that predicts class probabilities for rows of a matrix. */
export interface Classifier {
  classes: string[];
  /** n x K class probabilities. */
  predictProba(x: Matrix): Matrix;
  /** Most probable class label per row. */
  predict(x: Matrix): string[];
}

function argmaxLabels(proba: Matrix, classes: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < proba.rows; i++) {
    const p = row(proba, i);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    out.push(classes[best]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Multinomial logistic regression

/** Options for {@link fitLogisticRegression}. */
export interface LogisticOptions {
  /**
   * L2 penalty on the weights (not the intercepts), added to the MEAN cross-entropy as l2/2 ||W||^2.
   * Default 1 / n, which is scikit-learn's LogisticRegression(C = 1).
   */
  l2?: number;
  /** Standardise features with training statistics first (default true). */
  standardize?: boolean;
  /** L-BFGS settings (defaults: maxIter 1000, gradTol 1e-6). */
  optimizer?: LbfgsOptions;
}

/**
 * The penalised objective of multinomial logistic regression: mean cross-entropy + l2/2 ||W||^2.
 * Parameters are laid out as W (p x K, row-major: `params[j * K + c]`) followed by the K intercepts.
 */
export function logisticObjective(
  x: Matrix,
  y: Int32Array,
  nClasses: number,
  l2: number,
): (params: Float64Array, gradient: Float64Array) => number {
  const n = x.rows;
  const p = x.cols;
  const k = nClasses;
  const probs = new Float64Array(k);
  return (params, gradient) => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const xi = row(x, i);
      for (let c = 0; c < k; c++) probs[c] = params[p * k + c]!;
      for (let j = 0; j < p; j++) {
        const v = xi[j]!;
        if (v === 0) continue;
        const base = j * k;
        for (let c = 0; c < k; c++) probs[c]! += v * params[base + c]!;
      }
      softmaxInPlace(probs);
      const yi = y[i]!;
      loss -= Math.log(Math.max(probs[yi]!, 1e-300));
      probs[yi]! -= 1;
      for (let j = 0; j < p; j++) {
        const v = xi[j]!;
        if (v === 0) continue;
        const base = j * k;
        for (let c = 0; c < k; c++) gradient[base + c]! += v * probs[c]!;
      }
      for (let c = 0; c < k; c++) gradient[p * k + c]! += probs[c]!;
    }
    let penalty = 0;
    for (let i = 0; i < gradient.length; i++) gradient[i]! /= n;
    for (let i = 0; i < p * k; i++) {
      penalty += params[i]! * params[i]!;
      gradient[i]! += l2 * params[i]!;
    }
    return loss / n + (l2 / 2) * penalty;
  };
}

/** A fitted multinomial logistic regression. */
export interface LogisticModel extends Classifier {
  /** Parameters on the (standardised) feature scale, laid out as in {@link logisticObjective}. */
  params: Float64Array;
  standardizer: Standardizer | null;
  l2: number;
  iterations: number;
  converged: boolean;
  /** Final penalised objective. */
  objective: number;
}

/** Fits multinomial logistic regression with an L2 penalty by L-BFGS. */
export function fitLogisticRegression(
  x: Matrix,
  labels: ArrayLike<string>,
  options: LogisticOptions = {},
): LogisticModel {
  if (labels.length !== x.rows) throw new RangeError(`${labels.length} labels for ${x.rows} rows`);
  const { classes, y } = encodeLabels(labels);
  const k = classes.length;
  const p = x.cols;
  const standardizer = (options.standardize ?? true) ? fitStandardizer(x) : null;
  const xs = standardizer ? applyStandardizer(x, standardizer) : x;
  const l2 = options.l2 ?? 1 / x.rows;
  const objective = logisticObjective(xs, y, k, l2);
  const result = minimizeLbfgs(objective, new Float64Array((p + 1) * k), {
    maxIter: 1000,
    gradTol: 1e-6,
    ...options.optimizer,
  });
  const params = result.x;
  const predictProba = (xNew: Matrix): Matrix => {
    if (xNew.cols !== p) throw new RangeError(`model has ${p} features, data ${xNew.cols}`);
    const z = standardizer ? applyStandardizer(xNew, standardizer) : xNew;
    const out: Matrix = { rows: z.rows, cols: k, data: new Float64Array(z.rows * k) };
    for (let i = 0; i < z.rows; i++) {
      const logits = row(out, i);
      const zi = row(z, i);
      for (let c = 0; c < k; c++) logits[c] = params[p * k + c]!;
      for (let j = 0; j < p; j++) for (let c = 0; c < k; c++) logits[c]! += zi[j]! * params[j * k + c]!;
      softmaxInPlace(logits);
    }
    return out;
  };
  return {
    classes,
    params,
    standardizer,
    l2,
    iterations: result.iterations,
    converged: result.converged,
    objective: result.value,
    predictProba,
    predict: (xNew) => argmaxLabels(predictProba(xNew), classes),
  };
}

// ---------------------------------------------------------------------------------------------------
// One-hidden-layer MLP

/** Options for {@link fitMlp}. */
export interface MlpOptions {
  /** Hidden units (default 64). */
  hidden?: number;
  /** L2 penalty on the weights, added to the mean cross-entropy as l2/2 ||W||^2 (default 1e-4). */
  l2?: number;
  /** Adam learning rate (default 1e-3). */
  learningRate?: number;
  /** Mini-batch size (default 32). */
  batchSize?: number;
  /** Maximum epochs (default 300). */
  maxEpochs?: number;
  /**
   * Stop after this many epochs without the validation loss improving by more than `tol` on its best
   * (default 20); the weights with the lowest validation loss are kept.
   */
  patience?: number;
  /** Minimum validation-loss improvement that resets the patience counter (default 1e-4). */
  tol?: number;
  /** Fraction of the training rows held out (stratified) for early stopping (default 0.15). */
  validationFraction?: number;
  /** Seed of the initialisation, validation split and batch order (default 0). */
  seed?: number;
  /** Standardise features with training statistics first (default true). */
  standardize?: boolean;
}

/** A fitted MLP. */
export interface MlpModel extends Classifier {
  /** Epochs run and the epoch whose weights were kept. */
  epochs: number;
  bestEpoch: number;
  bestValidationLoss: number;
}

interface MlpParams {
  w1: Float64Array; // p x h
  b1: Float64Array; // h
  w2: Float64Array; // h x k
  b2: Float64Array; // k
}

function mlpForward(
  params: MlpParams,
  xi: Float64Array,
  p: number,
  h: number,
  k: number,
  hidden: Float64Array,
  out: Float64Array,
): void {
  hidden.set(params.b1);
  for (let j = 0; j < p; j++) {
    const v = xi[j]!;
    if (v === 0) continue;
    const base = j * h;
    for (let u = 0; u < h; u++) hidden[u]! += v * params.w1[base + u]!;
  }
  for (let u = 0; u < h; u++) if (hidden[u]! < 0) hidden[u] = 0;
  out.set(params.b2);
  for (let u = 0; u < h; u++) {
    const a = hidden[u]!;
    if (a === 0) continue;
    const base = u * k;
    for (let c = 0; c < k; c++) out[c]! += a * params.w2[base + c]!;
  }
  softmaxInPlace(out);
}

/**
 * Fits a one-hidden-layer MLP (ReLU, softmax output, cross-entropy + L2) with Adam on mini-batches.
 * A stratified validation split of the training rows drives early stopping; the weights with the
 * lowest validation loss are returned.
 */
export function fitMlp(x: Matrix, labels: ArrayLike<string>, options: MlpOptions = {}): MlpModel {
  if (labels.length !== x.rows) throw new RangeError(`${labels.length} labels for ${x.rows} rows`);
  const h = options.hidden ?? 64;
  const l2 = options.l2 ?? 1e-4;
  const lr = options.learningRate ?? 1e-3;
  const batchSize = options.batchSize ?? 32;
  const maxEpochs = options.maxEpochs ?? 300;
  const patience = options.patience ?? 20;
  const tol = options.tol ?? 1e-4;
  const seed = options.seed ?? 0;
  const { classes, y } = encodeLabels(labels);
  const k = classes.length;
  const p = x.cols;
  const standardizer = (options.standardize ?? true) ? fitStandardizer(x) : null;
  const xs = standardizer ? applyStandardizer(x, standardizer) : x;

  const split = stratifiedSplit(labels, options.validationFraction ?? 0.15, seed);
  const trainRows = split.train;
  const valRows = split.test;
  const xVal = selectRows(xs, valRows);
  const yVal = Int32Array.from(valRows, (i) => y[i]!);

  const random = createRandom(seed + 1);
  const params: MlpParams = {
    w1: Float64Array.from({ length: p * h }, () => randomNormal(random) * Math.sqrt(2 / p)),
    b1: new Float64Array(h),
    w2: Float64Array.from({ length: h * k }, () => randomNormal(random) * Math.sqrt(2 / h)),
    b2: new Float64Array(k),
  };
  const names = ['w1', 'b1', 'w2', 'b2'] as const;
  const grads: MlpParams = {
    w1: new Float64Array(p * h),
    b1: new Float64Array(h),
    w2: new Float64Array(h * k),
    b2: new Float64Array(k),
  };
  const m1 = names.map((n) => new Float64Array(params[n].length));
  const m2 = names.map((n) => new Float64Array(params[n].length));
  const beta1 = 0.9;
  const beta2 = 0.999;
  let t = 0;

  const hidden = new Float64Array(h);
  const out = new Float64Array(k);
  const dHidden = new Float64Array(h);
  const validationLoss = (): number => {
    let loss = 0;
    for (let i = 0; i < xVal.rows; i++) {
      mlpForward(params, row(xVal, i), p, h, k, hidden, out);
      loss -= Math.log(Math.max(out[yVal[i]!]!, 1e-300));
    }
    return xVal.rows > 0 ? loss / xVal.rows : 0;
  };
  const copy = (src: MlpParams): MlpParams => ({
    w1: Float64Array.from(src.w1),
    b1: Float64Array.from(src.b1),
    w2: Float64Array.from(src.w2),
    b2: Float64Array.from(src.b2),
  });

  let best = copy(params);
  let bestLoss = validationLoss();
  let bestEpoch = 0;
  let lastImprovement = 0;
  let epoch = 0;
  const order = [...trainRows];
  while (epoch < maxEpochs && epoch - lastImprovement < patience) {
    epoch++;
    shuffleInPlace(order, random);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      for (const n of names) grads[n].fill(0);
      for (const i of batch) {
        const xi = row(xs, i);
        mlpForward(params, xi, p, h, k, hidden, out);
        out[y[i]!]! -= 1; // dLoss/dLogits
        dHidden.fill(0);
        for (let u = 0; u < h; u++) {
          const a = hidden[u]!;
          const base = u * k;
          let s = 0;
          for (let c = 0; c < k; c++) {
            grads.w2[base + c]! += a * out[c]!;
            s += params.w2[base + c]! * out[c]!;
          }
          dHidden[u] = a > 0 ? s : 0;
        }
        for (let c = 0; c < k; c++) grads.b2[c]! += out[c]!;
        for (let j = 0; j < p; j++) {
          const v = xi[j]!;
          if (v === 0) continue;
          const base = j * h;
          for (let u = 0; u < h; u++) grads.w1[base + u]! += v * dHidden[u]!;
        }
        for (let u = 0; u < h; u++) grads.b1[u]! += dHidden[u]!;
      }
      t++;
      const correction1 = 1 - beta1 ** t;
      const correction2 = 1 - beta2 ** t;
      names.forEach((name, idx) => {
        const w = params[name];
        const g = grads[name];
        const mm = m1[idx]!;
        const vv = m2[idx]!;
        const penalised = name === 'w1' || name === 'w2';
        for (let q = 0; q < w.length; q++) {
          const gq = g[q]! / batch.length + (penalised ? l2 * w[q]! : 0);
          mm[q] = beta1 * mm[q]! + (1 - beta1) * gq;
          vv[q] = beta2 * vv[q]! + (1 - beta2) * gq * gq;
          w[q]! -= (lr * (mm[q]! / correction1)) / (Math.sqrt(vv[q]! / correction2) + 1e-8);
        }
      });
    }
    const loss = validationLoss();
    if (loss < bestLoss - tol) lastImprovement = epoch;
    if (loss < bestLoss) {
      bestLoss = loss;
      best = copy(params);
      bestEpoch = epoch;
    }
  }

  const predictProba = (xNew: Matrix): Matrix => {
    if (xNew.cols !== p) throw new RangeError(`model has ${p} features, data ${xNew.cols}`);
    const z = standardizer ? applyStandardizer(xNew, standardizer) : xNew;
    const result: Matrix = { rows: z.rows, cols: k, data: new Float64Array(z.rows * k) };
    const hid = new Float64Array(h);
    for (let i = 0; i < z.rows; i++) mlpForward(best, row(z, i), p, h, k, hid, row(result, i));
    return result;
  };
  return {
    classes,
    epochs: epoch,
    bestEpoch,
    bestValidationLoss: bestLoss,
    predictProba,
    predict: (xNew) => argmaxLabels(predictProba(xNew), classes),
  };
}
