// Reference experiment on real data: the 291 shared TCGA samples (6 cancer types), compared with the
// reference runs of shared/notes/reference-experiments.md. Not a test; prints figures.
//
// Run: nice -n 10 npx tsx model/experiments/tcga-reference.ts [--epochs 300] [--threads 1]
//        [--width 64] [--layers 2] [--nin 128] [--nq 64] [--lr 1e-3] [--dropout 0.1] [--level-init ordinal|random]
//        [--engine onnxruntime|tfjs] [--seed 1] [--out dir]
//
// 1. Counts -> log2(CPM + 1) (library size = all counted genes); vocabulary = the 1,000 most variable
//    protein-coding genes (GENCODE v36) with mean log2(CPM + 1) > 1, chosen on the training samples.
// 2. 20% of each cancer type is held out as a test set (seeded); the rest trains (with its own 10%
//    validation split for model selection). Normalisation is fitted on the training samples only.
// 3. On the test samples: imputation (hide 30% / 90% of the vocabulary genes at random, restore them
//    from the rest; Pearson and MSE on the hidden entries in per-gene z space), against the per-gene
//    mean and KNN (k = 10, over the training samples); and cancer-type accuracy of a softmax
//    regression on frozen embeddings computed from 16 / 64 / 256 random observed genes.
// The reference runs used a different, held-out test set (not shared), so figures compare in kind only.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sharedDir } from '../../services/core/test-support/shared.ts';
import { makeConfig } from '../src/gexbert/architecture/config.ts';
import { saveModel } from '../src/gexbert/inference/checkpoint.ts';
import { embed, type Profile, restore } from '../src/gexbert/inference/infer.ts';
import {
  type ExpressionMatrix,
  fitNormaliser,
  matrixToZ,
  selectVocabulary,
} from '../src/gexbert/inference/normalise.ts';
import { pretrain } from '../src/gexbert/training/train.ts';
import { Rng } from '../src/random/rng.ts';
import { pearson } from '../src/stats/metrics.ts';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const shared = sharedDir();
const countsDir = path.join(shared, 'data/tcga/counts');
const seed = Number(arg('seed', '1'));

function readTsvGz(file: string): string[][] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}

// --- data ---
const t0 = performance.now();
const files = readdirSync(countsDir)
  .filter((f) => f.endsWith('.exp.gz'))
  .sort();
let genes: string[] = [];
const samples: { id: string; type: string; counts: Float32Array }[] = [];
for (const f of files) {
  const type = /TCGA_(\w+)_Counts/.exec(f)![1]!;
  const rows = readTsvGz(path.join(countsDir, f));
  const header = rows[0]!.slice(1);
  const g = rows.slice(1).map((r) => r[0]!);
  if (genes.length === 0) genes = g;
  else if (g.length !== genes.length || g.some((x, i) => x !== genes[i]))
    throw new Error(`${f}: gene rows differ`);
  header.forEach((id, j) => {
    const counts = new Float32Array(genes.length);
    for (let i = 0; i < genes.length; i++) counts[i] = Number(rows[i + 1]![j + 1]);
    samples.push({ id, type, counts });
  });
}
const proteinCoding = new Set(
  readTsvGz(path.join(shared, 'data/reference/gencode_v36_genes.tsv.gz'))
    .slice(1)
    .filter((r) => r[3] === 'protein_coding')
    .map((r) => r[1]!),
);
const types = [...new Set(samples.map((s) => s.type))].sort();
console.log(
  `read ${samples.length} samples x ${genes.length} genes (${types.join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// --- split: 20% of each type held out ---
const rng = new Rng(seed, 'tcga-split');
const test: number[] = [];
const train: number[] = [];
for (const t of types) {
  const idx = samples.flatMap((s, i) => (s.type === t ? [i] : []));
  rng.shuffle(idx);
  const nTest = Math.round(idx.length * 0.2);
  test.push(...idx.slice(0, nTest));
  train.push(...idx.slice(nTest));
}
const matrixOf = (idx: number[]): ExpressionMatrix => {
  const values = new Float32Array(idx.length * genes.length);
  idx.forEach((s, r) => {
    values.set(samples[s]!.counts, r * genes.length);
  });
  return { genes, nSamples: idx.length, values, unit: 'counts' };
};
const trainM = matrixOf(train);
const vocab = selectVocabulary(trainM, {
  k: Number(arg('genes', '1000')),
  allowed: proteinCoding,
  minMean: 1,
});
const config = makeConfig({
  vocabSize: vocab.length,
  levels: 64,
  width: Number(arg('width', '64')),
  heads: Number(arg('heads', '4')),
  encoderLayers: Number(arg('layers', '2')),
  decoderLayers: 1,
  ffnWidth: 4 * Number(arg('width', '64')),
  inputGenes: Number(arg('nin', '128')),
  queryGenes: Number(arg('nq', '64')),
  lr: Number(arg('lr', '1e-3')),
  dropout: Number(arg('dropout', '0.1')),
  levelInit: arg('level-init', 'ordinal') as 'ordinal' | 'random',
  epochs: Number(arg('epochs', '300')),
  warmupSteps: 100,
  batchSize: 32,
  validationFraction: 0.1,
  seed,
});
const stats = fitNormaliser(trainM, vocab, { levels: config.levels, zRange: config.zRange });
const trainZ = matrixToZ(stats, trainM);
console.log(
  `vocabulary ${vocab.length} genes; train ${train.length}, test ${test.length}; config`,
  JSON.stringify(config),
);

// --- train ---
const run = await pretrain({
  config,
  corpus: { z: trainZ, nSamples: train.length },
  engine: arg('engine', 'onnxruntime') as 'onnxruntime' | 'tfjs',
  engineThreads: Number(arg('threads', '1')),
  progressEvery: 200,
  onProgress: (p) =>
    console.log(
      `step ${p.step}/${p.totalSteps} epoch ${p.epoch} loss ${p.loss.toFixed(4)} lr ${p.lr.toExponential(2)} ${p.samplesPerSec.toFixed(0)} samples/s eta ${p.etaSeconds.toFixed(0)} s`,
    ),
  onEval: (e) => {
    if (e.epoch % 25 === 0)
      console.log(
        `epoch ${e.epoch}: train ${e.trainLoss.toFixed(4)} val ${e.valLoss?.toFixed(4)} (best ${e.bestValLoss?.toFixed(4)} @ ${e.bestEpoch})`,
      );
  },
});
console.log('training', JSON.stringify(run.metrics));
const model = run.model;

// --- evaluation on the test samples ---
const testM = matrixOf(test);
const testZ = matrixToZ(stats, testM);
const V = vocab.length;
// Genes not kept are left out of the profile (not given as NaN, which would make them missing-level
// input tokens), as when the figures in EXPERIMENTS.md section 5 were measured.
const zProfile = (z: Float32Array, r: number, keep: (v: number) => boolean): Profile => {
  const cols = Array.from({ length: V }, (_, v) => v).filter(keep);
  return {
    genes: cols.map((v) => vocab[v]!),
    values: Float32Array.from(cols, (v) => z[r * V + v]!),
    unit: 'z',
  };
};
const profileOf = (r: number, keep: (v: number) => boolean): Profile => zProfile(testZ, r, keep);

const results: Record<string, unknown> = { config, training: run.metrics };
for (const hide of [0.3, 0.9]) {
  const r = new Rng(seed, `hide-${hide}`);
  const hidden = test.map(() => Array.from({ length: V }, () => r.next() < hide));
  const profiles = test.map((_, i) => profileOf(i, (v) => !hidden[i]![v]));
  const restored = await restore(model, stats, profiles, vocab, { unit: 'z', batchSize: 8 });
  const truth: number[] = [];
  const pred: number[] = [];
  const knn: number[] = [];
  for (let i = 0; i < test.length; i++) {
    // KNN over training samples, distance on this sample's observed genes.
    const obs: number[] = [];
    for (let v = 0; v < V; v++) if (!hidden[i]![v]) obs.push(v);
    const d = train.map((_, s) => {
      let sum = 0;
      for (const v of obs) sum += (trainZ[s * V + v]! - testZ[i * V + v]!) ** 2;
      return { s, d: sum };
    });
    d.sort((a, b) => a.d - b.d);
    const nn = d.slice(0, 10).map((x) => x.s);
    for (let v = 0; v < V; v++) {
      if (!hidden[i]![v]) continue;
      truth.push(testZ[i * V + v]!);
      pred.push(restored.values[i]![v]!);
      knn.push(nn.reduce((a, s) => a + trainZ[s * V + v]!, 0) / nn.length);
    }
  }
  const mse = (p: number[]) => p.reduce((a, x, k) => a + (x - truth[k]!) ** 2, 0) / truth.length;
  const res = {
    hidden: truth.length,
    gexbertPearson: pearson(pred, truth),
    gexbertMse: mse(pred),
    knnPearson: pearson(knn, truth),
    knnMse: mse(knn),
    meanMse: mse(truth.map(() => 0)),
  };
  results[`imputation${hide * 100}`] = res;
  console.log(`imputation, ${hide * 100}% hidden:`, JSON.stringify(res));
}

// Classification from frozen embeddings of k random observed genes.
function softmaxRegression(x: Float32Array[], y: number[], k: number, epochs = 300, lr = 0.1, l2 = 1e-3) {
  const d = x[0]!.length;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const row of x) for (let j = 0; j < d; j++) mean[j]! += row[j]! / x.length;
  for (const row of x) for (let j = 0; j < d; j++) sd[j]! += (row[j]! - mean[j]!) ** 2 / x.length;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  const norm = (row: Float32Array) => Float64Array.from(row, (v, j) => (v - mean[j]!) / sd[j]!);
  const W = Array.from({ length: k }, () => new Float64Array(d + 1));
  const xs = x.map(norm);
  const predict = (xr: Float64Array) => {
    const z = W.map((w) => w.reduce((a, wj, j) => a + wj * (j < d ? xr[j]! : 1), 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  for (let ep = 0; ep < epochs; ep++) {
    const grads = W.map(() => new Float64Array(d + 1));
    xs.forEach((xr, i) => {
      const p = predict(xr);
      p.forEach((pc, c) => {
        const g = pc - (y[i] === c ? 1 : 0);
        for (let j = 0; j <= d; j++) grads[c]![j]! += (g * (j < d ? xr[j]! : 1)) / xs.length;
      });
    });
    W.forEach((w, c) => {
      for (let j = 0; j <= d; j++) w[j]! -= lr * (grads[c]![j]! + (j < d ? l2 * w[j]! : 0));
    });
  }
  return (row: Float32Array) => {
    const p = predict(norm(row));
    return p.indexOf(Math.max(...p));
  };
}
const label = (s: number) => types.indexOf(samples[s]!.type);
for (const k of [16, 64, 256]) {
  const pick = (n: number, stream: string) =>
    Array.from({ length: n }, (_, i) => {
      const pool = Int32Array.from({ length: V }, (_, v) => v);
      new Rng(seed, `${stream}-${k}-${i}`).sampleInPlace(pool, k);
      return new Set(pool.subarray(0, k));
    });
  const trainPick = pick(train.length, 'cls-train');
  const testPick = pick(test.length, 'cls-test');
  const trainProfiles: Profile[] = train.map((_, i) => zProfile(trainZ, i, (v) => trainPick[i]!.has(v)));
  const testProfiles = test.map((_, i) => profileOf(i, (v) => testPick[i]!.has(v)));
  const eTrain = (await embed(model, stats, trainProfiles)).embeddings;
  const eTest = (await embed(model, stats, testProfiles)).embeddings;
  const clf = softmaxRegression(eTrain, train.map(label), types.length);
  const acc = test.filter((s, i) => clf(eTest[i]!) === label(s)).length / test.length;
  results[`accuracy${k}`] = acc;
  console.log(
    `cancer-type accuracy from ${k} genes (frozen embedding + softmax regression): ${acc.toFixed(3)}`,
  );
}
const out = arg('out', '');
if (out) {
  saveModel(out, model, stats, {
    trainingLog: run.log.text(),
    metrics: { ...run.metrics, evaluation: results },
    notes: `Trained by model/experiments/tcga-reference.ts on ${train.length} of the 291 shared TCGA samples (${types.join(', ')}).`,
  });
  console.log(`checkpoint written to ${out}`);
}
console.log('RESULT', JSON.stringify(results));
