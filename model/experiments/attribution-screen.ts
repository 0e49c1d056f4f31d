// Experiment (not part of the library): can a cheap screen pick which genes to occlude one at a time, so that a
// whole profile's attributions (services/core/src/inference/attribution.ts: one encoder pass per gene) take
// seconds while every value shown stays an exact occlusion value? On held-out real samples of the shipped
// checkpoint (its pretraining validation split, splitSamples(291, 0.1, 1)) with its shipped heads, per target
// (log-odds of the predicted type, risk score), against the exact attributions of all 1,000 genes:
//   - groups of s genes (a fixed pseudo-random partition) hidden together; the genes of the groups with the
//     largest |effect| are the candidates, until K;
//   - a √n x √n grid: each row and each column hidden together (2√n passes); a gene's score is the smaller of
//     its row's and its column's |effect|; the K best are the candidates;
// reporting how many of the exact top 10 are among the K candidates, the passes and the time, and how
// concentrated the exact attributions are.
// Run: nice -n 10 npx tsx model/experiments/attribution-screen.ts [--samples 2]
import {
  type AttributionModel,
  type AttributionTarget,
  attributeProfile,
  headOutput,
  occlude,
} from '../../services/core/src/inference/attribution.ts';
import { embed, type Profile } from '../src/gexbert/inference/infer.ts';
import { openCheckpointPredictor } from '../src/gexbert/inference/predictor.ts';
import { splitSamples } from '../src/gexbert/training/train.ts';
import { readModelHeads } from '../src/heads/modelHeads.ts';
import { referenceRow } from '../src/heads/reference.ts';
import { HeadServer } from '../src/heads/serve.ts';

const DIR = 'model/checkpoints/tcga-6types';
const at = process.argv.indexOf('--samples');
const samples = at < 0 ? 2 : Number(process.argv[at + 1]);
const { checkpoint, predictor } = await openCheckpointPredictor(DIR);
const stats = checkpoint.stats;
const heads = readModelHeads(DIR)!;
const ref = heads.reference;
const { validation } = splitSamples(ref.samples.length, 0.1, 1);
const model: AttributionModel = { predictor, stats, server: new HeadServer(predictor, stats, heads) };
const set = await model.server.headSetFor(stats.genes.map((_, v) => v));
const n = stats.genes.length;
const e = (x: number) => x.toExponential(2);

/** The |effect| on the target of hiding each group together, and the seconds the passes took. */
async function groupEffects(
  profile: Profile,
  groups: number[][],
  target: AttributionTarget,
  baseline: number,
  cancerType: string | null,
) {
  const started = performance.now();
  const { embeddings } = await embed(
    predictor,
    stats,
    groups.map((g) => occlude(profile, g)),
    { missing: 'token' },
  );
  const effects = embeddings.map((x) => Math.abs(baseline - headOutput(set, target, x, cancerType)));
  return { effects, seconds: (performance.now() - started) / 1000 };
}

const step = Math.max(1, Math.floor(validation.length / samples));
for (const i of validation.filter((_, j) => j % step === 0).slice(0, samples)) {
  const profile: Profile = { genes: stats.genes, values: referenceRow(ref, i), unit: 'z' };
  const exact = (await attributeProfile(model, profile))!;
  console.log(
    `${ref.samples[i]} (${ref.cancerTypes[i]}): all ${n} genes occluded in ${(exact.ms / 1000).toFixed(1)} s`,
  );
  const index = new Map(stats.genes.map((g, v) => [g, v]));
  for (const t of [exact.cancerTypeLogOdds!, exact.risk!]) {
    const abs = t.genes.map((g) => Math.abs(g.attribution));
    const total = abs.reduce((a, b) => a + b, 0);
    console.log(
      `  ${t.target}: |attribution| 1st ${e(abs[0]!)}, 10th ${e(abs[9]!)}, 64th ${e(abs[63]!)}, median ${e(abs[n >> 1]!)}; top 20 hold ${((abs.slice(0, 20).reduce((a, b) => a + b, 0) / total) * 100).toFixed(1)}% of the sum`,
    );
    const top10 = t.genes.slice(0, 10).map((g) => index.get(g.gene)!);
    const found = (c: Set<number>) => top10.filter((v) => c.has(v)).length;
    for (const size of [2, 4, 8]) {
      const order = [...Array(n).keys()].sort((a, b) => ((a * 7919) % 1009) - ((b * 7919) % 1009));
      const groups: number[][] = [];
      for (let g = 0; g < n; g += size) groups.push(order.slice(g, g + size));
      const { effects, seconds } = await groupEffects(profile, groups, t.target, t.baseline, t.cancerType);
      const ranked = [...groups.keys()].sort((a, b) => effects[b]! - effects[a]!);
      for (const k of [32, 64]) {
        const candidates = new Set<number>();
        for (const g of ranked) {
          if (candidates.size >= k) break;
          for (const v of groups[g]!) candidates.add(v);
        }
        console.log(
          `    groups of ${size} (${groups.length} passes, ${seconds.toFixed(1)} s): exact top 10 among ${candidates.size} candidates: ${found(candidates)}`,
        );
      }
    }
    const side = Math.ceil(Math.sqrt(n));
    const grid: number[][] = Array.from({ length: side + Math.ceil(n / side) }, () => []);
    for (let v = 0; v < n; v++) {
      grid[v % side]!.push(v);
      grid[side + Math.floor(v / side)]!.push(v);
    }
    const { effects, seconds } = await groupEffects(profile, grid, t.target, t.baseline, t.cancerType);
    const score = (v: number) => Math.min(effects[v % side]!, effects[side + Math.floor(v / side)]!);
    const ranked = [...Array(n).keys()].sort((a, b) => score(b) - score(a));
    for (const k of [32, 64]) {
      const candidates = new Set(ranked.slice(0, k));
      console.log(
        `    grid ${side} x ${side} (${grid.length} passes, ${seconds.toFixed(1)} s): exact top 10 among ${candidates.size} candidates: ${found(candidates)}`,
      );
    }
  }
}
await predictor.release();
