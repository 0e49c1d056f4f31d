import { describe, expect, it } from 'vitest';
import {
  type ExpressionMatrix,
  fitNormaliser,
  fromZ,
  levelCentre,
  levelOf,
  matrixToZ,
  profileToZ,
  selectVocabulary,
  toLog2Cpm,
} from '../../../src/gexbert/inference/normalise.ts';

const counts: ExpressionMatrix = {
  genes: ['A', 'B', 'C', 'D'],
  nSamples: 3,
  // library sizes 1e6, 2e6, 1e6
  values: Float32Array.from(
    [
      [500_000, 300_000, 200_000, 0],
      [400_000, 1_000_000, 600_000, 0],
      [100_000, 100_000, 800_000, 0],
    ].flat(),
  ),
  unit: 'counts',
};

describe('normalisation', () => {
  it('counts -> log2(CPM + 1) uses the profile total', () => {
    const lc = toLog2Cpm(Float32Array.from([1, 3, Number.NaN]), 'counts');
    expect(lc[0]).toBeCloseTo(Math.log2(250_000 + 1), 4);
    expect(lc[1]).toBeCloseTo(Math.log2(750_000 + 1), 4);
    expect(Number.isNaN(lc[2]!)).toBe(true);
    expect(toLog2Cpm(Float32Array.from([3]), 'cpm')[0]).toBeCloseTo(2, 6);
  });

  it('fits per-gene mean and sd and inverts them', () => {
    const stats = fitNormaliser(counts, ['C', 'A'], { levels: 8, zRange: 3 });
    const lcA = [500_000, 200_000, 100_000].map((x) => Math.log2(x + 1));
    const mA = lcA.reduce((a, b) => a + b) / 3;
    const sdA = Math.sqrt(lcA.reduce((a, b) => a + (b - mA) ** 2, 0) / 2);
    expect(stats.genes).toEqual(['C', 'A']);
    expect(stats.mean[1]).toBeCloseTo(mA, 4);
    expect(stats.sd[1]).toBeCloseTo(sdA, 4);
    const z = matrixToZ(stats, counts);
    expect(z[1]).toBeCloseTo((lcA[0]! - mA) / sdA, 4);
    expect(fromZ(stats, 1, z[1]!)).toBeCloseTo(lcA[0]!, 4);
    expect(fromZ(stats, 1, z[1]!, 'cpm')).toBeCloseTo(500_000, -1);
  });

  it('bins z over [-zRange, zRange] with a missing level', () => {
    const s = { levels: 6, zRange: 3 };
    expect([-10, -3, -2.01, -0.5, 0, 0.99, 2.99, 3, 10].map((z) => levelOf(s, z))).toEqual([
      0, 0, 0, 2, 3, 3, 5, 5, 5,
    ]);
    expect(levelOf(s, Number.NaN)).toBe(6);
    expect(levelCentre(s, 0)).toBeCloseTo(-2.5);
    expect(levelCentre(s, 5)).toBeCloseTo(2.5);
    for (let l = 0; l < 6; l++) expect(levelOf(s, levelCentre(s, l))).toBe(l);
  });

  it('selects the most variable eligible genes', () => {
    const m: ExpressionMatrix = {
      genes: ['low', 'flat', 'wide', 'mid', 'nan'],
      nSamples: 4,
      values: Float32Array.from(
        [
          [0.1, 5, 1, 4, Number.NaN],
          [0.3, 5, 9, 6, Number.NaN],
          [0.0, 5, 2, 5, 1],
          [0.5, 5, 8, 5, Number.NaN],
        ].flat(),
      ),
      unit: 'log2cpm',
    };
    expect(selectVocabulary(m, { k: 10 })).toEqual(['wide', 'mid', 'low']);
    expect(selectVocabulary(m, { k: 1 })).toEqual(['wide']);
    expect(selectVocabulary(m, { k: 10, minMean: 1 })).toEqual(['wide', 'mid']);
    expect(selectVocabulary(m, { k: 10, allowed: new Set(['mid', 'low']) })).toEqual(['mid', 'low']);
  });

  it('maps a profile onto the vocabulary, reporting unknown genes', () => {
    const stats = fitNormaliser(counts, ['A', 'B', 'C'], { levels: 8, zRange: 3 });
    const p = profileToZ(stats, ['B', 'X', 'A', 'A'], Float32Array.from([2, 5, Number.NaN, 3]), 'log2cpm');
    expect(p.unknown).toEqual(['X']);
    expect(p.duplicates).toEqual(['A']);
    expect(Number.isNaN(p.z[0]!)).toBe(true); // A: first value NaN
    expect(p.z[1]).toBeCloseTo((2 - stats.mean[1]!) / stats.sd[1]!, 5);
    expect(Number.isNaN(p.z[2]!)).toBe(true); // C absent
    expect(() => profileToZ(stats, ['A'], new Float32Array(2), 'log2cpm')).toThrow(/1 genes but 2 values/);
  });
});
