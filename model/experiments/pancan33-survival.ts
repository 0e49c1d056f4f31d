/**
 * Does GexBERT's embedding predict pancan33 overall survival better than PCA(5) of the genes? (issue 15
 * item 3; EXPERIMENTS.md 15, "Restoration and survival on pancan33")
 *
 *   npx tsx model/experiments/pancan33-survival.ts <out.json> <split seed> <label>=<checkpoint dir> ...
 *
 * The split is pancan33-split.ts's 70/30 split; each checkpoint must have been pretrained on its training
 * samples only. Patients join `tcga_pancan_os.tsv.gz` (as `gexbert evaluate --clinical` joins them). Every
 * model is fitted on the training patients and scored by Harrell's C on the test patients (the evaluation's
 * survival.ts): ridge Cox (0.01) on PCA(k) of the 100 genes' z (the paper's baseline, k = 5; k = 10 beside
 * it), on PCA(k) of each GexBERT's frozen embedding of the 100 genes (what `gexbert evaluate` reports, k = 5
 * and 10), on PCA(5) of both side by side, and on PCA(k) of the gene-aligned encoder outputs (the 100 genes'
 * outputs side by side, 6,400 features: pancan33-features.ts), with the same architecture's untrained encoder
 * (fresh weights, seed = split seed, the first checkpoint's normalisation) as the control of the last; pooled
 * over the 33 types and within type.
 */
import { writeFileSync } from 'node:fs';
import { pcaCoxRisk, withinTypeCIndex } from '../src/evaluate/survival.ts';
import { GexbertModel } from '../src/gexbert/architecture/model.ts';
import { loadCheckpoint, readCheckpoint } from '../src/gexbert/inference/checkpoint.ts';
import { embed } from '../src/gexbert/inference/infer.ts';
import { createOnnxPredictor } from '../src/gexbert/inference/predictor.ts';
import { fromRows, type Matrix } from '../src/stats/matrix.ts';
import { encoderFeatures, ready } from './pancan33-features.ts';
import { pancan33Split, panelZ, survivalRows } from './pancan33-split.ts';

const [outFile, seedArg, ...specs] = process.argv.slice(2);
await ready();
const seed = Number(seedArg);
const s = await pancan33Split(seed);

const { train: tr, test: te } = survivalRows(s);
console.log(`${tr.rows.length} training / ${te.rows.length} test patients joined`);

const results: Record<string, unknown>[] = [];
function score(method: string, xTrain: Matrix, xTest: Matrix, k: number) {
  const r = pcaCoxRisk(xTrain, tr.data, xTest, te.data, { k });
  const row = {
    seed,
    method,
    k,
    cIndex: r.cIndex,
    cWithinType: withinTypeCIndex(te.data, r.testRisk, te.types),
    trainCIndex: r.trainCIndex,
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
const beside = (a: Matrix, b: Matrix): Matrix =>
  fromRows(
    Array.from({ length: a.rows }, (_, i) => [
      ...a.data.subarray(i * a.cols, (i + 1) * a.cols),
      ...b.data.subarray(i * b.cols, (i + 1) * b.cols),
    ]),
  );

let zTrain: Matrix | undefined;
let zTest: Matrix | undefined;
for (const spec of specs) {
  const [label, dir] = spec.split('=');
  const c = readCheckpoint(dir!);
  const pick = (z: Float32Array[], rows: number[]) => rows.map((r) => z[r]!);
  const zTr = pick(panelZ(c.stats, s.train, s.genes), tr.rows);
  const zTe = pick(panelZ(c.stats, s.test, s.genes), te.rows);
  if (!zTrain) {
    zTrain = fromRows(zTr);
    zTest = fromRows(zTe);
    for (const k of [5, 10]) score('pca(z)+cox', zTrain, zTest!, k);
  }
  const predictor = await createOnnxPredictor(c.config, c.weights, { intraOpThreads: 1 });
  const embedRows = async (z: Float32Array[]) =>
    fromRows(
      (
        await embed(
          predictor,
          c.stats,
          z.map((values) => ({ genes: s.genes, values, unit: 'z' as const })),
        )
      ).embeddings,
    );
  const eTrain = await embedRows(zTr);
  const eTest = await embedRows(zTe);
  await predictor.release();
  for (const k of [5, 10]) score(`pca(embedding ${label})+cox`, eTrain, eTest, k);
  score(`pca(z beside embedding ${label})+cox`, beside(zTrain, eTrain), beside(zTest!, eTest), 5);
  const { model, stats } = loadCheckpoint(dir!);
  const aligned = (m: GexbertModel, name: string) => {
    const fTr = fromRows(encoderFeatures(m, stats, zTr, s.genes).tokens);
    const fTe = fromRows(encoderFeatures(m, stats, zTe, s.genes).tokens);
    for (const k of [5, 10]) score(`pca(gene-aligned outputs ${name})+cox`, fTr, fTe, k);
  };
  aligned(model, label!);
  if (spec === specs[0]) {
    const untrained = GexbertModel.create(model.config, seed);
    aligned(untrained, `untrained encoder, ${label}'s architecture`);
    untrained.dispose();
  }
  model.dispose();
}
writeFileSync(outFile!, `${JSON.stringify({ checkpoints: specs, results }, null, 2)}\n`);
