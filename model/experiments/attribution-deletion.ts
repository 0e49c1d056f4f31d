// Experiment (not part of the library): are the serving code's occlusion attributions
// (services/core/src/inference/attribution.ts) faithful? On held-out real samples of the six shared TCGA types
// (the shipped checkpoint's pretraining validation split, splitSamples(291, 0.1, 1): neither the encoder nor
// the heads fitted here saw them), heads are fitted on the other 262 samples; then, per sample, the top-k
// attributed genes (largest positive attribution) are given as missing against k random measured genes
// (several draws), k = 1 ... 32, and the drop in the predicted type's probability, its log-odds and the risk
// score is reported. Also: the time one attribution takes (whole profile and a 64-gene panel), and where
// known markers of the six types rank in their type's mean |attribution|, of the probability and of the
// log-odds.
// Run: nice -n 10 npx tsx model/experiments/attribution-deletion.ts [--draws 5] [--per-type 2]
// (--per-type n: the first n held-out samples of each type; default all). The samples are taken one of each
// type in turn, and the curves and marker ranks so far are printed after every sixth.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  type AttributionModel,
  attributeProfile,
  headOutput,
  meanAbsoluteAttribution,
  occlude,
  type TargetAttributions,
} from '../../services/core/src/inference/attribution.ts';
import { sharedPath } from '../../services/core/test-support/shared.ts';
import { loadCountsDir } from '../src/data/inputs.ts';
import { embed, type Profile } from '../src/gexbert/inference/infer.ts';
import { openCheckpointPredictor } from '../src/gexbert/inference/predictor.ts';
import { splitSamples } from '../src/gexbert/training/train.ts';
import { fitModelHeads, readModelHeads } from '../src/heads/modelHeads.ts';
import { referenceRow, referenceSubset } from '../src/heads/reference.ts';
import { HeadServer } from '../src/heads/serve.ts';
import { createRandom, sampleWithoutReplacement } from '../src/random/random.ts';

const DIR = 'model/checkpoints/tcga-6types';
const KS = [1, 2, 4, 8, 16, 32];
const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const draws = option('--draws', 5);
const perType = option('--per-type', Number.POSITIVE_INFINITY);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const { checkpoint, predictor } = await openCheckpointPredictor(DIR);
const stats = checkpoint.stats;
const shipped = readModelHeads(DIR)!;
const ref = shipped.reference;
const counts = loadCountsDir(sharedPath('data', 'tcga', 'counts'));
if (counts.counts.sampleIds.join() !== ref.samples.join())
  throw new Error('the heads reference is not in the counts directory order');
const split = splitSamples(ref.samples.length, 0.1, 1);
const { train } = split;
const seen = new Map<string, number>();
const within = new Map<number, number>(); // a sample's place among the held-out samples of its type
for (const i of split.validation) {
  const t = ref.cancerTypes[i]!;
  seen.set(t, (seen.get(t) ?? 0) + 1);
  within.set(i, seen.get(t)!);
}
// one sample of each type in turn, so that the summaries printed along the way cover every type
const validation = split.validation
  .filter((i) => within.get(i)! <= perType)
  .sort((a, b) => within.get(a)! - within.get(b)! || a - b);
log(`counts read; fitting heads on ${train.length} samples`);

const heads = await fitModelHeads(predictor, stats, referenceSubset(ref, train), {
  source: `attribution experiment: ${train.length} samples`,
  intervals: 'none',
});
const model: AttributionModel = { predictor, stats, server: new HeadServer(predictor, stats, heads) };
log(`heads fitted; attributing ${validation.length} held-out samples`);
const profileOf = (i: number): Profile => ({ genes: stats.genes, values: referenceRow(ref, i), unit: 'z' });

// symbols of the vocabulary (GENCODE v36)
const symbols = new Map<string, string>();
for (const line of gunzipSync(readFileSync(sharedPath('data', 'reference', 'gencode_v36_genes.tsv.gz')))
  .toString()
  .split('\n')
  .slice(1)) {
  const f = line.split('\t');
  if (f[1]) symbols.set(f[1], f[2]!);
}

const f = (x: number) => x.toFixed(4);
const MARKERS: Record<string, string[]> = {
  ACC: ['STAR', 'CYP11B1', 'CYP11A1', 'CYP17A1', 'NR5A1', 'MC2R', 'CYP21A2'],
  CHOL: ['KRT7', 'KRT19', 'EPCAM', 'SOX9', 'ALB', 'APOA1', 'CFTR'],
  DLBC: ['MS4A1', 'CD19', 'CD79A', 'PAX5', 'PTPRC', 'IGHM', 'CD74'],
  KICH: ['KIT', 'FOXI1', 'CDH16', 'PAX8', 'PAX2', 'ATP6V0D2', 'UMOD'],
  UCS: ['PAX8', 'ESR1', 'PGR', 'WT1', 'MUC16', 'DES', 'VIM'],
  UVM: ['PMEL', 'MLANA', 'TYR', 'DCT', 'TYRP1', 'MITF', 'GNAQ'],
};

/** The deletion curves and marker ranks over the samples attributed so far. */
function report() {
  log(`summary after ${done} of ${validation.length} held-out samples`);
  console.log(
    `held-out samples: ${done} (${[...byType].map(([t, s]) => `${t} ${s.length}`).join(', ')}); heads fitted on ${train.length}; predicted type correct ${correct}/${done}`,
  );
  console.log(
    `attribution time per whole profile (${stats.genes.length} genes): median ${f(times.sort((a, b) => a - b)[times.length >> 1]! / 1000)} s, max ${f(times.at(-1)! / 1000)} s; mean |top attribution| (type) ${f(topSum / done)}`,
  );
  for (const target of TARGETS) {
    console.log(`\n${target}: mean drop (baseline − hidden), top-k vs k random (${draws} draws)`);
    console.log('k\ttop-k\trandom');
    KS.forEach((k, j) => {
      console.log(`${k}\t${f(curves[target].top[j]! / done)}\t${f(curves[target].random[j]! / done)}`);
    });
  }
  for (const [scale, perType] of [
    ['probability', byType],
    ['log-odds', byTypeLogOdds],
  ] as const) {
    console.log(
      `\nmarkers (${scale}): rank of mean |type attribution| among the ${stats.genes.length} vocabulary genes, per true type (held-out samples)`,
    );
    for (const [type, markers] of Object.entries(MARKERS)) {
      const ranking = meanAbsoluteAttribution(perType.get(type) ?? []);
      const rankOf = new Map(ranking.map((r, k) => [symbols.get(r.gene) ?? r.gene, k + 1]));
      const top = ranking
        .slice(0, 10)
        .map(
          (r) => `${symbols.get(r.gene) ?? r.gene} ${r.meanSigned >= 0 ? '+' : ''}${r.meanSigned.toFixed(3)}`,
        );
      console.log(
        `${type} (n=${perType.get(type)?.length ?? 0}) markers: ${markers.map((m) => `${m} ${rankOf.get(m) ?? 'not in vocabulary'}`).join(', ')}`,
      );
      console.log(`  top 10: ${top.join(', ')}`);
    }
  }
}

const random = createRandom(11);
type Curve = { top: number[]; random: number[] };
const TARGETS = ['CANCER_TYPE', 'CANCER_TYPE_LOG_ODDS', 'RISK'] as const;
const curves = Object.fromEntries(
  TARGETS.map((t) => [t, { top: KS.map(() => 0), random: KS.map(() => 0) }]),
) as Record<(typeof TARGETS)[number], Curve>;
const byType = new Map<string, TargetAttributions[]>();
const byTypeLogOdds = new Map<string, TargetAttributions[]>();
const times: number[] = [];
let correct = 0;
let topSum = 0;
let done = 0;
for (const i of validation) {
  done++;
  const profile = profileOf(i);
  const a = (await attributeProfile(model, profile))!;
  times.push(a.ms);
  log(
    `${ref.samples[i]} (${ref.cancerTypes[i]}): ${a.inputGenes} genes attributed in ${(a.ms / 1000).toFixed(1)} s`,
  );
  const set = await model.server.headSetFor(stats.genes.map((_, v) => v));
  const label = ref.cancerTypes[i]!;
  if (a.cancerType!.cancerType === label) correct++;
  topSum += Math.abs(a.cancerType!.genes[0]!.attribution);
  byType.set(label, [...(byType.get(label) ?? []), a.cancerType!]);
  byTypeLogOdds.set(label, [...(byTypeLogOdds.get(label) ?? []), a.cancerTypeLogOdds!]);
  for (const t of [a.cancerType!, a.cancerTypeLogOdds!, a.risk!]) {
    const index = new Map(profile.genes.map((g, k) => [g, k]));
    const bySigned = [...t.genes].sort((x, y) => y.attribution - x.attribution);
    const hidden: Profile[] = [];
    for (const k of KS) {
      hidden.push(
        occlude(
          profile,
          bySigned.slice(0, k).map((g) => index.get(g.gene)!),
        ),
      );
      for (let d = 0; d < draws; d++)
        hidden.push(occlude(profile, sampleWithoutReplacement(profile.genes.length, k, random)));
    }
    const { embeddings } = await embed(predictor, stats, hidden, { missing: 'token' });
    const curve = curves[t.target];
    KS.forEach((_, j) => {
      const at = j * (draws + 1);
      curve.top[j]! += t.baseline - headOutput(set, t.target, embeddings[at]!, t.cancerType);
      for (let d = 1; d <= draws; d++)
        curve.random[j]! +=
          (t.baseline - headOutput(set, t.target, embeddings[at + d]!, t.cancerType)) / draws;
    });
  }
  if (done % 6 === 0 || done === validation.length) report();
}

// a 64-gene panel's attribution time
const panelRandom = createRandom(5);
const panelTimes: number[] = [];
for (const i of validation.slice(0, 5)) {
  const keep = new Set(sampleWithoutReplacement(stats.genes.length, 64, panelRandom));
  const p = profileOf(i);
  const restricted = { ...p, values: p.values.map((v, g) => (keep.has(g) ? v : Number.NaN)) };
  await model.server.headSetFor([...keep].sort((a, b) => a - b)); // the panel's heads, fitted once
  panelTimes.push((await attributeProfile(model, restricted))!.ms);
}
console.log(
  `\n64-gene panel attribution time (heads already fitted): ${panelTimes.map((t) => f(t / 1000)).join(', ')} s`,
);

await predictor.release();
