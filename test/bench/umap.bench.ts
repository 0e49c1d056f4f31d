// npm run bench:umap — the cohort map's UMAP and readability scores at TCGA scale, printed (no pass/fail).
// Points: `--samples` (default 11,000) embeddings of the shipped model's width (64) in `--types` (33)
// Gaussian clusters (unit noise around centres drawn with sd 2; synthetic: the shared data hold 291 real
// count profiles, not 11,000). For each fit limit (`--fit-limits`, default 11000,5000,3000; the maps use
// MAP_UMAP.fitLimit) it prints the seconds to fit (the full layout, or a seeded subsample plus umap-js
// transform of the rest) and to score the map (type agreement and trustworthiness, k = 10), wall and CPU
// seconds (CPU depends less on the other sessions sharing the 2 cores), with both scores; then one whole
// cohort map as the precompute places it, the load average and the process's peak resident memory. The full
// precompute's budget is 5 minutes (issue 14).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fitUmap, type Matrix, mapReadability, zeros } from '@gexbert/model/stats';
import { createRandom, randomNormal } from '../../model/src/random/random.ts';
import { cohortMap, MAP_UMAP } from '../../services/core/src/inference/cohortMap.ts';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '11000' },
    types: { type: 'string', default: '33' },
    width: { type: 'string', default: '64' },
    'fit-limits': { type: 'string', default: '11000,5000,3000' },
  },
});
const samples = Number(values.samples);
const types = Number(values.types);
const width = Number(values.width);

/** [samples, width] points in `types` clusters, with each point's cluster as its label. */
function clusters(): { x: Matrix; labels: string[] } {
  const random = createRandom(2026);
  const centres = Array.from({ length: types }, () =>
    Array.from({ length: width }, () => 2 * randomNormal(random)),
  );
  const x = zeros(samples, width);
  const labels: string[] = [];
  for (let i = 0; i < samples; i++) {
    const t = i % types;
    labels.push(`T${t}`);
    for (let c = 0; c < width; c++) x.data[i * width + c] = centres[t]![c]! + randomNormal(random);
  }
  return { x, labels };
}

const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
/** CPU seconds this process has used since `from` (process.cpuUsage): less at the mercy of a shared machine. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return ((used.user + used.system) / 1e6).toFixed(1);
};
const { x, labels } = clusters();
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`,
);
console.log(
  `UMAP of ${samples} synthetic embeddings (${width} wide, ${types} clusters), seed ${MAP_UMAP.seed}, ` +
    `${MAP_UMAP.neighbours} neighbours; map fit limit ${MAP_UMAP.fitLimit}`,
);
for (const fitLimit of values['fit-limits'].split(',').map(Number)) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let lastReport = started;
  const umap = fitUmap(x, { ...MAP_UMAP, fitLimit }, (epoch, epochs) => {
    if (performance.now() - lastReport > 10_000 || epoch === epochs) {
      lastReport = performance.now();
      process.stderr.write(`  fit limit ${fitLimit}: epoch ${epoch}/${epochs} after ${seconds(started)} s\n`);
    }
  })!;
  const fitted = `${seconds(started)} s (${cpuSeconds(cpu)} s CPU)`;
  const scoring = performance.now();
  const scoringCpu = process.cpuUsage();
  const r = mapReadability(x, umap.points, labels);
  console.log(
    `fit limit ${fitLimit}: fitted ${umap.fitted}, transformed ${samples - umap.fitted}: UMAP ${fitted}; ` +
      `scores ${seconds(scoring)} s (${cpuSeconds(scoringCpu)} s CPU) (type agreement ${r.typeAgreement?.toFixed(3)}, trustworthiness ` +
      `${r.trustworthiness?.toFixed(3)} over ${r.trustworthinessQueries} queries)`,
  );
}
// what the precompute runs per cohort map: PCA, UMAP (at the maps' fit limit) and both projections' scores
const placing = performance.now();
const placingCpu = process.cpuUsage();
const map = cohortMap(
  Array.from({ length: samples }, (_, i) => ({
    sampleId: i,
    vector: x.data.subarray(i * width, (i + 1) * width),
    prediction: null,
  })),
  labels,
)!;
console.log(
  `one cohort map as the precompute places it (PCA + UMAP + both scores): ${seconds(placing)} s ` +
    `(${cpuSeconds(placingCpu)} s CPU); shown first ` +
    `${map.projection} (${map.readability.map((r) => `${r.projection} score ${r.score?.toFixed(3)}`).join(', ')})`,
);
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`,
);
console.log(`peak resident memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
