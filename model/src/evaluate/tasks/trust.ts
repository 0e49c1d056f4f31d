/**
 * How far the served answers can be trusted, fitted on a fold's training samples only and scored on its
 * test samples (report task 'trust'):
 *
 * 1. Calibration: expected calibration error of the cancer-type probabilities of GexBERT's frozen encoder +
 *    logistic head and of logistic regression on the measured genes (whole profile and the classification
 *    task's k = 64 random panels), before and after temperature scaling (the temperature fitted on
 *    cross-validated logits of the training samples, as the served head `fitCancerTypeHead` does).
 * 2. Out of distribution: each cancer type left out of the training part in turn (its training and test
 *    samples become "novel"); the served novelty head (`fitNoveltyHead`, 5-NN on the measured genes' z) fitted
 *    on the remaining training samples scores the known-type test samples against the novel ones: AUROC and
 *    the shares flagged. Baseline: 5-NN distance in a 20-component PCA of the 1,000 most variable genes
 *    (log2(CPM + 1)) with the 95th percentile of the training samples' leave-one-out scores as threshold.
 * 3. Interval coverage: restoration intervals (`fitRestorationIntervals`, nominal 90%) calibrated on the
 *    training samples' residuals, their empirical coverage and mean width on the test samples.
 */

import { randomGenePanel } from '../../data/dataset.ts';
import {
  type ExpressionMatrix,
  matrixToLog2Cpm,
  selectVocabulary,
} from '../../gexbert/inference/normalise.ts';
import { fitCancerTypeHead, predictCancerType } from '../../heads/cancerType.ts';
import { auroc } from '../../heads/heldOut.ts';
import {
  CALIBRATION_RATES,
  COVERAGE_RATES,
  collectResiduals,
  coverageOf,
  fitRestorationIntervals,
} from '../../heads/intervals.ts';
import { fitNoveltyHead, nearest, noveltyOf } from '../../heads/novelty.ts';
import { type HeadReference, referenceRow } from '../../heads/reference.ts';
import { type Matrix, row, selectCols, selectRows } from '../../stats/matrix.ts';
import { accuracy, expectedCalibrationError } from '../../stats/metrics.ts';
import { fitPca, transformPca } from '../../stats/pca.ts';
import { quantile } from '../../stats/quantile.ts';
import { embedPanel, type FoldContext, type ModelView } from '../fold.ts';
import { GEXBERT_LINEAR, panelDraws } from './classification.ts';

export const TRUST_TASK = 'trust';
/** The served novelty head's method name in the report, and the baseline's. */
export const NOVELTY_HEAD = 'novelty-head (5-NN, measured genes)';
export const PCA_BASELINE = 'pca20-knn5 (1,000 most variable genes)';
export const INTERVALS = 'gexbert-intervals';
export const WHOLE_PROFILE = 'whole profile';
/** The panel size of the trust measurements (the classification task's headline size). */
export const TRUST_PANEL = 64;

/** Test-sample top-class probabilities of one classifier, before and after temperature scaling. */
export interface CalibrationResult {
  temperature: number;
  accuracy: number;
  eceBefore: number;
  eceAfter: number;
  /** Per test sample: the top probability at temperature 1 and at the fitted one, and whether it is right. */
  before: number[];
  after: number[];
  correct: boolean[];
}

function rowsOf(m: Matrix): Float64Array[] {
  return Array.from({ length: m.rows }, (_, i) => row(m, i));
}

/**
 * Fits the served cancer-type head (logistic regression, temperature on 5-fold cross-validated logits) on
 * training features and scores the test features' top-class probabilities at temperature 1 and at the
 * fitted temperature.
 */
export function calibrationOnTest(
  xTrain: Matrix,
  yTrain: string[],
  xTest: Matrix,
  yTest: string[],
  seed = 0,
): CalibrationResult {
  const head = fitCancerTypeHead(rowsOf(xTrain), yTrain, { seed });
  const raw = { ...head, temperature: 1 };
  const before: number[] = [];
  const after: number[] = [];
  const predicted: string[] = [];
  for (const x of rowsOf(xTest)) {
    const b = predictCancerType(raw, x)[0]!;
    const a = predictCancerType(head, x)[0]!;
    before.push(b.probability);
    after.push(a.probability);
    predicted.push(a.cancerType);
  }
  const correct = predicted.map((p, i) => p === yTest[i]);
  return {
    temperature: head.temperature,
    accuracy: accuracy(yTest, predicted),
    eceBefore: expectedCalibrationError(before, correct),
    eceAfter: expectedCalibrationError(after, correct),
    before,
    after,
    correct,
  };
}

/** One left-out type's novelty figures. */
export interface LeftOutType {
  type: string;
  auroc: number;
  /** Share of the known-type test samples flagged, and of the left-out type's samples. */
  knownFlagged: number;
  novelFlagged: number;
}

/** A novelty scorer fitted on some reference rows: score of a row (higher = more novel) and its threshold. */
export interface FittedScorer {
  score: (i: number) => number;
  threshold: number;
}

/**
 * Leaves each training type out in turn: `fit` sees the training rows of the other types; the test rows of
 * the other types are "known" and every row (training or test) of the left-out type is "novel". Rows index
 * one sample list of which `trainRows` and `testRows` are disjoint parts; `labels` covers all of them.
 */
export function leaveTypesOut(
  labels: readonly string[],
  trainRows: readonly number[],
  testRows: readonly number[],
  fit: (referenceRows: number[]) => FittedScorer,
): LeftOutType[] {
  const types = [...new Set(trainRows.map((i) => labels[i]!))].sort();
  return types.map((type) => {
    const scorer = fit(trainRows.filter((i) => labels[i] !== type));
    const known = testRows.filter((i) => labels[i] !== type).map(scorer.score);
    const novel = [...trainRows, ...testRows].filter((i) => labels[i] === type).map(scorer.score);
    const share = (s: number[]) => s.filter((v) => v > scorer.threshold).length / s.length;
    return { type, auroc: auroc(novel, known), knownFlagged: share(known), novelFlagged: share(novel) };
  });
}

/**
 * The plain baseline: PCA (`components`) fitted on the reference rows of `x` (samples x genes), score = mean
 * distance to the `k` nearest reference rows in PCA space, threshold = the `q` quantile of the reference
 * rows' leave-one-out scores.
 */
export function fitPcaKnn(
  x: Matrix,
  referenceRows: number[],
  options: { components?: number; k?: number; quantile?: number } = {},
): FittedScorer {
  const k = options.k ?? 5;
  const ref = selectRows(x, referenceRows);
  const pca = fitPca(ref, Math.min(options.components ?? 20, ref.rows - 1, ref.cols));
  const refScores = rowsOf(transformPca(pca, ref));
  const own = refScores.map((r, i) => nearest(refScores, r, k, i).score);
  const all = rowsOf(transformPca(pca, x));
  return {
    score: (i) => nearest(refScores, all[i]!, k).score,
    threshold: quantile(own, options.quantile ?? 0.95),
  };
}

/** The served novelty head (fitted on the reference rows over `genes`) as a scorer: novelty, threshold 1. */
export function noveltyScorer(ref: HeadReference, genes: number[]): (rows: number[]) => FittedScorer {
  return (rows) => {
    const head = fitNoveltyHead(ref, rows, genes);
    return { score: (i) => noveltyOf(head, ref, referenceRow(ref, i)).novelty, threshold: 1 };
  };
}

/** Training rows then test rows of a fold's z matrices as a labelled head reference (n x V, float32). */
export function foldReference(view: ModelView, trainLabels: string[], testLabels: string[]): HeadReference {
  const n = view.trainZ.rows + view.testZ.rows;
  const z = new Float32Array(n * view.vocab.length);
  z.set(view.trainZ.data);
  z.set(view.testZ.data, view.trainZ.data.length);
  const labels = [...trainLabels, ...testLabels];
  return {
    samples: labels.map((_, i) => `sample-${i}`),
    cancerTypes: labels,
    osDays: labels.map(() => null),
    osEvent: labels.map(() => null),
    genes: view.vocab.length,
    z,
  };
}

/**
 * log2(CPM + 1) of the training then the test samples over the `n` most variable genes of the training
 * samples (library size over the whole profile).
 */
export function variableGeneMatrix(train: ExpressionMatrix, test: ExpressionMatrix, n: number): Matrix {
  const genes = selectVocabulary(train, { k: n });
  const index = new Map(train.genes.map((g, j) => [g, j]));
  const cols = genes.map((g) => index.get(g)!);
  const G = train.genes.length;
  const take = (m: ExpressionMatrix): Matrix =>
    selectCols({ rows: m.nSamples, cols: G, data: Float64Array.from(matrixToLog2Cpm(m)) }, cols);
  const a = take(train);
  const b = take(test);
  const data = new Float64Array((a.rows + b.rows) * a.cols);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { rows: a.rows + b.rows, cols: a.cols, data };
}

/** Empirical coverage and mean width (log2(CPM + 1)) of the nominal intervals at one test missing rate. */
export interface CoverageAtRate {
  rate: number;
  coverage: number;
  width: number;
  values: number;
}

/**
 * Calibrates restoration intervals (nominal `coverage`) on the training samples' residuals and measures them
 * on the test samples' (fresh masks) at each test missing rate.
 */
export async function intervalCoverage(
  view: Pick<ModelView, 'predictor' | 'stats' | 'trainZ' | 'testZ'>,
  seed: number,
  options: {
    calibrationRates?: number[];
    testRates?: number[];
    coverage?: number;
    trainRows?: number[];
  } = {},
): Promise<{ calibratedOn: number; residuals: number; rates: CoverageAtRate[] }> {
  const V = view.stats.genes.length;
  const trainRows = options.trainRows ?? Array.from({ length: view.trainZ.rows }, (_, i) => i);
  const cal = await collectResiduals(
    view.predictor,
    view.stats,
    view.trainZ,
    trainRows,
    options.calibrationRates ?? CALIBRATION_RATES,
    seed,
  );
  const head = fitRestorationIntervals(cal, options.coverage ?? 0.9, { genes: V });
  const testRows = Array.from({ length: view.testZ.rows }, (_, i) => i);
  const rates: CoverageAtRate[] = [];
  for (const [r, rate] of (options.testRates ?? COVERAGE_RATES).entries()) {
    const test = await collectResiduals(
      view.predictor,
      view.stats,
      view.testZ,
      testRows,
      [rate],
      seed + 1 + r,
    );
    const { covered, width } = coverageOf(head, test);
    rates.push({ rate, coverage: covered / test.length, width: width / test.length, values: test.length });
  }
  return { calibratedOn: trainRows.length, residuals: cal.length, rates };
}

/** Test-sample probabilities of one (method, setting), pooled over folds for the reliability diagram. */
export interface ReliabilityRecord {
  method: string;
  setting: string;
  before: number[];
  after: number[];
  correct: boolean[];
}

const setting = (base: string, scaled: boolean) =>
  `${base}, ${scaled ? 'after' : 'before'} temperature scaling`;

/** The setting names of the calibration rows. */
export function calibrationSetting(base: string, scaled: boolean): string {
  return setting(base, scaled);
}

/** Records the calibration rows of one fold; returns its test probabilities per (method, setting). */
async function measureCalibration(fold: FoldContext): Promise<ReliabilityRecord[]> {
  const V = fold.vocab.length;
  const m = fold.measurements;
  const panels: { name: string; genes: number[] | null }[] = [{ name: WHOLE_PROFILE, genes: null }];
  for (let d = 0; d < panelDraws(fold.quick); d++)
    panels.push({
      name: `k=${TRUST_PANEL} genes`,
      // The classification task's k = 64 draws (same seeds), so the ECE belongs to its accuracies.
      genes: randomGenePanel(V, TRUST_PANEL, fold.seed * 1000 + TRUST_PANEL * 10 + d + 7919 * fold.fold),
    });
  const records: ReliabilityRecord[] = [];
  for (const panel of panels) {
    const inPanel = panel.genes ? new Uint8Array(V) : undefined;
    if (panel.genes && inPanel) for (const g of panel.genes) inPanel[g] = 1;
    const features: [string, Matrix, Matrix][] = [
      [
        GEXBERT_LINEAR,
        await embedPanel(fold, fold.trainZ, inPanel),
        await embedPanel(fold, fold.testZ, inPanel),
      ],
      [
        'logistic',
        panel.genes ? selectCols(fold.trainZ, panel.genes) : fold.trainZ,
        panel.genes ? selectCols(fold.testZ, panel.genes) : fold.testZ,
      ],
    ];
    for (const [method, xTrain, xTest] of features) {
      const c = calibrationOnTest(xTrain, fold.trainLabels, xTest, fold.testLabels, fold.seed);
      m.record(TRUST_TASK, method, setting(panel.name, false), 'ece', [c.eceBefore]);
      m.record(TRUST_TASK, method, setting(panel.name, true), 'ece', [c.eceAfter]);
      m.record(TRUST_TASK, method, panel.name, 'temperature', [c.temperature]);
      m.record(TRUST_TASK, method, panel.name, 'accuracy', [c.accuracy]);
      records.push({ method, setting: panel.name, before: c.before, after: c.after, correct: c.correct });
    }
  }
  return records;
}

/** Records the out-of-distribution rows of one fold (per left-out type; panels as in the classification task). */
function measureNovelty(fold: FoldContext): void {
  const V = fold.vocab.length;
  const ref = foldReference(fold, fold.trainLabels, fold.testLabels);
  const labels = ref.cancerTypes as string[];
  const nTrain = fold.trainLabels.length;
  const trainRows = Array.from({ length: nTrain }, (_, i) => i);
  const testRows = fold.testLabels.map((_, i) => nTrain + i);
  const record = (method: string, name: string, results: LeftOutType[]) => {
    const m = fold.measurements;
    m.record(
      TRUST_TASK,
      method,
      name,
      'novelty AUROC',
      results.map((r) => r.auroc),
    );
    m.record(
      TRUST_TASK,
      method,
      name,
      'known flagged',
      results.map((r) => r.knownFlagged),
    );
    m.record(
      TRUST_TASK,
      method,
      name,
      'novel flagged',
      results.map((r) => r.novelFlagged),
    );
  };
  const all = Array.from({ length: V }, (_, v) => v);
  record(NOVELTY_HEAD, WHOLE_PROFILE, leaveTypesOut(labels, trainRows, testRows, noveltyScorer(ref, all)));
  for (let d = 0; d < panelDraws(fold.quick); d++) {
    const panel = randomGenePanel(V, TRUST_PANEL, fold.seed * 1000 + TRUST_PANEL * 10 + d + 7919 * fold.fold);
    record(
      NOVELTY_HEAD,
      `k=${TRUST_PANEL} genes`,
      leaveTypesOut(labels, trainRows, testRows, noveltyScorer(ref, panel)),
    );
  }
  const x = variableGeneMatrix(fold.trainCounts, fold.testCounts, 1000);
  record(
    PCA_BASELINE,
    WHOLE_PROFILE,
    leaveTypesOut(labels, trainRows, testRows, (rows) => fitPcaKnn(x, rows)),
  );
}

/** The trust measurements of one fold; returns its test probabilities for the pooled reliability diagram. */
export async function measureTrust(fold: FoldContext): Promise<ReliabilityRecord[]> {
  let started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
  fold.log('trust: calibration of the cancer-type probabilities');
  const records = await measureCalibration(fold);
  fold.log(`trust: calibration took ${seconds()} s`);
  started = Date.now();
  measureNovelty(fold);
  fold.log(`trust: out-of-distribution flags took ${seconds()} s`);
  started = Date.now();
  const coverage = await intervalCoverage(fold, fold.seed * 100 + 17 + 7919 * fold.fold);
  for (const r of coverage.rates) {
    const name = `missing=${Math.round(r.rate * 100)}%`;
    fold.measurements.record(TRUST_TASK, INTERVALS, name, 'coverage90', [r.coverage]);
    fold.measurements.record(TRUST_TASK, INTERVALS, name, 'intervalWidth', [r.width]);
  }
  fold.log(`trust: interval coverage took ${seconds()} s`);
  fold.note(
    `Trust${fold.folds > 1 ? ` (fold ${fold.fold + 1})` : ''}: restoration intervals calibrated on ${coverage.residuals} residuals of the ${coverage.calibratedOn} training samples (missing ${CALIBRATION_RATES.map((r) => `${r * 100}%`).join(', ')}), tested on fresh masks of the test samples (${coverage.rates.map((r) => `${r.values} values at ${r.rate * 100}%`).join(', ')}).`,
  );
  fold.note(
    `Trust: the novelty head and the PCA baseline are refitted for every left-out type on the other types' training samples; the genes they read (the model's vocabulary, its 64-gene panels, the 1,000 most variable genes) were chosen on all the fold's training samples. The novelty head flags above the 97th percentile of its training samples' leave-one-out scores, the baseline above the 95th.`,
  );
  return records;
}
