// Experiment (not part of the library): embeds the 291 shared TCGA samples with the shipped checkpoint from
// whole profiles and from random 64- and 16-gene panels, and caches them as JSON for trust-heads.ts.
// Run: npx tsx model/experiments/trust-embed.ts /tmp/trust-emb.json
import { writeFileSync } from 'node:fs';
import { sharedPath } from '../../services/core/test-support/shared.ts';
import { loadCountsDir, toExpression } from '../src/data/inputs.ts';
import { ready } from '../src/engine/tf.ts';
import { zMatrix } from '../src/evaluate/fold.ts';
import { loadCheckpoint } from '../src/gexbert/inference/checkpoint.ts';
import { embed, OMIT, zProfiles } from '../src/gexbert/inference/infer.ts';
import { createOnnxPredictor } from '../src/gexbert/inference/predictor.ts';
import { splitSamples } from '../src/gexbert/training/train.ts';
import { createRandom, sampleWithoutReplacement } from '../src/random/random.ts';
import { fromRows } from '../src/stats/matrix.ts';

await ready();
const ckpt = loadCheckpoint('model/checkpoints/tcga-6types');
ckpt.model.dispose();
const predictor = await createOnnxPredictor(ckpt.config, ckpt.weights);
const data = loadCountsDir(sharedPath('data', 'tcga', 'counts'));
const n = data.counts.sampleIds.length;
const z = zMatrix(ckpt.stats, toExpression(data.counts, [...Array(n).keys()]));
const vocab = ckpt.stats.genes;
const out: Record<string, unknown> = {
  samples: data.counts.sampleIds,
  labels: data.labels,
  split: splitSamples(n, 0.1, 1),
};
const full = await embed(
  predictor,
  ckpt.stats,
  zProfiles(z, vocab, () => true),
  OMIT,
);
out.full = full.embeddings.map((e) => Array.from(e));
const random = createRandom(7);
for (const k of [16, 64]) {
  const draws: number[][][] = [];
  const panels: number[][] = [];
  for (let d = 0; d < 3; d++) {
    const panel = sampleWithoutReplacement(vocab.length, k, random);
    const inPanel = new Uint8Array(vocab.length);
    for (const g of panel) inPanel[g] = 1;
    const r = await embed(
      predictor,
      ckpt.stats,
      zProfiles(z, vocab, (_, v) => inPanel[v] === 1),
      OMIT,
    );
    draws.push(r.embeddings.map((e) => Array.from(e)));
    panels.push(panel);
  }
  out[`panel${k}`] = draws;
  out[`panels${k}`] = panels;
}
out.z = Array.from({ length: n }, (_, i) => Array.from(z.data.subarray(i * z.cols, (i + 1) * z.cols)));
writeFileSync(process.argv[2] ?? '/tmp/trust-emb.json', JSON.stringify(out));
await predictor.release();
console.log('embedded', n, 'samples', fromRows(out.full as number[][]).cols, 'dims');
