// Experiment: the novelty flag on all 33 TCGA types (../shared/data/tcga/pancan33: 604 samples x 100 random
// genes, RSEM). Each type with at least 10 samples is left out in turn; the novelty head (5 nearest neighbours
// on the measured genes, standardised log2(x + 1), 97th-percentile threshold) is fitted on 2/3 of the other
// types' samples and scores the remaining third against the left-out type. Three seeds. No GexBERT involved:
// the score reads the measured genes only. Run: npx tsx model/experiments/trust-ood-pancan33.ts
import { sharedPath } from '../../services/core/test-support/shared.ts';
import { loadDataset, toExpression } from '../src/data/inputs.ts';
import { matrixToLog2Cpm } from '../src/gexbert/inference/normalise.ts';
import { leaveOneTypeOut } from '../src/heads/heldOut.ts';
import type { HeadReference } from '../src/heads/reference.ts';

const DIR = sharedPath('data', 'tcga', 'pancan33');
const data = loadDataset(DIR); // the sample table: normalised values, cancer type per sample
const samples = data.counts.sampleIds;
const G = data.counts.geneIds.length;
const n = samples.length;
// log2(max(x, 0) + 1): the model's log transform of normalised ('cpm') values
const lc = matrixToLog2Cpm(toExpression(data.counts, [...Array(n).keys()], data.unit));
const x = Array.from({ length: n }, (_, i) => Array.from(lc.subarray(i * G, (i + 1) * G))); // n x G
const mean = Array.from({ length: G }, (_, g) => x.reduce((a, r) => a + r[g]!, 0) / x.length);
const sd = mean.map((m, g) => Math.sqrt(x.reduce((a, r) => a + (r[g]! - m) ** 2, 0) / (x.length - 1)) || 1);
const reference: HeadReference = {
  samples,
  // types with fewer than 10 samples stay in the reference as known types but are not left out
  cancerTypes: data.labels,
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
