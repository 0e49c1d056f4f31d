/** Evaluation metrics: classification (accuracy, macro-F1, confusion matrix) and regression (Pearson, RMSE). */

type Label = string | number;

function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} vs ${b.length}`);
}

/** Fraction of predictions equal to the truth (NaN for no samples). */
export function accuracy(truth: ArrayLike<Label>, predicted: ArrayLike<Label>): number {
  checkSameLength(truth, predicted);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
  return truth.length > 0 ? correct / truth.length : Number.NaN;
}

/** A confusion matrix: `counts[t][p]` = samples of true class `classes[t]` predicted as `classes[p]`. */
export interface ConfusionMatrix {
  classes: Label[];
  counts: number[][];
}

/**
 * Confusion matrix over `classes` (default: every label seen in truth or predictions, sorted).
 * Labels not in `classes` are ignored.
 */
export function confusionMatrix(
  truth: ArrayLike<Label>,
  predicted: ArrayLike<Label>,
  classes?: Label[],
): ConfusionMatrix {
  checkSameLength(truth, predicted);
  const levels =
    classes ??
    [...new Set([...Array.from(truth), ...Array.from(predicted)])].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1,
    );
  const index = new Map(levels.map((c, i) => [c, i]));
  const counts = levels.map(() => new Array<number>(levels.length).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = index.get(truth[i]!);
    const p = index.get(predicted[i]!);
    if (t !== undefined && p !== undefined) counts[t]![p]!++;
  }
  return { classes: levels, counts };
}

/** Per-class precision, recall and F1 from a confusion matrix (0 where undefined, as scikit-learn). */
export function perClassF1(cm: ConfusionMatrix): { precision: number[]; recall: number[]; f1: number[] } {
  const k = cm.classes.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = cm.counts[c]![c]!;
    let predictedC = 0;
    let actualC = 0;
    for (let o = 0; o < k; o++) {
      predictedC += cm.counts[o]![c]!;
      actualC += cm.counts[c]![o]!;
    }
    const p = predictedC > 0 ? tp / predictedC : 0;
    const r = actualC > 0 ? tp / actualC : 0;
    precision.push(p);
    recall.push(r);
    f1.push(p + r > 0 ? (2 * p * r) / (p + r) : 0);
  }
  return { precision, recall, f1 };
}

/**
 * Macro-averaged F1: the unweighted mean of per-class F1 over the classes (default: every label in
 * truth or predictions), as scikit-learn's f1_score(average="macro").
 */
export function macroF1(truth: ArrayLike<Label>, predicted: ArrayLike<Label>, classes?: Label[]): number {
  const { f1 } = perClassF1(confusionMatrix(truth, predicted, classes));
  return f1.length > 0 ? f1.reduce((a, b) => a + b, 0) / f1.length : Number.NaN;
}

/**
 * Pearson correlation. Returns 0 when either side has zero variance (a constant prediction carries no
 * linear association), NaN for fewer than two values.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSameLength(x, y);
  const n = x.length;
  if (n < 2) return Number.NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx <= 0 || syy <= 0) return 0;
  return sxy / Math.sqrt(sxx * syy);
}

/** Root mean squared error (NaN for no values). */
export function rmse(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkSameLength(truth, predicted);
  if (truth.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const d = truth[i]! - predicted[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum / truth.length);
}

/** Mean and sample standard deviation (n - 1; 0 for one value). */
export function meanAndSd(values: ArrayLike<number>): { mean: number; sd: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/** One bin of a reliability diagram: predictions whose confidence falls in (lower, upper]. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence (top probability) of the bin's predictions (NaN when empty). */
  confidence: number;
  /** Share of the bin's predictions that are right (NaN when empty). */
  accuracy: number;
}

/**
 * Reliability diagram of top-class predictions: `confidence[i]` is the probability given to the predicted
 * class, `correct[i]` whether that class was the truth; `bins` equal-width bins over (0, 1].
 */
export function reliabilityBins(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 10,
): ReliabilityBin[] {
  checkSameLength(confidence, correct);
  const out = Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    n: 0,
    c: 0,
    a: 0,
  }));
  for (let i = 0; i < confidence.length; i++) {
    const p = confidence[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));
    out[b]!.n++;
    out[b]!.c += p;
    if (correct[i]) out[b]!.a++;
  }
  return out.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    count: b.n,
    confidence: b.n > 0 ? b.c / b.n : Number.NaN,
    accuracy: b.n > 0 ? b.a / b.n : Number.NaN,
  }));
}

/** Expected calibration error: the count-weighted mean |accuracy - confidence| over reliability bins. */
export function expectedCalibrationError(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 10,
): number {
  const n = confidence.length;
  if (n === 0) return Number.NaN;
  return reliabilityBins(confidence, correct, bins).reduce(
    (sum, b) => (b.count > 0 ? sum + (b.count / n) * Math.abs(b.accuracy - b.confidence) : sum),
    0,
  );
}
