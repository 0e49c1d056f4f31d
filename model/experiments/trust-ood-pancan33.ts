// Experiment: the novelty flag on all 33 TCGA types (../shared/data/tcga/pancan33: 604 samples x 100 random
// genes, RSEM). Each type with at least 10 samples is left out in turn; the novelty head (5 nearest neighbours
// on the measured genes, standardised log2(x + 1), 97th-percentile threshold) is fitted on 2/3 of the other
// types' samples and scores the remaining third against the left-out type. Three seeds. No GexBERT involved:
// the score reads the measured genes only. Run: npx tsx model/experiments/trust-ood-pancan33.ts
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { leaveOneTypeOut } from '../src/heads/heldOut.ts';
import type { HeadReference } from '../src/heads/reference.ts';

const DIR = path.resolve(import.meta.dirname, '../../../shared/data/tcga/pancan33');
const [header, ...lines] = gunzipSync(readFileSync(path.join(DIR, 'pancan33_expression.tsv.gz')))
  .toString('utf8')
  .trimEnd()
  .split('\n');
const G = header!.split('\t').length - 1;
const types = new Map(
  readFileSync(path.join(DIR, 'pancan33_samples.tsv'), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .map((c) => [c[0]!, c[2]!] as const),
);
const samples = lines.map((l) => l.split('\t')[0]!);
const x = lines.map((l) =>
  l
    .split('\t')
    .slice(1)
    .map((v) => Math.log2(Math.max(Number(v), 0) + 1)),
); // n x G
const mean = Array.from({ length: G }, (_, g) => x.reduce((a, r) => a + r[g]!, 0) / x.length);
const sd = mean.map((m, g) => Math.sqrt(x.reduce((a, r) => a + (r[g]! - m) ** 2, 0) / (x.length - 1)) || 1);
const counts = new Map<string, number>();
for (const s of samples) counts.set(types.get(s)!, (counts.get(types.get(s)!) ?? 0) + 1);
const reference: HeadReference = {
  samples,
  // types with fewer than 10 samples stay in the reference as known types but are not left out
  cancerTypes: samples.map((s) => types.get(s)!),
  osDays: samples.map(() => null),
  osEvent: samples.map(() => null),
  genes: G,
  z: Float32Array.from(x.flatMap((r) => r.map((v, g) => (v - mean[g]!) / sd[g]!))),
};
const genes = Array.from({ length: G }, (_, g) => g);
for (const panel of [100, 64]) {
  const measured = genes.slice(0, panel);
  const runs = [0, 1, 2].map((seed) => leaveOneTypeOut(reference, measured, seed, undefined, 10));
  const m = (k: keyof (typeof runs)[0]) =>
    (runs.reduce((a, r) => a + (r[k] as number), 0) / runs.length).toFixed(3);
  console.log(
    `${panel} genes: types left out ${runs[0]!.types}, AUROC ${m('auroc')} (worst ${m('worstAuroc')}), known flagged ${m('knownFlagged')}, left-out flagged ${m('novelFlagged')}`,
  );
}
