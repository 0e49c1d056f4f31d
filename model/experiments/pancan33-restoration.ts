/**
 * Does GexBERT restore missing pancan33 genes better than KNN? (issue 15 item 3; EXPERIMENTS.md 15,
 * "Restoration and survival on pancan33")
 *
 *   npx tsx model/experiments/pancan33-restoration.ts <out.json> <split seed> <label>=<checkpoint dir> ... [--ensemble=<label>+<label>]
 *
 * The split is pancan33-split.ts's (`gexbert evaluate --train pancan33 --quick --seed <seed>`'s 70/30 split);
 * every checkpoint must have been pretrained on that split's training samples only (pancan33-pretraining.ts,
 * pancan33-classification.ts). The held-out profiles are the split's test samples over all 100 genes, in z
 * (log2(max(RSEM, 0) + 1) standardised with the training samples' mean and sd: the same for every checkpoint,
 * checked); at each missing rate one MCAR mask (the evaluation's seed formula, fold 0) hides values, and the
 * per-gene training mean, KNN (k tuned on the training samples, the training samples as neighbours) and each
 * GexBERT restore them. Pearson (per-gene standardised, training statistics) and RMSE on the masked entries,
 * as `gexbert evaluate` measures imputation. The last rows per rate average KNN and each checkpoint's
 * restoration with a fixed weight of 1/2 (fixed in advance: nothing is chosen on the test samples), and, as
 * the control of that average (does any second imputer help KNN?), the evaluation's VAE (vae.ts, trained on
 * the training samples with the evaluation's seed and time limit) alone and averaged with KNN the same way.
 */
import { writeFileSync } from 'node:fs';
import { fitVae } from '../src/baselines/vae.ts';
import { gexbertImpute } from '../src/evaluate/tasks/imputation.ts';
import { readCheckpoint } from '../src/gexbert/inference/checkpoint.ts';
import { createOnnxPredictor } from '../src/gexbert/inference/predictor.ts';
import {
  applyMask,
  imputationMetrics,
  knnImpute,
  mcarMask,
  meanImpute,
  tuneKnnK,
} from '../src/stats/impute.ts';
import { fromRows, type Matrix } from '../src/stats/matrix.ts';
import { fitStandardizer } from '../src/stats/standardize.ts';
import { pancan33Split, panelZ } from './pancan33-split.ts';

const args = process.argv.slice(2);
/** `--ensemble=a+b`: also the entrywise mean of these checkpoints' restorations (a seed ensemble). */
const ensembles = args
  .filter((a) => a.startsWith('--ensemble='))
  .map((a) => a.slice('--ensemble='.length).split('+'));
const [outFile, seedArg, ...specs] = args.filter((a) => !a.startsWith('--'));
const seed = Number(seedArg);
const RATES = [0.3, 0.5, 0.7, 0.9];
const checkpoints = specs.map((s) => {
  const [label, dir] = s.split('=');
  return { label: label!, ...readCheckpoint(dir!) };
});

const { genes, train, test } = await pancan33Split(seed);
const first = checkpoints[0]!;
const ref = fromRows(panelZ(first.stats, train, genes)); // training z (n x 100)
const truth = fromRows(panelZ(first.stats, test, genes)); // held-out z
for (const c of checkpoints.slice(1)) {
  const z = panelZ(c.stats, test, genes).flatMap((r) => [...r]);
  const diff = Math.max(...z.map((v, i) => Math.abs(v - truth.data[i]!)));
  if (diff > 1e-4)
    throw new Error(`${c.label}: its z of the test samples differs from ${first.label}'s by ${diff}`);
}
const standardizer = fitStandardizer(ref);
const knnK = tuneKnnK(ref, { seed }).k;
const vae = await fitVae(ref, { seed: seed * 1000 + genes.length, timeLimitSeconds: 45 });
const predictors = await Promise.all(
  checkpoints.map((c) => createOnnxPredictor(c.config, c.weights, { intraOpThreads: 1 })),
);

/** The entrywise mean of two imputations. */
const averaged = (a: Matrix, b: Matrix): Matrix => ({
  ...a,
  data: a.data.map((v, q) => (v + b.data[q]!) / 2),
});

const results: Record<string, unknown>[] = [];
for (const rate of RATES) {
  const maskSeed = seed * 100 + Math.round(rate * 100) + genes.length;
  const mask = mcarMask(truth.rows, truth.cols, rate, maskSeed);
  const masked = applyMask(truth, mask);
  const knn = knnImpute(ref, masked, knnK);
  const methods: [string, Matrix][] = [
    ['mean', meanImpute(ref, masked)],
    [`knn (k ${knnK})`, knn],
  ];
  for (const [at, c] of checkpoints.entries()) {
    const t0 = Date.now();
    methods.push([
      `gexbert ${c.label}`,
      await gexbertImpute(
        { predictor: predictors[at]!, stats: c.stats },
        genes,
        masked,
        mask,
        standardizer.mean,
        maskSeed,
      ),
    ]);
    console.log(`${c.label} ${rate}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (const members of ensembles) {
    const parts = members.map((m) => methods.find(([name]) => name === `gexbert ${m}`)![1]);
    const mean = {
      ...parts[0]!,
      data: parts[0]!.data.map((_, q) => parts.reduce((a, p) => a + p.data[q]!, 0) / parts.length),
    };
    methods.push([`gexbert ${members.join('+')}`, mean]);
  }
  const second: [string, Matrix][] = [...methods.slice(2), ['vae', vae.impute(masked)]];
  for (const [name, g] of second) methods.push([`(knn + ${name}) / 2`, averaged(knn, g)]);
  methods.push(second.at(-1)!);
  for (const [method, imputed] of methods) {
    const m = imputationMetrics(truth, imputed, mask, standardizer);
    const row = { seed, missing: rate, method, pearson: m.pearson, rmseZ: m.rmseStandardized, n: m.n };
    results.push(row);
    console.log(JSON.stringify(row));
  }
}
for (const p of predictors) await p.release();
vae.dispose();
writeFileSync(outFile!, `${JSON.stringify({ checkpoints: specs, results }, null, 2)}\n`);
