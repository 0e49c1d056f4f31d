import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxSession } from '../../src/engine/onnx.ts';
import { ready, tf } from '../../src/engine/tf.ts';
import type { TokenBatch } from '../../src/gexbert/batch.ts';
import { batchInputs } from '../../src/gexbert/engine-tfjs.ts';
import { embed, restore } from '../../src/gexbert/infer.ts';
import { GexbertModel, initialWeights, type WeightEntry } from '../../src/gexbert/model.ts';
import { exportOnnx } from '../../src/gexbert/onnx/export.ts';
import { createOnnxPredictor, onnxFeeds } from '../../src/gexbert/onnx/predictor.ts';
import { PbWriter } from '../../src/gexbert/onnx/protobuf.ts';
import { Rng } from '../../src/gexbert/rng.ts';
import { maxAbsDiff, tinyConfig } from './helpers.ts';

beforeAll(async () => {
  await ready();
});

/** Random weights with realistic spread (not just the small init), so parity is tested on non-trivial values. */
function randomWeights(c: ReturnType<typeof tinyConfig>, seed: number): WeightEntry[] {
  const r = new Rng(seed, 'weights');
  return initialWeights(c, seed).map((w) => ({
    ...w,
    data: w.data.map((x) => (w.name.endsWith('.g') ? 1 + 0.3 * r.normal() : x + 0.15 * r.normal())),
  }));
}

/** A random batch with missing levels and padding. */
function randomBatch(
  c: ReturnType<typeof tinyConfig>,
  B: number,
  T: number,
  Q: number,
  seed: number,
): TokenBatch {
  const r = new Rng(seed, 'batch');
  const b: TokenBatch = {
    B,
    T,
    Q,
    geneIds: Int32Array.from({ length: B * T }, () => r.int(c.vocabSize)),
    levelIds: Int32Array.from({ length: B * T }, () => (r.next() < 0.3 ? c.levels : r.int(c.levels))),
    tokenMask: new Float32Array(B * T).fill(1),
    padded: true,
    queryIds: Int32Array.from({ length: B * Q }, () => r.int(c.vocabSize)),
  };
  for (let i = 0; i < B; i++) {
    const real = 1 + r.int(T); // 1..T real tokens
    b.tokenMask.fill(0, i * T + real, (i + 1) * T);
  }
  return b;
}

describe('protobuf writer', () => {
  it('encodes varints, negatives and floats as protobuf does', () => {
    const w = new PbWriter();
    w.int(1, 300).int(2, -1).float(3, 1.5).string(4, 'hi');
    expect([...w.finish()]).toEqual([
      0x08, 0xac, 0x02, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x1d, 0x00, 0x00,
      0xc0, 0x3f, 0x22, 0x02, 0x68, 0x69,
    ]);
  });
});

describe('ONNX export', () => {
  for (const activation of ['gelu', 'relu'] as const) {
    it(`matches tfjs within 1e-4 on random inputs with missing values and padding (${activation})`, async () => {
      const c = tinyConfig({
        activation,
        encoderLayers: 2,
        decoderLayers: 2,
        width: 32,
        heads: 4,
        ffnWidth: 48,
      });
      const weights = randomWeights(c, 3);
      const model = GexbertModel.fromWeights(c, weights);
      const session = await OnnxSession.create(exportOnnx(c, weights, { hidden: true }), {
        intraOpThreads: 1,
      });
      expect(session.inputNames).toEqual(['gene_ids', 'level_ids', 'token_mask', 'query_ids']);
      for (const [B, T, Q, seed] of [
        [4, 10, 5, 1],
        [1, 1, 1, 2],
        [3, 17, 9, 3],
      ] as const) {
        const batch = randomBatch(c, B, T, Q, seed);
        const ref = tf.tidy(() => {
          const o = model.forward(batchInputs(batch));
          return {
            embedding: o.embedding.dataSync().slice(),
            tokenValues: o.tokenValues.dataSync().slice(),
            queryValues: o.queryValues!.dataSync().slice(),
            hidden: o.hidden.dataSync().slice(),
          };
        });
        const out = await session.run(onnxFeeds(batch, true));
        expect(out.embedding!.dims).toEqual([B, c.width]);
        expect(out.query_values!.dims).toEqual([B, Q]);
        const mask = batch.tokenMask;
        // Token outputs on padding are meaningless; compare real tokens only.
        const real = (a: ArrayLike<number>, per: number) =>
          Array.from({ length: B * T * per }, (_, i) => (mask[Math.floor(i / per)] ? a[i]! : 0));
        expect(maxAbsDiff(out.embedding!.data as Float32Array, ref.embedding)).toBeLessThan(1e-4);
        expect(maxAbsDiff(out.query_values!.data as Float32Array, ref.queryValues)).toBeLessThan(1e-4);
        expect(
          maxAbsDiff(real(out.token_values!.data as Float32Array, 1), real(ref.tokenValues, 1)),
        ).toBeLessThan(1e-4);
        expect(
          maxAbsDiff(real(out.hidden!.data as Float32Array, c.width), real(ref.hidden, c.width)),
        ).toBeLessThan(1e-4);
      }
      await session.release();
      model.dispose();
    });
  }

  it('the export without a padding mask matches tfjs on unpadded batches', async () => {
    const c = tinyConfig({ encoderLayers: 2, width: 32, heads: 4, ffnWidth: 48 });
    const weights = randomWeights(c, 6);
    const model = GexbertModel.fromWeights(c, weights);
    const session = await OnnxSession.create(exportOnnx(c, weights, { padding: false }), {
      intraOpThreads: 1,
    });
    expect(session.inputNames).toEqual(['gene_ids', 'level_ids', 'query_ids']);
    const batch = { ...randomBatch(c, 3, 9, 4, 8), padded: false };
    batch.tokenMask.fill(1);
    const ref = tf.tidy(() => {
      const o = model.forward(batchInputs(batch));
      return { embedding: o.embedding.dataSync().slice(), queryValues: o.queryValues!.dataSync().slice() };
    });
    const out = await session.run(onnxFeeds(batch, true, false));
    expect(maxAbsDiff(out.embedding!.data as Float32Array, ref.embedding)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.query_values!.data as Float32Array, ref.queryValues)).toBeLessThan(1e-4);
    await session.release();
    model.dispose();
  });

  it("onnxruntime's fused attention kernel (optional export) gives the same outputs", async () => {
    const c = tinyConfig({ encoderLayers: 2, width: 32, heads: 4, ffnWidth: 48 });
    const weights = randomWeights(c, 4);
    const model = GexbertModel.fromWeights(c, weights);
    const session = await OnnxSession.create(exportOnnx(c, weights, { fusedAttention: true }), {
      intraOpThreads: 1,
    });
    const batch = randomBatch(c, 3, 11, 4, 7);
    const ref = tf.tidy(() => {
      const o = model.forward(batchInputs(batch));
      return { embedding: o.embedding.dataSync().slice(), queryValues: o.queryValues!.dataSync().slice() };
    });
    const out = await session.run(onnxFeeds(batch, true));
    expect(maxAbsDiff(out.embedding!.data as Float32Array, ref.embedding)).toBeLessThan(1e-4);
    expect(maxAbsDiff(out.query_values!.data as Float32Array, ref.queryValues)).toBeLessThan(1e-4);
    await session.release();
    model.dispose();
  });

  it('the onnxruntime predictor gives the same embeddings and restored values as tfjs', async () => {
    const c = tinyConfig();
    const weights = randomWeights(c, 5);
    const model = GexbertModel.fromWeights(c, weights);
    const stats = {
      genes: Array.from({ length: c.vocabSize }, (_, i) => `G${i}`),
      mean: new Float32Array(c.vocabSize).fill(5),
      sd: new Float32Array(c.vocabSize).fill(2),
      levels: c.levels,
      zRange: c.zRange,
    };
    const r = new Rng(9);
    // NaN values are missing-level tokens; the last profile is all NaN (no-information result).
    const profiles = Array.from({ length: 8 }, (_, i) => ({
      genes: stats.genes,
      values: Float32Array.from(stats.genes, () =>
        i === 7 || r.next() < 0.4 ? Number.NaN : 5 + 2 * r.normal(),
      ),
      unit: 'log2cpm' as const,
    }));
    const pred = await createOnnxPredictor(c, weights, { intraOpThreads: 1 });
    expect(pred.name).toBe('onnxruntime-cpu');
    const [ea, eb] = [
      await embed(model, stats, profiles, { batchSize: 3 }),
      await embed(pred, stats, profiles, { batchSize: 3 }),
    ];
    for (let i = 0; i < profiles.length; i++)
      expect(maxAbsDiff(ea.embeddings[i]!, eb.embeddings[i]!)).toBeLessThan(1e-4);
    expect(ea.reports.slice(0, 7).every((p) => p.missingGenes > 0 && p.inputGenes > 0)).toBe(true);
    expect(ea.reports[7]).toMatchObject({ inputGenes: 0, missingGenes: c.vocabSize });
    expect(eb.embeddings[7]!.every((x) => x === 0)).toBe(true);
    const [ra, rb] = [
      await restore(model, stats, profiles, stats.genes, { unit: 'z' }),
      await restore(pred, stats, profiles, stats.genes, { unit: 'z' }),
    ];
    for (let i = 0; i < 7; i++) expect(maxAbsDiff(ra.values[i]!, rb.values[i]!)).toBeLessThan(1e-4);
    expect([ra, rb].every((r) => r.values[7]!.every(Number.isNaN))).toBe(true);
    await pred.release();
    model.dispose();
  });
});
