// The pretraining task's masks: a fixed fraction by default, a per-sample draw with `maskFractionMax`.
import { describe, expect, it } from 'vitest';
import { makeConfig, maskedCount } from '../../../src/gexbert/architecture/config.ts';
import { BatchSampler } from '../../../src/gexbert/training/batch.ts';
import { Rng } from '../../../src/random/rng.ts';
import { tinyConfig } from '../helpers.ts';

const V = 24;
const N = 400;

/** N complete samples x V genes of z values. */
function corpus(): Float32Array {
  const rng = new Rng(5);
  return Float32Array.from({ length: N * V }, () => rng.next() * 2 - 1);
}

/** Masked input tokens of each sample of one batch over every sample. */
function maskedPerSample(sampler: BatchSampler, rng: Rng, T: number): number[] {
  const b = sampler.sample(
    Array.from({ length: N }, (_, i) => i),
    rng,
  );
  return Array.from({ length: N }, (_, i) =>
    b.tokenWeight.subarray(i * T, (i + 1) * T).reduce((a, w) => a + w, 0),
  );
}

describe('BatchSampler masks', () => {
  it('masks round(inputGenes x maskFraction) of every sample without maskFractionMax', () => {
    const c = tinyConfig(); // 12 input genes, 25% masked
    const counts = maskedPerSample(new BatchSampler(corpus(), V, c), new Rng(1), c.inputGenes);
    expect(new Set(counts)).toEqual(new Set([maskedCount(c)]));
  });

  it('draws each sample’s fraction from [maskFraction, maskFractionMax] when given', () => {
    const c = tinyConfig({ maskFraction: 0.25, maskFractionMax: 0.9 });
    const counts = maskedPerSample(new BatchSampler(corpus(), V, c), new Rng(1), c.inputGenes);
    const lo = Math.round(12 * 0.25);
    const hi = Math.round(12 * 0.9);
    expect(Math.min(...counts)).toBe(lo);
    expect(Math.max(...counts)).toBe(hi);
    for (let k = lo; k <= hi; k++) expect(counts.filter((n) => n === k).length).toBeGreaterThan(5);
    const mean = counts.reduce((a, n) => a + n, 0) / N;
    expect(mean).toBeGreaterThan(12 * 0.575 - 0.4);
    expect(mean).toBeLessThan(12 * 0.575 + 0.4);
  });

  it('a maskFractionMax equal to maskFraction draws the same batch as none', () => {
    const fixed = new BatchSampler(corpus(), V, tinyConfig()).sample([0, 1, 2, 3], new Rng(9));
    const same = new BatchSampler(corpus(), V, tinyConfig({ maskFractionMax: 0.25 })).sample(
      [0, 1, 2, 3],
      new Rng(9),
    );
    expect(same).toEqual(fixed);
  });
});

describe('BatchSampler input counts', () => {
  it('draws each sample’s input count from [inputGenesMin, inputGenes] when given, padding the rest', () => {
    const c = tinyConfig({ inputGenesMin: 4 }); // 12 input genes, 25% of them masked
    const b = new BatchSampler(corpus(), V, c).sample(
      Array.from({ length: N }, (_, i) => i),
      new Rng(2),
    );
    const T = c.inputGenes;
    const inputs = Array.from({ length: N }, (_, i) => b.tokenMask.subarray(i * T, (i + 1) * T));
    const counts = inputs.map((m) => m.reduce((a, x) => a + x, 0));
    expect(Math.min(...counts)).toBe(4);
    expect(Math.max(...counts)).toBe(12);
    for (let k = 4; k <= 12; k++) expect(counts.filter((n) => n === k).length).toBeGreaterThan(10);
    expect(b.padded).toBe(true);
    inputs.forEach((m, i) => {
      const n = counts[i]!;
      expect(Array.from(m.subarray(n)).every((x) => x === 0)).toBe(true); // padding after the inputs
      const masked = b.tokenWeight.subarray(i * T, (i + 1) * T).reduce((a, w) => a + w, 0);
      expect(masked).toBe(maskedCount({ inputGenes: n, maskFraction: 0.25 }));
      const queries = b.queryWeight.subarray(i * c.queryGenes, (i + 1) * c.queryGenes);
      expect(queries.reduce((a, w) => a + w, 0)).toBe(c.queryGenes);
    });
  });

  it('a sample’s query genes are never among its inputs', () => {
    const c = tinyConfig({ inputGenesMin: 2 });
    const b = new BatchSampler(corpus(), V, c).sample([0, 1, 2, 3, 4, 5, 6, 7], new Rng(4));
    for (let i = 0; i < 8; i++) {
      const T = c.inputGenes;
      const used = new Set<number>();
      for (let t = 0; t < T; t++) if (b.tokenMask[i * T + t] === 1) used.add(b.geneIds[i * T + t]!);
      for (let q = 0; q < c.queryGenes; q++) expect(used.has(b.queryIds[i * c.queryGenes + q]!)).toBe(false);
    }
  });
});

describe('maskFractionMax and inputGenesMin in the config', () => {
  it('is optional, and refused below maskFraction or at 1', () => {
    expect(makeConfig().maskFractionMax).toBeUndefined();
    expect(makeConfig({ maskFraction: 0.2, maskFractionMax: 0.9 }).maskFractionMax).toBe(0.9);
    expect(() => makeConfig({ maskFraction: 0.3, maskFractionMax: 0.2 })).toThrow(
      /must not be below maskFraction/,
    );
    expect(() => makeConfig({ maskFractionMax: 1 })).toThrow(/maskFractionMax must be a number below 1/);
  });

  it('inputGenesMin is optional, an integer from 1 to inputGenes', () => {
    expect(makeConfig().inputGenesMin).toBeUndefined();
    expect(makeConfig({ inputGenesMin: 8 }).inputGenesMin).toBe(8);
    expect(() => makeConfig({ inputGenesMin: 200 })).toThrow(/must not exceed inputGenes/);
    expect(() => makeConfig({ inputGenesMin: 0.5 })).toThrow(/inputGenesMin must be an integer >= 1/);
  });
});
