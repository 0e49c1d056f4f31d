// Experiment: which novelty score flags a cancer type the head never saw? Leave one of the six types out of
// the head, fit each scorer on 70% of the known-type samples, and score the other 30% and the left-out type.
// Input: the cache of trust-embed.ts. Run: npx tsx model/experiments/trust-ood.ts /tmp/trust-emb.json
import { readFileSync } from 'node:fs';
import { fitLogisticRegression } from '../src/stats/classify.ts';
import { fromRows } from '../src/stats/matrix.ts';
import { fitPca, transformPca } from '../src/stats/pca.ts';
import { stratifiedKFold } from '../src/stats/split.ts';

const cache = JSON.parse(readFileSync(process.argv[2] ?? '/tmp/trust-emb.json', 'utf8'));
const labels: string[] = cache.labels;
const types = [...new Set(labels)].sort();

function auroc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
function q95(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
}
function stdz(train: number[][]) {
  const d = train[0]!.length;
  const mean = Array.from({ length: d }, (_, j) => train.reduce((a, r) => a + r[j]!, 0) / train.length);
  const sd = Array.from(
    { length: d },
    (_, j) => Math.sqrt(train.reduce((a, r) => a + (r[j]! - mean[j]!) ** 2, 0) / (train.length - 1)) || 1,
  );
  return (r: number[]) => r.map((v, j) => (v - mean[j]!) / sd[j]!);
}
function knnScore(ref: number[][], x: number[], k: number, skip = -1): number {
  const d: number[] = [];
  ref.forEach((r, i) => {
    if (i === skip) return;
    let s = 0;
    for (let j = 0; j < r.length; j++) s += (r[j]! - x[j]!) ** 2;
    d.push(Math.sqrt(s));
  });
  d.sort((a, b) => a - b);
  return d.slice(0, k).reduce((a, b) => a + b, 0) / k;
}
function cosine(r: number[]): number[] {
  const n = Math.sqrt(r.reduce((a, v) => a + v * v, 0)) || 1;
  return r.map((v) => v / n);
}

type Scorer = (
  trainX: number[][],
  trainY: string[],
) => { score: (x: number[]) => number; trainScores: number[] };
const knn =
  (k: number, norm: boolean): Scorer =>
  (trainX) => {
    const f = stdz(trainX);
    const t = (r: number[]) => (norm ? cosine(f(r)) : f(r));
    const ref = trainX.map(t);
    return { score: (x) => knnScore(ref, t(x), k), trainScores: ref.map((r, i) => knnScore(ref, r, k, i)) };
  };
const msp: Scorer = (trainX, trainY) => {
  const m = fitLogisticRegression(fromRows(trainX), trainY);
  const s = (x: number[]) => 1 - Math.max(...m.predictProba(fromRows([x])).data);
  // training scores by 5-fold cross-fitting
  const scores = new Array(trainX.length).fill(0);
  for (const split of stratifiedKFold(trainY, 5, 1)) {
    const mm = fitLogisticRegression(
      fromRows(split.train.map((i) => trainX[i]!)),
      split.train.map((i) => trainY[i]!),
    );
    const p = mm.predictProba(fromRows(split.test.map((i) => trainX[i]!)));
    split.test.forEach((i, r) => {
      scores[i] = 1 - Math.max(...p.data.subarray(r * p.cols, (r + 1) * p.cols));
    });
  }
  return { score: s, trainScores: scores };
};
const pcaKnn =
  (k: number, comps: number): Scorer =>
  (trainX) => {
    const f = stdz(trainX);
    const xs = fromRows(trainX.map(f));
    const pca = fitPca(xs, comps);
    const proj = (rows: number[][]) => {
      const m = transformPca(pca, fromRows(rows));
      return Array.from({ length: m.rows }, (_, i) =>
        Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)),
      );
    };
    const ref = proj(trainX.map(f));
    return {
      score: (x) => knnScore(ref, proj([f(x)])[0]!, k),
      trainScores: ref.map((r, i) => knnScore(ref, r, k, i)),
    };
  };

const methods: Record<string, Scorer> = {
  'knn5-euclid': knn(5, false),
  'knn5-cosine': knn(5, true),
  'knn10-cosine': knn(10, true),
  'pca20-knn5': pcaKnn(5, 20),
  msp,
};

function run(name: string, space: (i: number) => number[], refSpace: (i: number) => number[] = space) {
  const rows: string[] = [];
  for (const [m, scorer] of Object.entries(methods)) {
    const aucs: number[] = [];
    const flags: number[] = [];
    const caught: number[] = [];
    for (const out of types) {
      const known = labels.flatMap((l, i) => (l === out ? [] : [i]));
      const left = labels.flatMap((l, i) => (l === out ? [i] : []));
      for (const [f, split] of stratifiedKFold(
        known.map((i) => labels[i]!),
        3,
        11,
      ).entries()) {
        if (f > 0) break;
        const train = split.train.map((j) => known[j]!);
        const test = split.test.map((j) => known[j]!);
        const fitted = scorer(
          train.map(refSpace),
          train.map((i) => labels[i]!),
        );
        const thr = q95(fitted.trainScores);
        const sKnown = test.map((i) => fitted.score(space(i)));
        const sLeft = left.map((i) => fitted.score(space(i)));
        aucs.push(auroc(sLeft, sKnown));
        flags.push(sKnown.filter((s) => s > thr).length / sKnown.length);
        caught.push(sLeft.filter((s) => s > thr).length / sLeft.length);
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    rows.push(
      `${name}\t${m}\tAUROC ${mean(aucs).toFixed(3)} (min ${Math.min(...aucs).toFixed(3)})\tknown flagged ${(100 * mean(flags)).toFixed(1)}%\tleft-out flagged ${(100 * mean(caught)).toFixed(1)}%`,
    );
  }
  console.log(rows.join('\n'));
}

run('full', (i) => cache.full[i]);
run('input-z', (i) => cache.z[i]);
for (const k of [64, 16]) {
  for (let d = 0; d < 2; d++) {
    run(`panel${k}.${d} matched`, (i) => cache[`panel${k}`][d][i]);
    run(
      `panel${k}.${d} vs full-ref`,
      (i) => cache[`panel${k}`][d][i],
      (i) => cache.full[i],
    );
  }
}
