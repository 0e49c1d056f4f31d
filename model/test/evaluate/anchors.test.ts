/**
 * Anchor genes and the survival pieces the evaluation adds: univariate Cox screening against R, the
 * stratified Cox fit against the sum of per-stratum likelihoods, within-type C against per-type counts,
 * KNN restoration on a hand-computed case, and anchors chosen on real TCGA training patients.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../services/core/test-support/shared.ts';
import {
  genesWithMeanCount,
  log2Cpm,
  randomGenePanel,
  selectGenes,
  topVariableGenes,
} from '../../src/data/dataset.ts';
import {
  type LabelledCounts,
  loadCountsDir,
  readSurvival,
  type SurvivalRecord,
  toExpression,
} from '../../src/data/inputs.ts';
import { ready } from '../../src/engine/tf.ts';
import { knnRestore, selectAnchors, univariateCoxZ } from '../../src/evaluate/anchors.ts';
import { zMatrix } from '../../src/evaluate/fold.ts';
import {
  covariateCoxRisk,
  namedColumns,
  pcaScores,
  scaleByTraining,
  withinTypeCIndex,
} from '../../src/evaluate/survival.ts';
import { restoreFromPanel } from '../../src/evaluate/tasks/survivalAnchors.ts';
import { loadCheckpoint } from '../../src/gexbert/inference/checkpoint.ts';
import {
  applyStandardizer,
  fitStandardizer,
  fromRows,
  type Matrix,
  pearson,
  selectCols,
  selectRows,
  stratifiedSplit,
} from '../../src/stats/index.ts';
import {
  concordance,
  coxPartialLikelihood,
  coxph,
  type EventIndicator,
  type SurvivalData,
} from '../../src/survival/index.ts';
import { CHECKPOINT, COUNTS } from './tcgaFold.ts';

const FIXTURES = sharedPath('fixtures', 'survival');
const OS_TABLE = sharedPath('data', 'tcga', 'clinical', 'tcga_pancan_os.tsv.gz');

interface StadRow {
  time: number;
  OS_status: EventIndicator;
  Lauren: string | null;
  TMEscore_plus: number;
  GZMB: number;
  CD274: number;
}
const stad = JSON.parse(readFileSync(join(FIXTURES, 'stad_input.json'), 'utf8')).rows as StadRow[];
const stadCox = JSON.parse(readFileSync(join(FIXTURES, 'stad_coxph.json'), 'utf8'));
const stadData: SurvivalData = { time: stad.map((r) => r.time), event: stad.map((r) => r.OS_status) };
const stadX = fromRows(stad.map((r) => [r.TMEscore_plus, r.GZMB, r.CD274]));
/** The patients with a Lauren class (12 have none), for the stratified checks. */
const lauren = stad.filter((r) => r.Lauren !== null);
const laurenData: SurvivalData = { time: lauren.map((r) => r.time), event: lauren.map((r) => r.OS_status) };

function pick<T>(values: ArrayLike<T>, rows: number[]): T[] {
  return rows.map((i) => values[i]!);
}

describe('univariate Cox screening', () => {
  it("gives R's Wald z (coef / se) for a single covariate", () => {
    const z = univariateCoxZ(stadX, stadData);
    const r = stadCox.one_efron;
    const expected = r.coef.TMEscore_plus / r.se.TMEscore_plus;
    expect(Math.abs(z[0]! / expected - 1)).toBeLessThan(1e-6);
  });

  it('gives 0 for a constant column', () => {
    const x = fromRows(stad.map((r) => [r.GZMB, 3]));
    expect(univariateCoxZ(x, stadData)[1]).toBe(0);
  });

  it('stratified: the fit maximises the sum of per-stratum unstratified partial likelihoods', () => {
    const strata = lauren.map((r) => r.Lauren!);
    const covariates = { g: lauren.map((r) => r.GZMB) };
    const fit = coxph(laurenData, covariates, { strata });
    const beta = fit.coefficients;
    let logLik = 0;
    let score = 0;
    for (const level of [...new Set(strata)]) {
      const rows = strata.flatMap((s, i) => (s === level ? [i] : []));
      const part = coxPartialLikelihood(
        { time: pick(laurenData.time, rows), event: pick(laurenData.event, rows) },
        { g: pick(covariates.g, rows) },
        beta,
      );
      logLik += part.logLik;
      score += part.score[0]!;
    }
    // The stratified log-likelihood is the sum over strata, and its score vanishes at the estimate.
    expect(Math.abs(fit.logLik / logLik - 1)).toBeLessThan(1e-10);
    expect(Math.abs(score)).toBeLessThan(1e-6);
    const z = univariateCoxZ(fromRows(covariates.g.map((v) => [v])), laurenData, { strata });
    expect(z[0]).toBeCloseTo(fit.z[0]!, 12);
    // Stratifying changes the estimate (Lauren classes differ in baseline hazard).
    expect(z[0]).not.toBeCloseTo(univariateCoxZ(fromRows(covariates.g.map((v) => [v])), laurenData)[0]!, 3);
  });
});

describe('within-type C', () => {
  it('pools the per-type pair counts', () => {
    const risk = lauren.map((r) => r.TMEscore_plus);
    const types = lauren.map((r) => r.Lauren!);
    let numerator = 0;
    let denominator = 0;
    for (const level of [...new Set(types)]) {
      const rows = types.flatMap((s, i) => (s === level ? [i] : []));
      const c = concordance(
        { time: pick(laurenData.time, rows), event: pick(laurenData.event, rows) },
        pick(risk, rows),
        { reverse: true },
      );
      numerator += c.concordant + c.tiedX / 2;
      denominator += c.concordant + c.discordant + c.tiedX;
    }
    expect(withinTypeCIndex(laurenData, risk, types)).toBeCloseTo(numerator / denominator, 12);
  });
});

describe('anchor selection and KNN restoration', () => {
  it('selects the largest |z| outside the panel, in order', () => {
    const z = [0.5, -3, 2, 0.1, -2.5, 2];
    expect(selectAnchors(z, [1], 3)).toEqual([4, 2, 5]);
    expect(() => selectAnchors(z, [0, 1, 2, 3], 3)).toThrow(/outside the panel/);
  });

  it('restores by the mean of the k nearest reference rows, leaving a row out of its own neighbours', () => {
    const refPanel = fromRows([[0], [1], [3], [10]]);
    const refTargets = fromRows([[1], [2], [4], [8]]);
    // Query 0.4: nearest 0 (d 0.4), 1 (d 0.6) -> (1 + 2) / 2.
    expect(Array.from(knnRestore(refPanel, refTargets, fromRows([[0.4]]), 2).data)).toEqual([1.5]);
    // Leave-self-out, k = 1: row 0 -> row 1 (2); row 1 -> row 0 (1); row 2 -> row 1 (2); row 3 -> row 2 (4).
    expect(Array.from(knnRestore(refPanel, refTargets, refPanel, 1, true).data)).toEqual([2, 1, 2, 4]);
  });
});

/** The six cohorts and overall survival, read once for the real-data tests. */
let cohorts: { data: LabelledCounts; os: Map<string, SurvivalRecord> } | undefined;
function loadCohorts() {
  cohorts ??= { data: loadCountsDir(COUNTS), os: readSurvival(OS_TABLE) };
  return cohorts;
}

describe('anchors on the six real TCGA cohorts', () => {
  it('are chosen on training patients outside the panel and predict held-out survival', () => {
    const { data: cohort, os } = loadCohorts();
    const { counts, labels } = cohort;
    const data = selectGenes(log2Cpm(counts, labels), genesWithMeanCount(counts, 10));
    const split = stratifiedSplit(data.labels, 0.3, 42);
    const withOs = (rows: number[]) => rows.filter((i) => os.has(data.sampleIds[i]!.slice(0, 12)));
    const trainRows = withOs(split.train);
    const testRows = withOs(split.test);
    const outcome = (rows: number[]): SurvivalData => {
      const recs = rows.map((i) => os.get(data.sampleIds[i]!.slice(0, 12))!);
      return { time: recs.map((r) => r.time), event: recs.map((r) => r.event) };
    };
    // A 1,000-gene "vocabulary" (most variable on training samples), z-scored with training statistics.
    const genes = selectCols(data.values, topVariableGenes(data, 1000, split.train));
    const standardizer = fitStandardizer(selectRows(genes, split.train));
    const trainZ = applyStandardizer(selectRows(genes, trainRows), standardizer);
    const testZ = applyStandardizer(selectRows(genes, testRows), standardizer);
    const train = outcome(trainRows);
    const test = outcome(testRows);
    const z = univariateCoxZ(trainZ, train);
    const panel = randomGenePanel(1000, 64, 5);
    const anchors = selectAnchors(z, panel, 8);
    expect(anchors.length).toBe(8);
    for (const a of anchors) expect(panel).not.toContain(a);
    const weakest = Math.min(...anchors.map((a) => Math.abs(z[a]!)));
    for (let g = 0; g < 1000; g++)
      if (!panel.includes(g) && !anchors.includes(g)) expect(Math.abs(z[g]!)).toBeLessThanOrEqual(weakest);

    // Panel PCA(5) + Cox, with KNN-restored and with measured anchors.
    const trainPanel = selectCols(trainZ, panel);
    const testPanel = selectCols(testZ, panel);
    const pcs = pcaScores(trainPanel, testPanel, 5);
    const measuredTrain = selectCols(trainZ, anchors);
    const measuredTest = selectCols(testZ, anchors);
    const knnTest = knnRestore(trainPanel, measuredTrain, testPanel, 10);
    const column = (m: Matrix, c: number) =>
      Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + c]!);
    const knnR = anchors.map((_, c) => pearson(column(knnTest, c), column(measuredTest, c)));
    const cWith = (trainAnchors: Matrix | null, testAnchors: Matrix | null) => {
      const [a, b] = trainAnchors ? scaleByTraining(trainAnchors, [testAnchors!], true) : [null, null];
      return covariateCoxRisk(
        { ...namedColumns(pcs.train, 'PC'), ...(a ? namedColumns(a, 'anchor') : {}) },
        train,
        { ...namedColumns(pcs.test, 'PC'), ...(b ? namedColumns(b, 'anchor') : {}) },
        test,
      ).cIndex;
    };
    const cMeasuredAnchors = cWith(measuredTrain, measuredTest);
    // Real prognostic signal among the training patients (|z| > 1.96 is p < 0.05 for the weakest anchor).
    expect(weakest).toBeGreaterThan(1.96);
    // The panel genes carry information about the anchors (co-expression across and within types).
    expect(knnR.reduce((s, r) => s + r, 0) / knnR.length).toBeGreaterThan(0.3);
    // Held-out: better than chance.
    expect(cMeasuredAnchors).toBeGreaterThan(0.55);
  }, 60_000);
});

describe("GexBERT's restoration of anchors from a 64-gene panel (shipped TCGA checkpoint)", () => {
  it('correlates with the measured anchors of the test split (patients the checkpoint trained on)', async () => {
    await ready();
    const { data, os } = loadCohorts();
    const { model, stats } = loadCheckpoint(CHECKPOINT);
    const z = zMatrix(
      stats,
      toExpression(
        data.counts,
        data.labels.map((_, i) => i),
      ),
    );
    const split = stratifiedSplit(data.labels, 0.3, 42);
    const withOs = (rows: number[]) => rows.filter((i) => os.has(data.counts.sampleIds[i]!.slice(0, 12)));
    const trainRows = withOs(split.train);
    const testRows = withOs(split.test);
    const recs = trainRows.map((i) => os.get(data.counts.sampleIds[i]!.slice(0, 12))!);
    const screen = univariateCoxZ(selectRows(z, trainRows), {
      time: recs.map((r) => r.time),
      event: recs.map((r) => r.event),
    });
    const panel = randomGenePanel(stats.genes.length, 64, 5);
    const anchors = selectAnchors(screen, panel, 8);
    const testZ = selectRows(z, testRows);
    const restored = await restoreFromPanel(model, stats, testZ, panel, anchors);
    const measured = selectCols(testZ, anchors);
    const column = (m: Matrix, c: number) =>
      Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + c]!);
    const r = anchors.map((_, c) => pearson(column(restored, c), column(measured, c)));
    const meanR = r.reduce((s, v) => s + v, 0) / r.length;
    // The checkpoint was trained on all six cohorts (these patients included): this checks that the decoder
    // restores unseen-in-input genes from the panel, not held-out generalisation (the evaluate run measures that).
    expect(meanR).toBeGreaterThan(0.5);
    model.dispose();
  }, 60_000);
});
