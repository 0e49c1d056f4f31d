import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxSession } from '../../../src/engine/onnx.ts';
import { ready, tf } from '../../../src/engine/tf.ts';
import type { GexbertConfig } from '../../../src/gexbert/architecture/config.ts';
import { GexbertModel } from '../../../src/gexbert/architecture/model.ts';
import { embed, restore } from '../../../src/gexbert/inference/infer.ts';
import { createOnnxPredictor, onnxFeeds } from '../../../src/gexbert/inference/predictor.ts';
import { exportOnnx } from '../../../src/gexbert/onnx/export.ts';
import { PbWriter } from '../../../src/gexbert/onnx/protobuf.ts';
import type { TokenBatch } from '../../../src/gexbert/training/batch.ts';
import { batchInputs } from '../../../src/gexbert/training/engine-tfjs.ts';
import { Rng } from '../../../src/random/rng.ts';
import { describeConfig, maxAbsDiff, PARITY_CONFIGS, randomWeights, tinyConfig } from '../helpers.ts';

beforeAll(async () => {
  await ready();
});

/** A random batch with missing levels and padding. */
function randomBatch(c: GexbertConfig, B: number, T: number, Q: number, seed: number): TokenBatch {
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

/** tfjs forward outputs as plain arrays. */
function tfjsOutputs(model: GexbertModel, batch: TokenBatch) {
  return tf.tidy(() => {
    const o = model.forward(batchInputs(batch));
    return {
      embedding: o.embedding.dataSync().slice(),
      token_values: o.tokenValues.dataSync().slice(),
      query_values: o.queryValues?.dataSync().slice(),
      hidden: o.hidden.dataSync().slice(),
    };
  });
}

/**
 * The largest difference between the ONNX outputs and tfjs's. Token outputs on padding are meaningless:
 * only real tokens are compared.
 */
function worstDiff(
  out: Record<string, { data: unknown }>,
  ref: ReturnType<typeof tfjsOutputs>,
  batch: TokenBatch,
  C: number,
): number {
  const real = (a: ArrayLike<number>, per: number) =>
    Array.from({ length: batch.B * batch.T * per }, (_, i) =>
      batch.tokenMask[Math.floor(i / per)] ? a[i]! : 0,
    );
  let worst = 0;
  for (const [name, per] of [
    ['embedding', 0],
    ['token_values', 1],
    ['hidden', C],
    ['query_values', 0],
  ] as const) {
    const got = out[name]?.data as Float32Array | undefined;
    const want = ref[name];
    if (!got) continue; // an output this export does not have
    if (!want) throw new Error(`${name}: ONNX gives it, tfjs does not`);
    worst = Math.max(worst, per === 0 ? maxAbsDiff(got, want) : maxAbsDiff(real(got, per), real(want, per)));
  }
  return worst;
}

describe('ONNX export', () => {
  it.each(PARITY_CONFIGS.map((over, k) => [describeConfig(over), over, k] as const))(
    'matches tfjs within 1e-5: padding, missing values, 0 to 9 queries, every export variant (%s)',
    async (_, over, k) => {
      const c = tinyConfig(over);
      const weights = randomWeights(c, 3 + k);
      const model = GexbertModel.fromWeights(c, weights);
      const variants = [
        { part: 'full', hidden: true },
        { part: 'encoder', hidden: true },
        { part: 'full', padding: false },
        { part: 'full', fusedAttention: true },
      ] as const;
      for (const opts of variants) {
        const session = await OnnxSession.create(exportOnnx(c, weights, opts), { intraOpThreads: 1 });
        const padding = !('padding' in opts);
        const full = opts.part === 'full';
        expect(session.inputNames).toEqual([
          'gene_ids',
          'level_ids',
          ...(padding ? ['token_mask'] : []),
          ...(full ? ['query_ids'] : []),
        ]);
        // Profiles of different lengths in one batch (1..T real tokens each), one token, many queries.
        for (const [B, T, Q, seed] of [
          [4, 10, 5, 1],
          [1, 1, 1, 2],
          [3, 17, 9, 3],
        ] as const) {
          const batch = randomBatch(c, B, T, full ? Q : 0, seed + 10 * k);
          if (!padding) batch.tokenMask.fill(1);
          const ref = tfjsOutputs(model, { ...batch, padded: padding });
          const out = await session.run(onnxFeeds(batch, full, padding));
          expect(Object.keys(out).sort()).toEqual([
            'embedding',
            ...('hidden' in opts ? ['hidden'] : []),
            ...(full ? ['query_values'] : []),
            'token_values',
          ]);
          expect(out.embedding!.dims).toEqual([B, c.width]);
          if (full) expect(out.query_values!.dims).toEqual([B, Q]);
          const worst = worstDiff(out, ref, batch, c.width);
          expect(worst, JSON.stringify(opts)).toBeLessThan(1e-5); // measured: 2.2e-6 at most
        }
        await session.release();
      }
      model.dispose();
    },
  );

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
