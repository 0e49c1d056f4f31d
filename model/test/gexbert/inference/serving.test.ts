// Serving reads a checkpoint without TensorFlow.js and runs its own model.onnx: the shipped checkpoint
// answers exactly as before (graphs exported from weights parsed through the tfjs model), and the
// model.onnx in the folder is the graph that answers restore requests on padded batches.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/engine/tf.ts';
import { loadCheckpoint } from '../../../src/gexbert/inference/checkpoint.ts';
import { embed, type Profile, restore } from '../../../src/gexbert/inference/infer.ts';
import { createOnnxPredictor, openCheckpointPredictor } from '../../../src/gexbert/inference/predictor.ts';
import { exportOnnx } from '../../../src/gexbert/onnx/export.ts';

const SHIPPED = path.join(import.meta.dirname, '../../../checkpoints/tcga-6types');
const dirs: string[] = [];
beforeAll(async () => {
  await ready(); // only for the "before" side: loadCheckpoint builds the tfjs model
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Count profiles over the first genes of the vocabulary: `sizes` genes each (unequal sizes: padding). */
function profiles(genes: string[], sizes: number[]): Profile[] {
  return sizes.map((n, k) => ({
    genes: genes.slice(k, k + n),
    values: Float32Array.from({ length: n }, (_, g) => ((g * 37 + k * 11) % 500) + 1),
    unit: 'counts' as const,
  }));
}

describe('serving a checkpoint', () => {
  it('the shipped checkpoint answers the same embeddings and restored values as before, bit for bit', async () => {
    const before = loadCheckpoint(SHIPPED);
    const old = await createOnnxPredictor(before.config, before.weights);
    const { checkpoint, predictor } = await openCheckpointPredictor(SHIPPED);
    const genes = checkpoint.stats.genes;
    const queries = genes.slice(300, 340);
    for (const sizes of [
      [200, 200, 200], // no padding: the mask-free graphs
      [200, 120, 60, 1], // padding: model.onnx for restore
    ]) {
      const input = profiles(genes, sizes);
      const a = await embed(predictor, checkpoint.stats, input);
      const b = await embed(old, before.stats, input);
      expect(a.embeddings).toEqual(b.embeddings);
      const r = await restore(predictor, checkpoint.stats, input, queries);
      const s = await restore(old, before.stats, input, queries);
      expect(r.values).toEqual(s.values);
      expect(r.values[0]!.some((v) => v !== 0 && Number.isFinite(v))).toBe(true);
    }
    await predictor.release();
    await old.release();
    before.model.dispose();
  });

  it("runs the folder's model.onnx (a different graph there gives that graph's answers)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gexbert-serving-'));
    dirs.push(dir);
    cpSync(SHIPPED, dir, { recursive: true });
    const { checkpoint } = await openCheckpointPredictor(dir);
    const other = checkpoint.weights.map((w) => ({
      ...w,
      data: w.name === 'head.query.w' ? w.data.map((x) => -x) : w.data,
    }));
    writeFileSync(path.join(dir, 'model.onnx'), exportOnnx(checkpoint.config, other));
    const { predictor } = await openCheckpointPredictor(dir);
    const fromOther = await createOnnxPredictor(checkpoint.config, other);
    const fromWeights = await createOnnxPredictor(checkpoint.config, checkpoint.weights);
    const input = profiles(checkpoint.stats.genes, [200, 120]); // padded, with queries: model.onnx
    const queries = checkpoint.stats.genes.slice(300, 310);
    const served = await restore(predictor, checkpoint.stats, input, queries);
    expect(served.values).toEqual((await restore(fromOther, checkpoint.stats, input, queries)).values);
    expect(served.values).not.toEqual((await restore(fromWeights, checkpoint.stats, input, queries)).values);
    for (const p of [predictor, fromOther, fromWeights]) await p.release();
  });
});
