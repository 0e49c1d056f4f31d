// Scale benchmark for the simulator: simulate and write a cohort (default 10,000 samples x 20,000 genes,
// 33 types) to a temporary directory, then print wall seconds, CPU seconds, peak RSS and output size.
// Run: npx tsx model/bench/simulate.bench.ts [samples] [genes] [types] [--keep]
// (not a test: timings depend on the machine; use `nice -n 10` on a shared machine)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateCohort, writeCohort } from '../src/simulate/index.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const keep = process.argv.includes('--keep');
const samples = Number(args[0] ?? 10_000);
const genes = Number(args[1] ?? 20_000);
const types = Number(args[2] ?? 33);

const dir = await mkdtemp(join(tmpdir(), 'gexbert-sim-bench-'));
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const cohort = simulateCohort({ samples, genes, types, seed: 1 });
const tCohort = performance.now();
let lastReport = 0;
const written = await writeCohort(cohort, dir, {
  onProgress: (done, total) => {
    const now = performance.now();
    if (now - lastReport > 10_000 || done === total) {
      lastReport = now;
      console.log(`  ${done}/${total} genes, ${((now - t0) / 1000).toFixed(1)} s`);
    }
  },
});
const t1 = performance.now();
clearInterval(sampler);
const cpu = process.cpuUsage(cpu0);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const maxRssKiB = process.resourceUsage().maxRSS; // kernel's peak resident set, KiB

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
console.log(`simulate ${samples} samples x ${genes} genes, ${types} types -> ${dir}`);
console.log(`  cohort (parameters, survival): ${((tCohort - t0) / 1000).toFixed(2)} s`);
console.log(`  counts drawn + written:        ${((t1 - tCohort) / 1000).toFixed(2)} s`);
console.log(`  total wall:                    ${((t1 - t0) / 1000).toFixed(2)} s`);
console.log(
  `  CPU main thread + gzip pool:   user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s`,
);
console.log(
  `  peak RSS:                      ${mib(maxRssKiB * 1024)} MiB (sampled every 100 ms: ${mib(peakRss)} MiB)`,
);
console.log(
  `  output:                        ${mib(written.bytes)} MiB in ${written.counts.length + 3} files`,
);
if (keep) console.log(`  kept ${dir}`);
else await rm(dir, { recursive: true, force: true });
