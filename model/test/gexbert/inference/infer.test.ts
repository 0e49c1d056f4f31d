import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/engine/tf.ts';
import type { GexbertModel } from '../../../src/gexbert/architecture/model.ts';
import { loadCheckpoint, saveModel } from '../../../src/gexbert/inference/checkpoint.ts';
import {
  embed,
  type Profile,
  passPlan,
  restore,
  tfjsPredictor,
} from '../../../src/gexbert/inference/infer.ts';
import {
  fitNormaliser,
  levelOf,
  matrixToZ,
  type NormStats,
  zOf,
} from '../../../src/gexbert/inference/normalise.ts';
import type { TokenBatch } from '../../../src/gexbert/training/batch.ts';
import { type PretrainResult, pretrain } from '../../../src/gexbert/training/train.ts';
import { Rng } from '../../../src/random/rng.ts';
import { coexpressedSimulation, coexpressionConfig, maxAbsDiff, type Simulation } from '../helpers.ts';

let sim: Simulation;
let stats: NormStats;
let trained: PretrainResult;
let model: GexbertModel;
const dirs: string[] = [];

beforeAll(async () => {
  await ready();
  sim = coexpressedSimulation();
  const c = coexpressionConfig();
  const m = { ...sim, unit: 'log2cpm' as const };
  stats = fitNormaliser(m, sim.genes, { levels: c.levels, zRange: c.zRange });
  trained = await pretrain({
    config: c,
    corpus: { z: matrixToZ(stats, m), nSamples: sim.nSamples },
    engine: 'onnxruntime',
    engineThreads: 1,
  });
  model = trained.model;
});

afterAll(() => {
  model?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'gexbert-test-'));
  dirs.push(d);
  return d;
}

/** New samples from the same simulated structure, as log2cpm profiles with some values hidden. */
function heldOut(n: number, hide: number, seed: number) {
  const G = sim.genes.length;
  const values = sim.draw(n, new Rng(seed, 'heldout'));
  const r = new Rng(seed, 'hide');
  const hidden: boolean[][] = [];
  const profiles: Profile[] = [];
  for (let s = 0; s < n; s++) {
    const row = values.slice(s * G, (s + 1) * G);
    const h = Array.from({ length: G }, () => r.next() < hide);
    hidden.push(h);
    profiles.push({ genes: sim.genes, values: row.map((x, g) => (h[g] ? Number.NaN : x)), unit: 'log2cpm' });
  }
  return { values, hidden, profiles };
}

describe('inference', () => {
  it('restores hidden genes of new samples better than the per-gene mean', async () => {
    const G = sim.genes.length;
    const { values, hidden, profiles } = heldOut(60, 0.5, 77);
    const res = await restore(model, stats, profiles, sim.genes, { unit: 'z', batchSize: 16 });
    expect(res.genes).toEqual(sim.genes);
    let mse = 0;
    let base = 0;
    let n = 0;
    for (let s = 0; s < profiles.length; s++) {
      for (let g = 0; g < G; g++) {
        if (!hidden[s]![g]) continue;
        const z = (values[s * G + g]! - stats.mean[g]!) / stats.sd[g]!;
        mse += (res.values[s]![g]! - z) ** 2;
        base += z * z;
        n += 1;
      }
    }
    expect(n).toBeGreaterThan(1000);
    expect(mse / n).toBeLessThan(0.6 * (base / n));
  });

  it('accepts any subset of the vocabulary, reports unknown genes, and batches consistently', async () => {
    const { profiles } = heldOut(5, 0.3, 78);
    const odd: Profile = {
      genes: ['G3', 'NOT_A_GENE', 'G7', 'G11', 'ALSO_NOT'],
      values: Float32Array.from([5, 1, 6, Number.NaN, 2]),
      unit: 'log2cpm',
    };
    const all = [...profiles, odd];
    const e1 = await embed(model, stats, all, { batchSize: 1 });
    const e6 = await embed(model, stats, all, { batchSize: 6 });
    expect(e6.reports[5]).toEqual({
      inputGenes: 2,
      missingGenes: 1,
      unknownGenes: ['NOT_A_GENE', 'ALSO_NOT'],
    });
    expect(e6.embeddings[0]!.length).toBe(model.config.width);
    for (let i = 0; i < all.length; i++)
      expect(maxAbsDiff(e1.embeddings[i]!, e6.embeddings[i]!)).toBeLessThan(1e-5);
    const r = await restore(model, stats, all, ['G0', 'XYZ', 'G7'], { unit: 'log2cpm', batchSize: 4 });
    expect(r.genes).toEqual(['G0', 'G7']);
    expect(r.unknownQueries).toEqual(['XYZ']);
    expect(r.values.every((v) => v.length === 2 && v.every(Number.isFinite))).toBe(true);
    const empty = await restore(
      model,
      stats,
      [{ genes: ['X'], values: Float32Array.from([1]), unit: 'cpm' }],
      ['G0'],
    );
    expect(Number.isNaN(empty.values[0]![0]!)).toBe(true);
    expect(empty.reports[0]!.inputGenes).toBe(0);
  });

  it('an attention budget shrinks the batch and splits the queries without changing the results', async () => {
    // 40-gene profiles with ~30% hidden: T <= 40 tokens; restoring all 40 genes needs T * (T + 40) scores.
    expect(passPlan(40, 40, {})).toEqual({ batch: 32, queries: 40 });
    expect(passPlan(40, 40, { attentionBudget: 3200 * 5 })).toEqual({ batch: 5, queries: 40 });
    expect(passPlan(40, 40, { attentionBudget: 40 * 50 })).toEqual({ batch: 1, queries: 10 });
    expect(passPlan(40, 40, { attentionBudget: 100 })).toEqual({ batch: 1, queries: 1 });
    expect(passPlan(3500, 5000, {})).toEqual({ batch: 1, queries: 1293 });
    // Batched profiles share the smaller batch budget: a 1,000-gene vocabulary restored at 30% missing
    // (700 tokens, 1,000 queries) goes 3 profiles a pass, not the 14 the attention budget would allow.
    expect(passPlan(700, 1000, {})).toEqual({ batch: 3, queries: 1000 });
    const { profiles } = heldOut(7, 0.3, 91);
    const whole = await restore(model, stats, profiles, sim.genes, { unit: 'z' });
    for (const attentionBudget of [40 * 50, 40 * 45, 100]) {
      const split = await restore(model, stats, profiles, sim.genes, { unit: 'z', attentionBudget });
      expect(split.values.length).toBe(profiles.length);
      for (let i = 0; i < profiles.length; i++) {
        expect(split.values[i]!.every(Number.isFinite)).toBe(true);
        expect(maxAbsDiff(whole.values[i]!, split.values[i]!)).toBeLessThan(1e-5);
      }
    }
    const e = await embed(model, stats, profiles, { attentionBudget: 100 });
    const e32 = await embed(model, stats, profiles);
    for (let i = 0; i < profiles.length; i++)
      expect(maxAbsDiff(e.embeddings[i]!, e32.embeddings[i]!)).toBeLessThan(1e-5);
  });

  it('genes given as missing are missing-level tokens, distinct from genes left out', async () => {
    const G = sim.genes.length;
    const values = sim.draw(1, new Rng(80, 'nan'));
    const nanGenes = [2, 9, 17, 30];
    const withNaN: Profile = {
      genes: sim.genes,
      values: values.map((x, g) => (nanGenes.includes(g) ? Number.NaN : x)),
      unit: 'log2cpm',
    };
    const keep = sim.genes.map((_, g) => g).filter((g) => !nanGenes.includes(g));
    const without: Profile = {
      genes: keep.map((g) => sim.genes[g]!),
      values: Float32Array.from(keep, (g) => values[g]!),
      unit: 'log2cpm',
    };
    const res = await embed(model, stats, [withNaN, without]);
    expect(res.reports.map((r) => [r.inputGenes, r.missingGenes])).toEqual([
      [G - 4, 4],
      [G - 4, 0],
    ]);
    const diff = maxAbsDiff(res.embeddings[0]!, res.embeddings[1]!);
    expect(diff).toBeGreaterThan(1e-3);
    // missing: 'omit' treats them as absent.
    const omitted = await embed(model, stats, [withNaN], { missing: 'omit' });
    expect(omitted.reports[0]!.missingGenes).toBe(0);
    expect(maxAbsDiff(omitted.embeddings[0]!, res.embeddings[1]!)).toBeLessThan(1e-5);
    // The same tokens built by hand: measured genes at their value level, the NaN genes at level `levels`.
    const T = G;
    const batch: TokenBatch = {
      B: 1,
      T,
      Q: 0,
      geneIds: Int32Array.from([...keep, ...nanGenes]),
      levelIds: Int32Array.from([...keep, ...nanGenes], (g) =>
        nanGenes.includes(g) ? stats.levels : levelOf(stats, Math.fround(zOf(stats, g, values[g]!))),
      ),
      tokenMask: new Float32Array(T).fill(1),
      padded: false,
      queryIds: new Int32Array(0),
    };
    const direct = await tfjsPredictor(model).run(batch);
    expect(maxAbsDiff(res.embeddings[0]!, direct.embedding)).toBeLessThan(1e-5);
  });

  it('a profile whose values are all missing gets the no-information result', async () => {
    const allNaN: Profile = {
      genes: sim.genes.slice(0, 10),
      values: new Float32Array(10).fill(Number.NaN),
      unit: 'counts',
    };
    const { profiles } = heldOut(2, 0.3, 81);
    const e = await embed(model, stats, [profiles[0]!, allNaN, profiles[1]!], { batchSize: 3 });
    expect(e.reports[1]).toEqual({ inputGenes: 0, missingGenes: 10, unknownGenes: [] });
    expect([...e.embeddings[1]!]).toEqual(new Array(model.config.width).fill(0));
    const alone = await embed(model, stats, [profiles[0]!, profiles[1]!]);
    expect(maxAbsDiff(e.embeddings[0]!, alone.embeddings[0]!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(e.embeddings[2]!, alone.embeddings[1]!)).toBeLessThan(1e-5);
    const r = await restore(model, stats, [allNaN], ['G0', 'G20'], { unit: 'z' });
    expect(r.values[0]!.every(Number.isNaN)).toBe(true);
  });

  it('save / load round trip gives identical outputs', async () => {
    const dir = tmp();
    saveModel(dir, model, stats, { trainingLog: trained.log.text(), metrics: { ...trained.metrics } });
    const loaded = loadCheckpoint(dir);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.stats.genes).toEqual(stats.genes);
    expect([...loaded.stats.mean]).toEqual([...stats.mean]);
    expect(loaded.metrics?.bestValLoss).toBe(trained.metrics.bestValLoss);
    expect(loaded.trainingLog?.split('\n')[0]).toContain('"type":"start"');
    const card = readFileSync(path.join(dir, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('# GexBERT model card');
    expect(card).toContain('Best validation restoration loss');
    const { profiles } = heldOut(7, 0.4, 79);
    const a = await restore(model, stats, profiles, sim.genes, { unit: 'z' });
    const b = await restore(loaded.model, loaded.stats, profiles, sim.genes, { unit: 'z' });
    expect(b.values).toEqual(a.values);
    const ea = await embed(model, stats, profiles);
    const eb = await embed(loaded.model, loaded.stats, profiles);
    expect(eb.embeddings).toEqual(ea.embeddings);
    loaded.model.dispose();

    const bin = readFileSync(path.join(dir, 'weights.bin'));
    bin[10] = bin[10]! ^ 0xff;
    writeFileSync(path.join(dir, 'weights.bin'), bin);
    expect(() => loadCheckpoint(dir)).toThrow(/checksum/);
  });
});
