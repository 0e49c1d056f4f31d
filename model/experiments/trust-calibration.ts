// Experiment: the cancer-type head from whole-profile embeddings against a head fitted on the same panel's
// embeddings (64 and 16 genes), and expected calibration error before/after temperature scaling (temperature
// fitted on cross-validated logits of the training samples). 70/30 stratified splits of the 291 samples.
// Run: npx tsx model/experiments/trust-calibration.ts /tmp/trust-emb.json
import { readFileSync } from 'node:fs';
import { fitLogisticRegression } from '../src/stats/classify.ts';
import { fromRows } from '../src/stats/matrix.ts';
import { stratifiedKFold } from '../src/stats/split.ts';

const cache = JSON.parse(readFileSync(process.argv[2] ?? '/tmp/trust-emb.json', 'utf8'));
const labels: string[] = cache.labels;

function logitsOf(model: ReturnType<typeof fitLogisticRegression>, rows: number[][]): number[][] {
  const p = model.predictProba(fromRows(rows));
  return rows.map((_, i) =>
    Array.from(p.data.subarray(i * p.cols, (i + 1) * p.cols), (v) => Math.log(Math.max(v, 1e-300))),
  );
}
function soft(l: number[], t: number): number[] {
  const m = Math.max(...l.map((v) => v / t));
  const e = l.map((v) => Math.exp(v / t - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
function nll(logits: number[][], y: number[], t: number) {
  return -logits.reduce((a, l, i) => a + Math.log(Math.max(soft(l, t)[y[i]!]!, 1e-300)), 0) / logits.length;
}
function fitT(logits: number[][], y: number[]): number {
  let best = 1,
    bestV = Infinity;
  for (let lt = -2; lt <= 3; lt += 0.02) {
    const t = Math.exp(lt);
    const v = nll(logits, y, t);
    if (v < bestV) {
      bestV = v;
      best = t;
    }
  }
  return best;
}
function ece(probs: number[][], y: number[], bins = 10): number {
  let e = 0;
  for (let b = 0; b < bins; b++) {
    const idx = probs.flatMap((p, i) => {
      const c = Math.max(...p);
      return c > b / bins && c <= (b + 1) / bins ? [i] : [];
    });
    if (!idx.length) continue;
    const conf = idx.reduce((a, i) => a + Math.max(...probs[i]!), 0) / idx.length;
    const acc = idx.filter((i) => probs[i]!.indexOf(Math.max(...probs[i]!)) === y[i]).length / idx.length;
    e += (idx.length / probs.length) * Math.abs(conf - acc);
  }
  return e;
}
function evalSpace(name: string, trainSpace: (i: number) => number[], testSpace: (i: number) => number[]) {
  const res: number[][] = [];
  for (const split of stratifiedKFold(labels, 3, 5)) {
    const tr = split.train,
      te = split.test;
    const m = fitLogisticRegression(
      fromRows(tr.map(trainSpace)),
      tr.map((i) => labels[i]!),
    );
    const cls = m.classes;
    const yTr = tr.map((i) => cls.indexOf(labels[i]!));
    const yTe = te.map((i) => cls.indexOf(labels[i]!));
    // cross-validated training logits for the temperature
    const cvL: number[][] = new Array(tr.length);
    for (const s2 of stratifiedKFold(
      tr.map((i) => labels[i]!),
      5,
      9,
    )) {
      const mm = fitLogisticRegression(
        fromRows(s2.train.map((j) => trainSpace(tr[j]!))),
        s2.train.map((j) => labels[tr[j]!]!),
      );
      const l = logitsOf(
        mm,
        s2.test.map((j) => trainSpace(tr[j]!)),
      );
      s2.test.forEach((j, r) => {
        cvL[j] = cls.map((c) => {
          const k = mm.classes.indexOf(c);
          return k < 0 ? -50 : l[r]![k]!;
        });
      });
    }
    const t = fitT(cvL, yTr);
    const lTe = logitsOf(m, te.map(testSpace));
    const p1 = lTe.map((l) => soft(l, 1));
    const pT = lTe.map((l) => soft(l, t));
    const acc = p1.filter((p, i) => p.indexOf(Math.max(...p)) === yTe[i]).length / te.length;
    res.push([acc, ece(p1, yTe), ece(pT, yTe), t]);
  }
  const mean = (j: number) => (res.reduce((a, r) => a + r[j]!, 0) / res.length).toFixed(3);
  console.log(`${name}\taccuracy ${mean(0)}\tECE before ${mean(1)}\tafter ${mean(2)}\tT ${mean(3)}`);
}
evalSpace(
  'full head on full',
  (i) => cache.full[i],
  (i) => cache.full[i],
);
for (const k of [64, 16])
  for (let d = 0; d < 3; d++) {
    evalSpace(
      `panel${k}.${d} matched head`,
      (i) => cache[`panel${k}`][d][i],
      (i) => cache[`panel${k}`][d][i],
    );
    evalSpace(
      `panel${k}.${d} full head`,
      (i) => cache.full[i],
      (i) => cache[`panel${k}`][d][i],
    );
  }
