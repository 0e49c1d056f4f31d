// GexBERT model benchmark: training and inference speed, peak memory. Prints figures (no pass/fail).
// Run: npx tsx model/bench/model.bench.ts [--threads 1,2] [--steps 10] [--engine both|tfjs|onnxruntime|none]
//        [--json out.json]
// Setting (the issue's): width 128, 4 encoder layers, 1 decoder layer, 8 heads, FFN 512, 64 input +
// 32 query genes, batch 32, vocabulary 1,000, 64 levels, dropout 0.1. Synthetic data (speed does not
// depend on the values). Use `nice -n 10` on a shared machine; figures move with other load.
//  1. Training samples/s: full optimiser steps (batch draw, dropout masks, forward, backward, clipping,
//     AdamW), timed after 2 warm-up steps; tfjs (wasm) once, onnxruntime per thread count.
//  2. Inference at batch 32: tfjs encode; onnxruntime encode and encode + restore 32 query genes, with
//     the padding-mask graph and with the mask-free graph (what the predictor runs when, as here, the
//     batch has no padding); batch-1 latency (median, p90). Median of >= 3 s of runs, per thread count.
//  3. Peak RSS (process.resourceUsage().maxRSS).
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { OnnxSession } from '../src/engine/onnx.ts';
import { describeBackend, ready, tf } from '../src/engine/tf.ts';
import { makeConfig, parameterCount } from '../src/gexbert/architecture/config.ts';
import { GexbertModel } from '../src/gexbert/architecture/model.ts';
import { onnxFeeds } from '../src/gexbert/inference/predictor.ts';
import { exportOnnx } from '../src/gexbert/onnx/export.ts';
import { BatchSampler, type TokenBatch } from '../src/gexbert/training/batch.ts';
import type { EngineChoice } from '../src/gexbert/training/engine.ts';
import { batchInputs } from '../src/gexbert/training/engine-tfjs.ts';
import { pretrain } from '../src/gexbert/training/train.ts';
import { Rng } from '../src/random/rng.ts';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};
const threadCounts = flag('threads', '1,2').split(',').map(Number);
const measureSteps = Number(flag('steps', '10'));
const engineChoice = flag('engine', 'both');
const jsonOut = flag('json', '');

const config = makeConfig({
  vocabSize: 1000,
  levels: 64,
  width: 128,
  heads: 8,
  encoderLayers: 4,
  decoderLayers: 1,
  ffnWidth: 512,
  inputGenes: 64,
  queryGenes: 32,
  batchSize: 32,
  dropout: 0.1,
  validationFraction: 0,
  epochs: 1000,
  seed: 1,
});
const B = config.batchSize;
const Q = config.queryGenes;

const peakRssMB = () => (process.resourceUsage().maxRSS * 1024) / 2 ** 20;
const results: Record<string, unknown> = {};
const line = (label: string, value: string) => console.log(`${label.padEnd(64)} ${value}`);

const info = await ready();
console.log(`GexBERT model benchmark — ${new Date().toISOString()}`);
line('machine', `${os.cpus()[0]?.model ?? '?'} x ${os.cpus().length}, node ${process.version}`);
line(
  'load average at start (1, 5, 15 min)',
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', '),
);
line('tfjs backend', describeBackend(info));
line('parameters', parameterCount(config).toLocaleString('en-US'));
results.setting = { config, threadCounts, backend: describeBackend(info), loadAverage: os.loadavg() };

// Synthetic z-scored corpus: 640 samples x 1,000 genes.
const rng = new Rng(1, 'bench');
const nSamples = 640;
const z = new Float32Array(nSamples * config.vocabSize).map(() => rng.normal());

// 1. Training.
async function trainSpeed(name: string, engine: EngineChoice, threads?: number): Promise<number> {
  const warm = 2;
  let tWarm = 0;
  let tEnd = 0;
  const run = await pretrain({
    config,
    corpus: { z, nSamples },
    engine,
    engineThreads: threads,
    maxSteps: warm + measureSteps,
    progressEvery: 1,
    onProgress: (p) => {
      if (p.step === warm) tWarm = performance.now();
      if (p.step === warm + measureSteps) tEnd = performance.now();
    },
  });
  run.model.dispose();
  const sps = (measureSteps * B) / ((tEnd - tWarm) / 1000);
  line(`training samples/s (${name}, batch ${B})`, sps.toFixed(1));
  return sps;
}

const training: Record<string, number> = {};
if (engineChoice === 'tfjs' || engineChoice === 'both') {
  training.tfjs = await trainSpeed(`tfjs ${describeBackend(info)}`, 'tfjs');
}
if (engineChoice === 'onnxruntime' || engineChoice === 'both') {
  for (const t of threadCounts) {
    training[`onnxruntime_${t}thread`] = await trainSpeed(`onnxruntime, ${t} thread(s)`, 'onnxruntime', t);
  }
}
results.trainingSamplesPerSec = training;
line('peak RSS after training (MB)', peakRssMB().toFixed(0));
results.peakRssAfterTrainingMB = peakRssMB();

// 2. Inference.
const model = GexbertModel.create(config);
const weights = model.getWeights();
const sampler = new BatchSampler(z, config.vocabSize, config);
const batchOf = (n: number, seed: number): TokenBatch =>
  sampler.sample(
    Array.from({ length: n }, (_, i) => i),
    new Rng(seed),
  );

async function timeIt(fn: () => Promise<unknown> | unknown, minMs = 3000, minRuns = 5): Promise<number[]> {
  for (let i = 0; i < 2; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minMs) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}
const median = (t: number[]) => t[Math.floor(t.length / 2)]!;
const p90 = (t: number[]) => t[Math.floor(t.length * 0.9)]!;

const b32 = batchOf(B, 2);
const b1 = batchOf(1, 3);
if (b32.padded || b1.padded) throw new Error('benchmark batches should have no padding');
const inference: Record<string, number> = {};

const tfEncode = await timeIt(() =>
  tf.tidy(() => model.encode(batchInputs({ ...b32, Q: 0 })).embedding.dataSync()),
);
inference.tfjsEncodeSamplesPerSec = (B * 1000) / median(tfEncode);
line(`tfjs encode samples/s (batch ${B})`, inference.tfjsEncodeSamplesPerSec.toFixed(0));
const tfFull = await timeIt(() => tf.tidy(() => model.forward(batchInputs(b32)).queryValues!.dataSync()));
inference.tfjsEncodeRestoreSamplesPerSec = (B * 1000) / median(tfFull);
line(
  `tfjs encode + restore ${Q} samples/s (batch ${B})`,
  inference.tfjsEncodeRestoreSamplesPerSec.toFixed(0),
);

for (const t of threadCounts) {
  for (const padding of [true, false]) {
    const tag = `${t}thread_${padding ? 'maskGraph' : 'noMaskGraph'}`;
    const label = `${t} thread(s), ${padding ? 'graph with padding mask' : 'mask-free graph'}`;
    const encoder = await OnnxSession.create(exportOnnx(config, weights, { part: 'encoder', padding }), {
      intraOpThreads: t,
    });
    const full = await OnnxSession.create(exportOnnx(config, weights, { part: 'full', padding }), {
      intraOpThreads: t,
    });
    const enc = await timeIt(() => encoder.run(onnxFeeds(b32, false, padding), ['embedding']));
    inference[`ortEncodeSamplesPerSec_${tag}`] = (B * 1000) / median(enc);
    line(`onnxruntime encode samples/s (batch ${B}; ${label})`, ((B * 1000) / median(enc)).toFixed(0));
    const fl = await timeIt(() => full.run(onnxFeeds(b32, true, padding), ['embedding', 'query_values']));
    inference[`ortEncodeRestoreSamplesPerSec_${tag}`] = (B * 1000) / median(fl);
    line(
      `onnxruntime encode + restore ${Q} samples/s (batch ${B}; ${label})`,
      ((B * 1000) / median(fl)).toFixed(0),
    );
    const l1 = await timeIt(() => encoder.run(onnxFeeds(b1, false, padding), ['embedding']));
    inference[`ortEncodeBatch1MedianMs_${tag}`] = median(l1);
    inference[`ortEncodeBatch1P90Ms_${tag}`] = p90(l1);
    line(
      `onnxruntime encode batch-1 ms, median / p90 (${label})`,
      `${median(l1).toFixed(2)} / ${p90(l1).toFixed(2)}`,
    );
    const l1f = await timeIt(() => full.run(onnxFeeds(b1, true, padding), ['embedding', 'query_values']));
    inference[`ortFullBatch1MedianMs_${tag}`] = median(l1f);
    inference[`ortFullBatch1P90Ms_${tag}`] = p90(l1f);
    line(
      `onnxruntime encode + restore batch-1 ms, median / p90 (${label})`,
      `${median(l1f).toFixed(2)} / ${p90(l1f).toFixed(2)}`,
    );
    await encoder.release();
    await full.release();
  }
}
results.inference = inference;
model.dispose();

line('peak RSS overall (MB)', peakRssMB().toFixed(0));
results.peakRssMB = peakRssMB();
line(
  'load average at end (1, 5, 15 min)',
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', '),
);
line('targets', 'training >= 50 samples/s; onnxruntime encode >= 600 samples/s');
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
