import { beforeAll, describe, expect, it } from 'vitest';
import { ready, type Tensor, type Tensor2D, tf } from '../../../src/engine/tf.ts';
import { maskedCount } from '../../../src/gexbert/architecture/config.ts';
import { bmm, embeddingLookup, linear } from '../../../src/gexbert/architecture/layers/ops.ts';
import { GexbertModel, parameterSpecs } from '../../../src/gexbert/architecture/model.ts';
import { BatchSampler } from '../../../src/gexbert/training/batch.ts';
import { batchInputs } from '../../../src/gexbert/training/engine-tfjs.ts';
import { Rng } from '../../../src/random/rng.ts';
import { maxAbsDiff, tinyConfig } from '../helpers.ts';

beforeAll(async () => {
  await ready();
});

const ids = (rows: number[][]) => tf.tensor2d(rows, undefined, 'int32');

describe('engine', () => {
  it('picks a backend and reports it', async () => {
    const info = await ready();
    expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.tfBackend);
  });
});

describe('model shapes', () => {
  it('encoder and decoder outputs have the documented shapes', () => {
    const c = tinyConfig();
    const model = GexbertModel.create(c);
    tf.tidy(() => {
      const out = model.forward({
        geneIds: ids([
          [0, 1, 2, 3, 4],
          [5, 6, 7, 8, 9],
        ]),
        levelIds: ids([
          [0, 1, 16, 3, 4],
          [16, 16, 2, 3, 15],
        ]),
        queryIds: ids([
          [10, 11, 12],
          [13, 14, 15],
        ]),
      });
      expect(out.hidden.shape).toEqual([2, 5, c.width]);
      expect(out.embedding.shape).toEqual([2, c.width]);
      expect(out.tokenValues.shape).toEqual([2, 5]);
      expect(out.queryValues?.shape).toEqual([2, 3]);
      expect([...out.queryValues!.dataSync()].every(Number.isFinite)).toBe(true);
    });
    expect(model.size).toBe(parameterSpecs(c).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0));
    model.dispose();
  });

  it('is invariant to token order and ignores padding', () => {
    const model = GexbertModel.create(tinyConfig({ seed: 3 }));
    tf.tidy(() => {
      const a = model.forward({
        geneIds: ids([[3, 7, 1, 9]]),
        levelIds: ids([[2, 16, 5, 8]]),
        queryIds: ids([[4, 11]]),
      });
      const b = model.forward({
        geneIds: ids([[9, 1, 3, 7]]),
        levelIds: ids([[8, 5, 2, 16]]),
        queryIds: ids([[4, 11]]),
      });
      const padded = model.forward({
        geneIds: ids([[9, 1, 0, 3, 7, 0]]),
        levelIds: ids([[8, 5, 16, 2, 16, 16]]),
        tokenMask: tf.tensor2d([[1, 1, 0, 1, 1, 0]]),
        queryIds: ids([[4, 11]]),
      });
      expect(maxAbsDiff(a.embedding.dataSync(), b.embedding.dataSync())).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.queryValues!.dataSync(), b.queryValues!.dataSync())).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.embedding.dataSync(), padded.embedding.dataSync())).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.queryValues!.dataSync(), padded.queryValues!.dataSync())).toBeLessThan(1e-5);
      const tokA = a.tokenValues.dataSync();
      const tokP = padded.tokenValues.dataSync();
      expect(maxAbsDiff([tokA[0]!, tokA[1]!], [tokP[3]!, tokP[4]!])).toBeLessThan(1e-5);
    });
    model.dispose();
  });

  it('restores a query gene independently of the other queries', () => {
    const model = GexbertModel.create(tinyConfig({ seed: 4 }));
    tf.tidy(() => {
      const inputs = { geneIds: ids([[3, 7, 1]]), levelIds: ids([[2, 16, 5]]) };
      const one = model.forward({ ...inputs, queryIds: ids([[12]]) }).queryValues!.dataSync();
      const three = model.forward({ ...inputs, queryIds: ids([[20, 12, 5]]) }).queryValues!.dataSync();
      expect(Math.abs(one[0]! - three[1]!)).toBeLessThan(1e-6);
    });
    model.dispose();
  });
});

describe('masking logic', () => {
  it('draws disjoint input and query genes, masks the configured fraction', () => {
    const c = tinyConfig({ vocabSize: 40, inputGenes: 12, maskFraction: 0.25, queryGenes: 6 });
    const nSamples = 5;
    const z = new Float32Array(nSamples * 40).map((_, i) => Math.sin(i));
    for (let v = 0; v < 40; v += 7) z[2 * 40 + v] = Number.NaN; // sample 2 misses some genes
    const sampler = new BatchSampler(z, 40, c);
    const b = sampler.sample([0, 1, 2, 3], new Rng(1));
    expect([b.B, b.T, b.Q]).toEqual([4, 12, 6]);
    expect(b.padded).toBe(false);
    const nMask = maskedCount(c);
    expect(nMask).toBe(3);
    for (let i = 0; i < 4; i++) {
      const s = [0, 1, 2, 3][i]!;
      const inGenes = [...b.geneIds.subarray(i * 12, (i + 1) * 12)];
      const qGenes = [...b.queryIds.subarray(i * 6, (i + 1) * 6)];
      expect(new Set([...inGenes, ...qGenes]).size).toBe(18);
      let masked = 0;
      for (let t = 0; t < 12; t++) {
        const o = i * 12 + t;
        const zv = z[s * 40 + b.geneIds[o]!]!;
        expect(Number.isFinite(zv)).toBe(true);
        if (b.tokenWeight[o] === 1) {
          masked += 1;
          expect(b.levelIds[o]).toBe(c.levels);
          expect(b.tokenTarget[o]).toBeCloseTo(zv, 6);
        } else {
          expect(b.levelIds[o]).toBeLessThan(c.levels);
          expect(b.tokenTarget[o]).toBe(0);
        }
      }
      expect(masked).toBe(nMask);
      for (let q = 0; q < 6; q++) {
        expect(b.queryTarget[i * 6 + q]).toBeCloseTo(z[s * 40 + b.queryIds[i * 6 + q]!]!, 6);
        expect(b.queryWeight[i * 6 + q]).toBe(1);
      }
    }
    expect(b.weightSum).toBe(4 * (nMask + 6));
  });

  it('pads samples with too few observed genes', () => {
    const c = tinyConfig({ vocabSize: 40, inputGenes: 12, queryGenes: 6 });
    const z = new Float32Array(40).fill(Number.NaN);
    for (let v = 0; v < 9; v++) z[v] = v / 10;
    const b = new BatchSampler(z, 40, c).sample([0], new Rng(2));
    const realTokens = b.tokenMask.reduce((a, x) => a + x, 0);
    const realQueries = b.queryWeight.reduce((a, x) => a + x, 0);
    expect(b.padded).toBe(true);
    expect(realTokens + realQueries).toBe(9);
    expect(realTokens).toBe(6);
    const model = GexbertModel.create(c);
    tf.tidy(() => {
      const out = model.forward(batchInputs(b));
      expect([...out.queryValues!.dataSync()].every(Number.isFinite)).toBe(true);
    });
    model.dispose();
  });
});

describe('custom gradients', () => {
  const close = (a: Tensor, b: Tensor) => expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-4);

  it('linear and bmm match tfjs autodiff of plain matMul', () => {
    tf.tidy(() => {
      const r = new Rng(5);
      const t = (shape: number[]) =>
        tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => r.normal()),
          shape,
        );
      const x = t([6, 4]) as Tensor2D;
      const w = t([4, 3]) as Tensor2D;
      const bias = t([3]);
      const dy = t([6, 3]);
      const ours = tf.grads((a: Tensor, b: Tensor, c: Tensor) =>
        tf.mul(linear(a as Tensor2D, b as Tensor2D, c as never), dy),
      )([x, w, bias]);
      const ref = tf.grads((a: Tensor, b: Tensor, c: Tensor) =>
        tf.mul(tf.add(tf.matMul(a as Tensor2D, b as Tensor2D), c), dy),
      )([x, w, bias]);
      for (const [i, g] of ours.entries()) close(g, ref[i]!);
      const a3 = t([3, 5, 4]);
      const b3 = t([3, 4, 2]);
      const dz = t([3, 5, 2]);
      const o3 = tf.grads((a: Tensor, b: Tensor) => tf.mul(bmm(a, b), dz))([a3, b3]);
      const r3 = tf.grads((a: Tensor, b: Tensor) => tf.mul(tf.matMul(a, b), dz))([a3, b3]);
      for (const [i, g] of o3.entries()) close(g, r3[i]!);
    });
  });

  it('embedding lookup gradient sums repeated ids (like a one-hot matMul)', () => {
    tf.tidy(() => {
      const table = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
      const idx = tf.tensor1d([2, 0, 2, 3], 'int32');
      const dy = tf.tensor2d([1, 1, 2, 2, 3, 3, 4, 4], [4, 2]);
      const [g] = tf.grads((t: Tensor) => tf.mul(embeddingLookup(t as Tensor2D, idx), dy))([table]);
      const [ref] = tf.grads((t: Tensor) =>
        tf.mul(tf.matMul(tf.oneHot(idx, 4).toFloat(), t as Tensor2D), dy),
      )([table]);
      close(g!, ref!);
      expect([...g!.dataSync()]).toEqual([2, 2, 0, 0, 4, 4, 4, 4]);
    });
  });
});
