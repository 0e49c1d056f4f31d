/**
 * Does GexBERT fine-tuned end to end with a Cox head predict pancan33 overall survival better than PCA(5) of
 * the genes + Cox? And does pretraining matter for it? (issue 15 item 3; EXPERIMENTS.md 17)
 *
 *   npx tsx model/experiments/pancan33-cox-finetune.ts <out.json> <split seed> <checkpoint dir> [--control]
 *
 * The split is pancan33-split.ts's 70/30 split; the checkpoint must have been pretrained on its training
 * samples only (`--control`: the same architecture and normalisation with untrained weights, seed = split
 * seed). Patients join `tcga_pancan_os.tsv.gz`; everything is fitted on the training patients:
 *   pca(z)+cox          PCA(5) of the 100 genes' z, ridge Cox (the evaluation's pcaCoxRisk; the baseline)
 *   pca(embedding)+cox  the same on the frozen embedding (mean of the encoder outputs; what evaluate reports)
 *   probe               ridge Cox (lambda 1) on the 64 standardised embedding dimensions of the inner
 *                       training patients: the head's starting point (epoch 0)
 *   fine-tuned          encoder + that linear Cox head trained end to end on the inner training patients
 *                       (Adam, encoder lr 2e-4, head lr 2e-3, mini-batches of 64 with the batch's Breslow
 *                       partial likelihood, no dropout), early stopping on the inner validation patients'
 *                       partial likelihood (a stratified 20% by event, patience 3, <= 15 epochs; the epoch
 *                       with the lowest validation loss kept, epoch 0 = the probe)
 * Harrell's C on the test patients, pooled over the 33 types and within type.
 */
import { writeFileSync } from 'node:fs';
import { type Scalar, type Tensor1D, type Tensor2D, tf, type Variable } from '../src/engine/tf.ts';
import { pcaCoxRisk, withinTypeCIndex } from '../src/evaluate/survival.ts';
import { GexbertModel, parameterSpecs } from '../src/gexbert/architecture/model.ts';
import { loadCheckpoint } from '../src/gexbert/inference/checkpoint.ts';
import { levelOf } from '../src/gexbert/inference/normalise.ts';
import { Rng } from '../src/random/rng.ts';
import { fromRows } from '../src/stats/matrix.ts';
import { stratifiedSplit } from '../src/stats/split.ts';
import { concordance } from '../src/survival/concordance.ts';
import { coxph } from '../src/survival/cox.ts';
import type { SurvivalData } from '../src/survival/index.ts';
import { encoderFeatures, ready } from './pancan33-features.ts';
import { pancan33Split, panelZ, survivalRows } from './pancan33-split.ts';

const control = process.argv.includes('--control');
const [outFile, seedArg, checkpointDir] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seed = Number(seedArg);
const ENCODER_LR = 2e-4;
const HEAD_LR = 2e-3;
const BATCH = 64;
const MAX_EPOCHS = 15;
const PATIENCE = 3;
const PROBE_RIDGE = 1;

await ready();
const s = await pancan33Split(seed);
const { train: tr, test: te } = survivalRows(s);
const loaded = loadCheckpoint(checkpointDir!);
const { stats } = loaded;
const model = control ? GexbertModel.create(loaded.config, seed) : loaded.model;
if (control) loaded.model.dispose();
const zTr = panelZ(stats, s.train, s.genes).filter((_, r) => tr.rows.includes(r));
const zTe = panelZ(stats, s.test, s.genes).filter((_, r) => te.rows.includes(r));
const results: Record<string, unknown>[] = [];
function report(method: string, testRisk: ArrayLike<number>, extra: Record<string, unknown> = {}) {
  const row = {
    seed,
    encoder: control ? 'untrained' : 'pretrained',
    method,
    cIndex: concordance(te.data, testRisk, { reverse: true }).concordance,
    cWithinType: withinTypeCIndex(te.data, Array.from(testRisk), te.types),
    ...extra,
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
report('pca(z)+cox', pcaCoxRisk(fromRows(zTr), tr.data, fromRows(zTe), te.data, { k: 5 }).testRisk);
/** (n x C) frozen embeddings: the mean of the encoder outputs over the 100 genes. */
const frozen = (m: GexbertModel, z: Float32Array[]) => encoderFeatures(m, stats, z, s.genes).mean;
report(
  'pca(embedding)+cox',
  pcaCoxRisk(fromRows(frozen(model, zTr)), tr.data, fromRows(frozen(model, zTe)), te.data).testRisk,
);

const geneIds = s.genes.map((g) => stats.genes.indexOf(g));
const k = geneIds.length;
/** (B, k) gene ids and value levels of some rows of a z list. */
function tokens(z: Float32Array[], rows: ArrayLike<number>) {
  const B = rows.length;
  const levels = new Int32Array(B * k);
  Array.from(rows).forEach((r, i) => {
    z[r]!.forEach((v, t) => {
      levels[i * k + t] = levelOf(stats, v);
    });
  });
  return {
    geneIds: tf.tensor2d(
      Int32Array.from({ length: B * k }, (_, q) => geneIds[q % k]!),
      [B, k],
      'int32',
    ),
    levelIds: tf.tensor2d(levels, [B, k], 'int32'),
  };
}

const inner = stratifiedSplit(
  tr.rows.map((_, i) => String(tr.data.event[i])),
  0.2,
  seed,
);
const subset = (d: SurvivalData, rows: number[]): SurvivalData => ({
  time: rows.map((r) => d.time[r]!),
  event: rows.map((r) => d.event[r]!),
});
const innerTrain = subset(tr.data, inner.train);

// The probe: ridge Cox on the standardised frozen embedding of the inner training patients.
const copy = GexbertModel.fromWeights(model.config, model.getWeights());
model.dispose();
const C = copy.config.width;
const eInner = frozen(
  copy,
  inner.train.map((r) => zTr[r]!),
);
const mu = Array.from({ length: C }, (_, c) => eInner.reduce((a, e) => a + e[c]!, 0) / eInner.length);
const sd = mu.map((m, c) => Math.sqrt(eInner.reduce((a, e) => a + (e[c]! - m) ** 2, 0) / eInner.length) || 1);
const names = mu.map((_, c) => `e${c}`);
const probe = coxph(
  innerTrain,
  Object.fromEntries(names.map((nm, c) => [nm, eInner.map((e) => (e[c]! - mu[c]!) / sd[c]!)])),
  { ridge: PROBE_RIDGE },
);
const muT = tf.tensor1d(mu);
const sdT = tf.tensor1d(sd);
const w = tf.variable(
  tf.tensor2d(
    probe.coefficients.map((b) => (Number.isFinite(b) ? b : 0)),
    [C, 1],
  ),
  true,
);

/** (B) linear predictor: the standardised mean-pooled encoder output times w. */
function risk(inputs: ReturnType<typeof tokens>): Tensor1D {
  const { embedding } = copy.encode(inputs); // (B, C)
  const x = tf.div(tf.sub(embedding, muT), sdT) as Tensor2D; // (B, C)
  return tf.reshape(tf.matMul(x, w as unknown as Tensor2D), [-1]) as Tensor1D; // (B)
}
/** Negative Breslow partial log-likelihood per event of (B) risks; rows sorted by time, latest first. */
function coxLoss(r: Tensor1D, event: Float32Array): Scalar {
  const m = tf.max(r); // ()
  const lse = tf.add(tf.log(tf.cumsum(tf.exp(tf.sub(r, m)))), m); // (B): log sum over the risk set
  const e = tf.tensor1d(event);
  return tf.div(
    tf.neg(tf.sum(tf.mul(e, tf.sub(r, lse)))),
    Math.max(
      1,
      event.reduce((a, b) => a + b, 0),
    ),
  ) as Scalar;
}
/** Rows of `rows` sorted latest time first, with their events. */
function sorted(d: SurvivalData, rows: number[], at: (i: number) => number) {
  const idx = rows.map((_, i) => i).sort((a, b) => d.time[at(rows[b]!)]! - d.time[at(rows[a]!)]!);
  return { rows: idx.map((i) => rows[i]!), event: Float32Array.from(idx, (i) => d.event[at(rows[i]!)]!) };
}
const riskOf = (z: Float32Array[], rows: number[]) =>
  tf.tidy(() => Array.from(risk(tokens(z, rows)).dataSync()));
function valLoss(): number {
  const v = sorted(tr.data, inner.test, (r) => r);
  return tf.tidy(() => coxLoss(risk(tokens(zTr, v.rows)), v.event).dataSync()[0]!);
}

const encoderNames = parameterSpecs(copy.config)
  .map((p) => p.name)
  .filter((n) => n.startsWith('emb.') || n.startsWith('enc.'));
const encVars = encoderNames.map((n) => copy.p<Variable>(n));
const optEnc = tf.train.adam(ENCODER_LR);
const optHead = tf.train.adam(HEAD_LR);
const snapshot = () => [...encVars, w].map((v) => (v.dataSync() as Float32Array).slice());
let best = snapshot();
const trace = [valLoss()];
let bestEpoch = 0;
const rng = Rng.derive(seed, 'cox-finetune');
const order = [...inner.train];
report(
  'probe (epoch 0)',
  riskOf(
    zTe,
    zTe.map((_, i) => i),
  ),
);
const started = Date.now();
for (let epoch = 1; epoch <= MAX_EPOCHS; epoch++) {
  rng.shuffle(order);
  for (let i = 0; i < order.length; i += BATCH) {
    const b = sorted(tr.data, order.slice(i, i + BATCH), (r) => r);
    if (b.event.every((e) => e === 0)) continue;
    tf.tidy(() => {
      const inputs = tokens(zTr, b.rows);
      const { grads } = tf.variableGrads(() => coxLoss(risk(inputs), b.event), [...encVars, w]);
      optEnc.applyGradients(encVars.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
      optHead.applyGradients([{ name: w.name, tensor: grads[w.name]! }]);
    });
  }
  trace.push(valLoss());
  console.log(
    `epoch ${epoch}: validation loss ${trace.at(-1)!.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  if (trace.at(-1)! < trace[bestEpoch]!) {
    bestEpoch = epoch;
    best = snapshot();
  } else if (epoch - bestEpoch >= PATIENCE) break;
}
[...encVars, w].forEach((v, i) => {
  tf.tidy(() => v.assign(tf.tensor(best[i]!, v.shape, 'float32')));
});
report(
  'fine-tuned',
  riskOf(
    zTe,
    zTe.map((_, i) => i),
  ),
  {
    keptEpoch: bestEpoch,
    epochs: trace.length - 1,
    validationLoss: trace,
    seconds: (Date.now() - started) / 1000,
  },
);
writeFileSync(outFile!, `${JSON.stringify({ checkpoint: checkpointDir, control, results }, null, 2)}\n`);
copy.dispose();
