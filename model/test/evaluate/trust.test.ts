/**
 * The evaluation's trust task (tasks/trust.ts): calibration before and after temperature scaling, the
 * leave-one-type-out novelty figures of the served head and of the PCA baseline, interval coverage and the
 * report's "Can the answers be trusted?" section. Real TCGA counts, in the shipped checkpoint's z space. The
 * whole task on a trained fold (its rows, spreads, notes and reliability diagram) is asserted on the report
 * of test/evaluate.test.ts's `gexbert evaluate --quick` run, which computes it anyway.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomGenePanel } from '../../src/data/dataset.ts';
import { loadCountsDir, toExpression } from '../../src/data/inputs.ts';
import { embedPanel, type ModelView } from '../../src/evaluate/fold.ts';
import type { ReportRow } from '../../src/evaluate/report.ts';
import { GEXBERT_LINEAR } from '../../src/evaluate/tasks/classification.ts';
import {
  calibrationOnTest,
  calibrationSetting,
  fitPcaKnn,
  foldReference,
  INTERVALS,
  intervalCoverage,
  leaveTypesOut,
  NOVELTY_HEAD,
  noveltyScorer,
  PCA_BASELINE,
  TRUST_TASK,
  variableGeneMatrix,
} from '../../src/evaluate/tasks/trust.ts';
import { trustSection } from '../../src/evaluate/trustMarkdown.ts';
import { createOnnxPredictor, type OnnxPredictor } from '../../src/gexbert/inference/predictor.ts';
import { selectCols } from '../../src/stats/matrix.ts';
import { expectedCalibrationError } from '../../src/stats/metrics.ts';
import { quantile } from '../../src/stats/quantile.ts';
import { COUNTS, loadTcgaFixture, type TcgaFixture } from './tcgaFold.ts';

describe('trust pieces without data', () => {
  it('leaves each training type out: novel = its training and test rows, known = the other test rows', () => {
    const labels = ['a', 'a', 'b', 'b', 'c', 'c', 'a', 'b', 'c'];
    const trainRows = [0, 1, 2, 3, 4, 5];
    const testRows = [6, 7, 8];
    const seen: number[][] = [];
    // A scorer that knows the left-out type perfectly: score 1 for it, 0 otherwise, threshold 0.5.
    const results = leaveTypesOut(labels, trainRows, testRows, (rows) => {
      seen.push(rows);
      const known = new Set(rows.map((i) => labels[i]));
      return { score: (i) => (known.has(labels[i]!) ? 0 : 1), threshold: 0.5 };
    });
    expect(results.map((r) => r.type)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([
      [2, 3, 4, 5],
      [0, 1, 4, 5],
      [0, 1, 2, 3],
    ]);
    for (const r of results) expect([r.auroc, r.knownFlagged, r.novelFlagged]).toEqual([1, 0, 1]);
    // A scorer that ranks the other way round.
    const worst = leaveTypesOut(labels, trainRows, testRows, (rows) => {
      const known = new Set(rows.map((i) => labels[i]));
      return { score: (i) => (known.has(labels[i]!) ? 1 : 0), threshold: 0.5 };
    });
    for (const r of worst) expect([r.auroc, r.knownFlagged, r.novelFlagged]).toEqual([0, 1, 0]);
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 12);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
  });

  it('says from the numbers whether each target is met', () => {
    const row = (method: string, setting: string, metric: string, value: number): ReportRow => ({
      task: TRUST_TASK,
      method,
      setting,
      metric,
      value,
      spread: null,
    });
    const rows = (ece: number, auc64: number, known: number, coverage: number): ReportRow[] => [
      row(GEXBERT_LINEAR, calibrationSetting('k=64 genes', false), 'ece', 0.2),
      row(GEXBERT_LINEAR, calibrationSetting('k=64 genes', true), 'ece', ece),
      row(NOVELTY_HEAD, 'k=64 genes', 'novelty AUROC', auc64),
      row(NOVELTY_HEAD, 'k=64 genes', 'known flagged', known),
      row(NOVELTY_HEAD, 'k=64 genes', 'novel flagged', 0.9),
      row(NOVELTY_HEAD, 'whole profile', 'novelty AUROC', 0.99),
      row(PCA_BASELINE, 'whole profile', 'novelty AUROC', 0.98),
      row(INTERVALS, 'missing=30%', 'coverage90', coverage),
      row(INTERVALS, 'missing=30%', 'intervalWidth', 1.2),
    ];
    const good = trustSection(rows(0.03, 0.97, 0.02, 0.9)).join('\n');
    expect(good).toMatch(/^## Can the answers be trusted\?/);
    expect(good).not.toMatch(/NOT met/);
    expect(good).toMatch(/ECE 0\.200 before and 0\.030 after scaling .*: target met/);
    expect(good).toMatch(/AUROC 0\.990 against the PCA baseline's 0\.980: target met/);
    expect(good).toMatch(/Coverage 90\.0% at 30% missing: target met/);
    const bad = trustSection(rows(0.08, 0.9, 0.1, 0.8)).join('\n');
    expect(bad).toMatch(/0\.080 after scaling .*: target NOT met/);
    expect(bad).toMatch(/AUROC 0\.900: target NOT met/);
    expect(bad).toMatch(/10\.0% of known test samples flagged \(target NOT met/);
    expect(bad).toMatch(/Coverage 80\.0% at 30% missing: target NOT met/);
    expect(trustSection([{ ...rows(0, 0, 0, 0)[0]!, task: 'classification' }])).toEqual([]);
  });
});

describe('trust pieces on real data (shipped checkpoint)', () => {
  let fx: TcgaFixture;
  let predictor: OnnxPredictor;
  let view: ModelView;

  beforeAll(async () => {
    fx = await loadTcgaFixture(0.5, 0.3);
    predictor = await createOnnxPredictor(fx.checkpoint.config, fx.checkpoint.weights);
    view = {
      vocab: fx.checkpoint.stats.genes,
      stats: fx.checkpoint.stats,
      predictor,
      trainZ: fx.zTrain,
      testZ: fx.zTest,
    };
  }, 120_000);

  it('measures ECE of the embedding + logistic head and of logistic regression before and after scaling', async () => {
    const panel = randomGenePanel(view.vocab.length, 64, 11);
    const inPanel = new Uint8Array(view.vocab.length);
    for (const g of panel) inPanel[g] = 1;
    const eTrain = await embedPanel(view, fx.zTrain, inPanel);
    const eTest = await embedPanel(view, fx.zTest, inPanel);
    for (const [xTrain, xTest] of [
      [eTrain, eTest],
      [selectCols(fx.zTrain, panel), selectCols(fx.zTest, panel)],
    ] as const) {
      const c = calibrationOnTest(xTrain, fx.yTrain, xTest, fx.yTest, 1);
      expect(c.before).toHaveLength(fx.yTest.length);
      expect(c.after).toHaveLength(fx.yTest.length);
      expect(c.correct).toHaveLength(fx.yTest.length);
      expect(c.accuracy).toBeGreaterThan(0.8);
      expect(c.temperature).toBeGreaterThanOrEqual(1 / 8);
      expect(c.temperature).toBeLessThanOrEqual(8);
      for (const p of [...c.before, ...c.after]) {
        expect(p).toBeGreaterThanOrEqual(1 / 6 - 1e-9); // the top of 6 probabilities
        expect(p).toBeLessThanOrEqual(1);
      }
      expect(c.eceBefore).toBeCloseTo(expectedCalibrationError(c.before, c.correct), 12);
      expect(c.eceAfter).toBeCloseTo(expectedCalibrationError(c.after, c.correct), 12);
      expect(c.eceAfter).toBeLessThan(0.2);
      // Scaling changes the confidences (unless the temperature is exactly 1) but never the prediction.
      if (Math.abs(c.temperature - 1) > 1e-3) expect(c.after).not.toEqual(c.before);
    }
  });

  it('flags a left-out type: the novelty head and the PCA baseline on real samples', () => {
    const ref = foldReference(view, fx.yTrain, fx.yTest);
    expect(ref.z).toHaveLength((fx.train.length + fx.test.length) * view.vocab.length);
    const labels = ref.cancerTypes as string[];
    const trainRows = fx.yTrain.map((_, i) => i);
    const testRows = fx.yTest.map((_, i) => fx.yTrain.length + i);
    const all = view.vocab.map((_, v) => v);
    const head = leaveTypesOut(labels, trainRows, testRows, noveltyScorer(ref, all));
    expect(head).toHaveLength(6);
    const data = loadCountsDir(COUNTS);
    const x = variableGeneMatrix(
      toExpression(data.counts, fx.train),
      toExpression(data.counts, fx.test),
      1000,
    );
    expect([x.rows, x.cols]).toEqual([fx.train.length + fx.test.length, 1000]);
    const pca = leaveTypesOut(labels, trainRows, testRows, (rows) => fitPcaKnn(x, rows));
    for (const results of [head, pca]) {
      const mean = (f: (r: (typeof head)[number]) => number) =>
        results.reduce((a, r) => a + f(r), 0) / results.length;
      expect(mean((r) => r.auroc)).toBeGreaterThan(0.9);
      expect(mean((r) => r.knownFlagged)).toBeLessThan(0.2);
      expect(mean((r) => r.novelFlagged)).toBeGreaterThan(0.5);
      for (const r of results)
        for (const v of [r.auroc, r.knownFlagged, r.novelFlagged]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
    }
  });

  it('calibrates intervals on training samples and measures coverage and width on test samples', async () => {
    const result = await intervalCoverage(view, 5, {
      trainRows: fx.yTrain.map((_, i) => i).filter((i) => i % 3 === 0),
    });
    expect(result.rates.map((r) => r.rate)).toEqual([0.3, 0.7, 0.9]);
    const V = view.vocab.length;
    for (const r of result.rates) {
      expect(r.values).toBe(fx.yTest.length * Math.round(r.rate * V));
      expect(r.coverage).toBeGreaterThan(0.7);
      expect(r.coverage).toBeLessThanOrEqual(1);
      expect(r.width).toBeGreaterThan(0);
    }
    // More missing genes, wider intervals (90% missing reads 100 genes: another bin than 30%).
    expect(result.rates[2]!.width).toBeGreaterThan(result.rates[0]!.width);
  });
});
