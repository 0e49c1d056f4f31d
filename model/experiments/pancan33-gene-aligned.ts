/**
 * Does a classifier reading GexBERT's gene-aligned encoder outputs reach logistic regression on the genes'
 * z for 33 types from 64 genes? (issue 15 item 3; EXPERIMENTS.md 15, "Gene-aligned classifiers")
 *
 *   npx tsx model/experiments/pancan33-gene-aligned.ts <out.json> <split seed> <checkpoint dir> [--finetune]
 *
 * The split and the 5 seeded random 64-gene panels are pancan33-classification.ts's (pancan33-split.ts); the
 * checkpoint is the GexBERT that script pretrained on the split's training samples. Every classifier is the
 * evaluation's logistic regression (classify.ts), fitted on the training samples; its L2 penalty (and, for
 * the tokens beside z, how much less the z block is penalised) is chosen by 3-fold stratified CV inside the
 * training samples (accuracy of the out-of-fold predictions, ties by their log-loss; grid 1, 10, 100 x 1/n).
 * Methods:
 *   z                   the panel's z, default L2 (1/n): the baseline of the earlier rows
 *   z (inner CV)        the panel's z, L2 chosen by inner CV
 *   tokens (inner CV)   the 64 encoder outputs side by side in panel order (64 x width), L2 by inner CV
 *   tokens+z (inner CV) the same beside the panel's z (z scaled by 8: its penalty 1/64 as strong)
 *   ensemble z+tokens   w * P(z) + (1 - w) * P(tokens), w in 0, 0.1, ..., 1 chosen on the out-of-fold
 *                       probabilities of the two inner-CV fits
 * The gene-aligned features (4,096+) are fitted exactly in their row-space coordinates (pancan33-features.ts).
 * `--finetune` (first draw only) adds GexBERT fine-tuned end to end with a softmax head on the gene-aligned
 * outputs (finetune.ts, pooling 'genes'; the head starts from the tokens logistic regression fitted on the
 * fine-tuning's inner training rows with the inner-CV L2; early stopping on its stratified 20% inner
 * validation rows), without and with the masked-restoration loss as an auxiliary term (weight 1), and the
 * ensemble of each with z's logistic regression, w chosen on the same inner validation rows.
 */
import { writeFileSync } from 'node:fs';
import { type FinetuneOptions, finetuneClassifier, type ProbeHead } from '../src/baselines/finetune.ts';
import { GexbertModel } from '../src/gexbert/architecture/model.ts';
import { loadCheckpoint } from '../src/gexbert/inference/checkpoint.ts';
import { matrixToZ } from '../src/gexbert/inference/normalise.ts';
import { encodeLabels, fitLogisticRegression } from '../src/stats/classify.ts';
import { fromRows, type Matrix, selectRows } from '../src/stats/matrix.ts';
import { accuracy, macroF1 } from '../src/stats/metrics.ts';
import { stratifiedKFold, stratifiedSplit } from '../src/stats/split.ts';
import { encoderFeatures, ready, rowSpaceCoordinates } from './pancan33-features.ts';
import { pancan33Split, panelZ, randomPanels } from './pancan33-split.ts';

const options = process.argv.slice(2).filter((a) => /^--(control|draws=|methods=)/.test(a));
const [outFile, seedArg, checkpointDir, flag, scheduleArg] = process.argv
  .slice(2)
  .filter((a) => !options.includes(a));
const seed = Number(seedArg);
const finetune = flag === '--finetune';
/** `--control`: the checkpoint's architecture and normalisation with freshly initialised weights (seed = split seed). */
const control = options.includes('--control');
const option = (name: string) => options.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
/** `--draws=3,4,5`: only these draws (1-based); `--methods=tokens+z`: only these rows (z, the baseline, always). */
const onlyDraws = option('draws')?.split(',').map(Number);
const onlyMethods = option('methods')?.split(',');
const wanted = (method: string) => !onlyMethods || onlyMethods.includes(method);
/** `--finetune '{"encoderLr":5e-5,"headLr":1e-4,"l2Factor":1}'`: the schedule, and the probe's L2 factor without the inner CV. */
const schedule: Partial<FinetuneOptions> & { l2Factor?: number } = scheduleArg ? JSON.parse(scheduleArg) : {};
const DRAWS = finetune ? 1 : 5;
const INNER_FOLDS = 3;
/**
 * L2 grid, times the default 1/n, and L-BFGS iterations of the inner-CV fits: at load 10-13 on the shared
 * 2 cores, a grid of 5 (0.1 to 1,000) with 1,000 iterations took over 8 minutes for one draw's tokens.
 */
const L2_FACTORS = [1, 10, 100];
const MAX_ITER = 300;
/**
 * Scale of the standardised z beside the tokens: the z weights' penalty is 1/8^2 as strong, so the 64 z and
 * the 4,096 token features weigh alike in the penalty (sqrt(4,096 / 64) = 8); fixed, not tuned (time).
 */
const Z_SCALE = 8;

await ready();
const { genes, train, test, trainLabels, testLabels } = await pancan33Split(seed);
const loaded = loadCheckpoint(checkpointDir!);
const { stats } = loaded;
const model = control ? GexbertModel.create(loaded.config, seed) : loaded.model;
if (control) loaded.model.dispose();
const panels = randomPanels(genes, 64, DRAWS, seed).slice(0, DRAWS);
const { classes, y } = encodeLabels(trainLabels);
const K = classes.length;
const n = trainLabels.length;
const inner = stratifiedKFold(trainLabels, INNER_FOLDS, seed);

/** Out-of-fold accuracy and mean log-loss of n x K probabilities against the training labels (or rows of them). */
function oofScore(p: Float64Array, rows?: number[]): { acc: number; logLoss: number } {
  let right = 0;
  let ll = 0;
  const m = rows ? rows.length : n;
  for (let r = 0; r < m; r++) {
    const i = rows ? rows[r]! : r;
    let best = 0;
    for (let c = 1; c < K; c++) if (p[i * K + c]! > p[i * K + best]!) best = c;
    if (best === y[i]) right++;
    ll -= Math.log(Math.max(p[i * K + y[i]!]!, 1e-12));
  }
  return { acc: right / m, logLoss: ll / m };
}
const better = (a: { acc: number; logLoss: number }, b: { acc: number; logLoss: number }) =>
  a.acc > b.acc || (a.acc === b.acc && a.logLoss < b.logLoss);

interface CvFit {
  choice: Record<string, number>;
  oof: Float64Array;
  inner: { acc: number; logLoss: number };
  test: Float64Array;
}

/** Logistic regression with its L2 chosen by inner CV over `candidates` (each its own features). */
function cvLogistic(
  candidates: { choice: Record<string, number>; xTrain: Matrix; xTest: Matrix; standardize: boolean }[],
): CvFit {
  let best: Omit<CvFit, 'test'> & { at: (typeof candidates)[number]; l2: number } = null!;
  for (const cand of candidates)
    for (const f of L2_FACTORS) {
      const l2 = f / n;
      const oof = new Float64Array(n * K);
      for (const fold of inner) {
        const fit = fitLogisticRegression(
          selectRows(cand.xTrain, fold.train),
          fold.train.map((i) => trainLabels[i]!),
          { l2, standardize: cand.standardize, optimizer: { maxIter: MAX_ITER } },
        );
        if (fit.classes.length !== K) throw new Error('an inner training fold lacks a class');
        const p = fit.predictProba(selectRows(cand.xTrain, fold.test));
        fold.test.forEach((i, r) => {
          oof.set(p.data.subarray(r * K, (r + 1) * K), i * K);
        });
      }
      const s = oofScore(oof);
      if (!best || better(s, best.inner))
        best = { choice: { ...cand.choice, l2Factor: f }, oof, inner: s, at: cand, l2 };
    }
  const fit = fitLogisticRegression(best.at.xTrain, trainLabels, {
    l2: best.l2,
    standardize: best.at.standardize,
    optimizer: { maxIter: MAX_ITER },
  });
  return {
    choice: best.choice,
    oof: best.oof,
    inner: best.inner,
    test: fit.predictProba(best.at.xTest).data,
  };
}

/**
 * The weight w of P(a) in w P(a) + (1 - w) P(b) that scores best out of fold (on `rows` of the training
 * samples only, when given), and the test mixture.
 */
function ensemble(a: Pick<CvFit, 'oof' | 'test'>, b: Pick<CvFit, 'oof' | 'test'>, rows?: number[]): CvFit {
  let best: CvFit = null!;
  for (let t = 0; t <= 10; t++) {
    const w = t / 10;
    const mix = (pa: Float64Array, pb: Float64Array) => pa.map((v, i) => w * v + (1 - w) * pb[i]!);
    const oof = mix(a.oof, b.oof);
    const s = oofScore(oof, rows);
    if (!best || better(s, best.inner)) best = { choice: { w }, oof, inner: s, test: mix(a.test, b.test) };
  }
  return best;
}

function testScore(p: Float64Array) {
  const predicted = testLabels.map((_, i) => {
    let best = 0;
    for (let c = 1; c < K; c++) if (p[i * K + c]! > p[i * K + best]!) best = c;
    return classes[best]!;
  });
  return { accuracy: accuracy(testLabels, predicted), macroF1: macroF1(testLabels, predicted) };
}

const results: Record<string, unknown>[] = [];
const started = Date.now();
for (const [d, panel] of panels.entries()) {
  if (onlyDraws && !onlyDraws.includes(d + 1)) continue;
  const zTrain = panelZ(stats, train, panel);
  const zTest = panelZ(stats, test, panel);
  const fTrain = encoderFeatures(model, stats, zTrain, panel).tokens;
  const fTest = encoderFeatures(model, stats, zTest, panel).tokens;
  const record = (method: string, t0: number, s: { accuracy: number; macroF1: number }, extra = {}) => {
    const row = {
      seed,
      draw: d + 1,
      method: control ? `${method} [untrained encoder]` : method,
      ...s,
      ...extra,
      seconds: (Date.now() - t0) / 1000,
    };
    results.push(row);
    console.log(JSON.stringify(row));
  };
  let t0 = Date.now();
  const base = fitLogisticRegression(fromRows(zTrain), trainLabels);
  record('z', t0, testScore(base.predictProba(fromRows(zTest)).data));
  if (finetune && schedule.l2Factor) {
    finetuned(panel, zTrain, schedule.l2Factor, record);
    continue;
  }
  t0 = Date.now();
  const tokCv = () => {
    const tok = rowSpaceCoordinates(fTrain, [fTest]);
    return cvLogistic([{ choice: {}, xTrain: tok.train, xTest: tok.others[0]!, standardize: false }]);
  };
  const tokens = wanted('tokens') || wanted('ensemble') || finetune ? tokCv() : undefined;
  if (tokens)
    record('tokens (inner CV)', t0, testScore(tokens.test), { choice: tokens.choice, inner: tokens.inner });
  // --finetune runs the fine-tuned rows after these two only (the others are the run without it)
  if (finetune) finetuned(panel, zTrain, tokens!.choice.l2Factor!, record);
  else {
    t0 = Date.now();
    const zCv =
      wanted('z-cv') || wanted('ensemble')
        ? cvLogistic([{ choice: {}, xTrain: fromRows(zTrain), xTest: fromRows(zTest), standardize: true }])
        : undefined;
    if (zCv) record('z (inner CV)', t0, testScore(zCv.test), { choice: zCv.choice, inner: zCv.inner });
    t0 = Date.now();
    if (wanted('tokens+z')) {
      const beside = (f: Float32Array[], z: Float32Array[]) =>
        f.map((x, i) => Float32Array.from([...x, ...z[i]!]));
      const both = rowSpaceCoordinates(beside(fTrain, zTrain), [beside(fTest, zTest)], {
        from: fTrain[0]!.length,
        scale: Z_SCALE,
      });
      const bothCv = cvLogistic([
        { choice: {}, xTrain: both.train, xTest: both.others[0]!, standardize: false },
      ]);
      record('tokens+z (inner CV)', t0, testScore(bothCv.test), {
        choice: bothCv.choice,
        inner: bothCv.inner,
      });
    }
    t0 = Date.now();
    if (zCv && tokens) {
      const mix = ensemble(zCv, tokens);
      record('ensemble z+tokens', t0, testScore(mix.test), { choice: mix.choice, inner: mix.inner });
    }
  }
  writeFileSync(outFile!, `${JSON.stringify({ checkpoint: checkpointDir, results }, null, 2)}\n`);
}
writeFileSync(outFile!, `${JSON.stringify({ checkpoint: checkpointDir, results }, null, 2)}\n`);
model.dispose();
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);

/** Item 2: GexBERT fine-tuned end to end on the gene-aligned outputs, without and with the restoration loss. */
function finetuned(
  panel: string[],
  zTrain: Float32Array[],
  l2Factor: number,
  record: (method: string, t0: number, s: { accuracy: number; macroF1: number }, extra?: object) => void,
) {
  const zAll = (m: typeof train): Matrix => ({
    rows: m.nSamples,
    cols: stats.genes.length,
    data: Float64Array.from(matrixToZ(stats, m)),
  });
  const zAllTrain = zAll(train);
  const zAllTest = zAll(test);
  const panelIds = panel.map((g) => stats.genes.indexOf(g));
  // finetune.ts's own inner split: the head's probe is fitted on its training rows, w chosen on its validation rows
  const split = stratifiedSplit(trainLabels, 0.2, seed);
  const probe = (features: Float32Array[], labels: string[]): ProbeHead => {
    const c = rowSpaceCoordinates(features, []);
    const fit = fitLogisticRegression(c.train, labels, {
      l2: l2Factor / labels.length,
      standardize: false,
      optimizer: { maxIter: MAX_ITER },
    });
    const k = fit.classes.length;
    return {
      classes: fit.classes,
      mean: c.standardizer.mean,
      sd: c.standardizer.sd,
      w: c.featureWeights(fit.params.subarray(0, c.rank * k), k),
      b: Float32Array.from(fit.params.subarray(c.rank * k)),
    };
  };
  // z's logistic regression on the same inner training rows, for the ensemble weight
  const zInner = fitLogisticRegression(
    fromRows(split.train.map((i) => zTrain[i]!)),
    split.train.map((i) => trainLabels[i]!),
  );
  const zVal = new Float64Array(n * K);
  const zValP = zInner.predictProba(fromRows(split.test.map((i) => zTrain[i]!)));
  split.test.forEach((i, r) => {
    zVal.set(zValP.data.subarray(r * K, (r + 1) * K), i * K);
  });
  const zTest = fitLogisticRegression(fromRows(zTrain), trainLabels).predictProba(
    fromRows(panelZ(stats, test, panel)),
  ).data;
  for (const restorationWeight of [0, 1]) {
    const t0 = Date.now();
    const clf = finetuneClassifier(model, stats, zAllTrain, trainLabels, panelIds, {
      seed,
      ...schedule,
      pooling: 'genes',
      probe,
      restorationWeight,
    });
    const name = `fine-tuned gene-aligned${restorationWeight ? ' + restoration loss' : ''}${scheduleArg ? ` ${scheduleArg}` : ''}`;
    const pTest = clf.predictProba(zAllTest).data;
    const pVal = new Float64Array(n * K);
    const pv = clf.predictProba(selectRows(zAllTrain, split.test));
    split.test.forEach((i, r) => {
      pVal.set(pv.data.subarray(r * K, (r + 1) * K), i * K);
    });
    const trace = { bestEpoch: clf.trace.bestEpoch, epochs: clf.trace.epochs, valLoss: clf.trace.valLoss };
    record(name, t0, testScore(pTest), { trace });
    const mix = ensemble({ oof: zVal, test: zTest }, { oof: pVal, test: pTest }, split.test);
    record(`ensemble z+${name}`, t0, testScore(mix.test), { choice: mix.choice, inner: mix.inner });
    clf.dispose();
  }
}
