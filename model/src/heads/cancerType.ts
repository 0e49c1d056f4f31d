/**
 * The cancer-type head: multinomial logistic regression (L2, L-BFGS; ../stats/classify.ts) on
 * standardised sample embeddings, stored as plain JSON numbers so it can live in a database column.
 */
import { fitLogisticRegression } from '../stats/classify.ts';
import { type Matrix, selectRows } from '../stats/matrix.ts';
import { accuracy } from '../stats/metrics.ts';
import { stratifiedKFold } from '../stats/split.ts';
import { checkEmbedding, checkPerSample, embeddingMatrix, standardise } from './embeddings.ts';
import { fitTemperature, softmaxAt } from './temperature.ts';

/** A fitted cancer-type classifier over embeddings of one width. */
export interface CancerTypeHead {
  kind: 'cancer-type';
  /** Embedding width the head expects. */
  width: number;
  /** Sorted class labels. */
  classes: string[];
  /** Standardisation fitted on the training embeddings (width each; sd > 0). */
  mean: number[];
  sd: number[];
  /** classes.length x width: weights[c][j] multiplies standardised dimension j for class c. */
  weights: number[][];
  /** classes.length intercepts. */
  intercepts: number[];
  /** L2 penalty used (on the mean cross-entropy). */
  l2: number;
  /**
   * Temperature the logits are divided by (temperature scaling, fitted on cross-validated logits of the
   * training samples; 1 = none, e.g. heads stored before calibration).
   */
  temperature: number;
  trainedOn: number;
  metrics: { trainAccuracy: number; cvAccuracy?: number };
}

/** Options for {@link fitCancerTypeHead}. */
export interface CancerTypeHeadOptions {
  /** L2 penalty added to the mean cross-entropy as l2/2 ||W||^2 (default 1 / n). */
  l2?: number;
  /** Stratified cross-validation folds for `metrics.cvAccuracy` (default 5; 0 skips it). */
  cvFolds?: number;
  /** Seed of the cross-validation folds (default 0). */
  seed?: number;
}

/** One prediction of {@link predictCancerType}. */
export interface CancerTypeProbability {
  cancerType: string;
  probability: number;
}

/**
 * Cross-validated predictions of the logistic regression (folds stratified by label): each sample's
 * out-of-fold log-probabilities over `classes` (logits up to a per-row constant) and the accuracy.
 */
function crossValidated(
  x: Matrix,
  labels: string[],
  classes: string[],
  folds: number,
  l2: number,
  seed: number,
): { accuracy: number; logits: Float64Array[] } {
  const logits: Float64Array[] = new Array(x.rows);
  for (const split of stratifiedKFold(labels, folds, seed)) {
    const model = fitLogisticRegression(
      selectRows(x, split.train),
      split.train.map((i) => labels[i]!),
      { l2 },
    );
    const p = model.predictProba(selectRows(x, split.test)); // test x model.classes
    split.test.forEach((i, r) => {
      logits[i] = Float64Array.from(classes, (c) => {
        const k = model.classes.indexOf(c); // a class missing from this fold's training part gets ~0
        return k < 0 ? -50 : Math.log(Math.max(p.data[r * p.cols + k]!, 1e-300));
      });
    });
  }
  const predicted = logits.map((l) => classes[l.indexOf(Math.max(...l))]!);
  return { accuracy: accuracy(labels, predicted), logits };
}

/**
 * Fits the cancer-type head on training embeddings (n, each of one width) and their labels (n).
 * Its temperature is fitted on the cross-validated logits (when `cvFolds` >= 2 and there are enough samples).
 * Throws on mismatched lengths, mixed widths, non-finite values, empty labels or fewer than two classes.
 */
export function fitCancerTypeHead(
  embeddings: ArrayLike<number>[],
  labels: string[],
  options: CancerTypeHeadOptions = {},
): CancerTypeHead {
  const x = embeddingMatrix(embeddings); // n x width
  checkPerSample('labels', labels, x.rows);
  labels.forEach((label, i) => {
    if (typeof label !== 'string' || label.trim() === '')
      throw new RangeError(`label ${i} is empty: every training embedding needs a cancer type`);
  });
  const distinct = new Set(labels);
  if (distinct.size < 2)
    throw new RangeError(
      `the cancer-type head needs at least 2 classes, got ${distinct.size} (${[...distinct].join(', ')}): add samples of other cancer types`,
    );
  const l2 = options.l2 ?? 1 / x.rows;
  if (!(l2 >= 0 && Number.isFinite(l2))) throw new RangeError(`l2 must be a finite number >= 0, got ${l2}`);
  const model = fitLogisticRegression(x, labels, { l2 });
  const k = model.classes.length;
  const p = x.cols;
  const standardizer = model.standardizer!;
  const folds = options.cvFolds ?? 5;
  const cv =
    folds >= 2 && x.rows >= 2 * folds
      ? crossValidated(x, labels, model.classes, folds, l2, options.seed ?? 0)
      : undefined;
  const temperature = cv
    ? fitTemperature(
        cv.logits,
        labels.map((l) => model.classes.indexOf(l)),
      )
    : 1;
  return {
    kind: 'cancer-type',
    width: p,
    classes: model.classes,
    mean: Array.from(standardizer.mean),
    sd: Array.from(standardizer.sd),
    weights: Array.from({ length: k }, (_, c) =>
      Array.from({ length: p }, (_, j) => model.params[j * k + c]!),
    ),
    intercepts: Array.from({ length: k }, (_, c) => model.params[p * k + c]!),
    l2,
    temperature,
    trainedOn: x.rows,
    metrics: {
      trainAccuracy: accuracy(labels, model.predict(x)),
      ...(cv === undefined ? {} : { cvAccuracy: cv.accuracy }),
    },
  };
}

/** Calibrated probabilities of every class for one embedding, most probable first (they sum to 1). */
export function predictCancerType(
  head: CancerTypeHead,
  embedding: ArrayLike<number>,
): CancerTypeProbability[] {
  const z = standardise(checkEmbedding(embedding, head.width, 'cancer-type'), head.mean, head.sd);
  const logits = Float64Array.from(head.intercepts, (b, c) => {
    const w = head.weights[c]!;
    let s = b;
    for (let j = 0; j < z.length; j++) s += w[j]! * z[j]!;
    return s;
  });
  const probability = softmaxAt(logits, head.temperature);
  return head.classes
    .map((cancerType, c) => ({ cancerType, probability: probability[c]! }))
    .sort((a, b) => b.probability - a.probability || (a.cancerType < b.cancerType ? -1 : 1));
}
