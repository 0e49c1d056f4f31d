import { describe, expect, it } from 'vitest';
import { adjustBH } from '../../src/differential/index.ts';
import { expectAllClose } from './fixtures.ts';
import { stadRef } from './stad.ts';

describe('Benjamini-Hochberg adjustment', () => {
  it('a small vector by hand, NA left out of the count', () => {
    // n = 5 tests: sorted p 0.005, 0.01, 0.03, 0.04, 0.5 -> 5p/rank 0.025, 0.025, 0.05, 0.05, 0.5.
    const adjusted = adjustBH([0.01, 0.04, 0.03, 0.005, Number.NaN, 0.5]);
    expect(Array.from(adjusted.subarray(0, 4))).toEqual([0.025, 0.05, 0.05, 0.025]);
    expect(adjusted[4]).toBeNaN();
    expect(adjusted[5]).toBe(0.5);
  });

  it('caps at one and keeps ties', () => {
    expect(Array.from(adjustBH([0.9, 0.9, 0.95]))).toEqual([0.95, 0.95, 0.95]);
    expect(Array.from(adjustBH([1, 1]))).toEqual([1, 1]);
  });

  it("reproduces R's p.adjust on the fixture's p-values", () => {
    for (const [label, p, adj] of [
      ['limma', stadRef.limma.P, stadRef.limma.adjP],
      ['welch', stadRef.welch.P, stadRef.welch.adjP],
      ['wilcoxon', stadRef.wilcoxon.P, stadRef.wilcoxon.adjP],
    ] as const) {
      expectAllClose(adjustBH(p), adj, 1e-14, label);
    }
  });
});
