import { describe, expect, it } from 'vitest';
import {
  averageLinkage,
  clusterVectors,
  columnsOf,
  distanceMatrix,
  rowZScores,
} from '../../src/cluster/hierarchical.ts';
import { bruteForce, mergeMembers } from './textbook.ts';

describe('average-linkage clustering', () => {
  it('clusters points on a line as worked out by hand', () => {
    // 0, 1, 5, 11: {0,1} at 1; {0,1}+{5} at (5 + 4) / 2 = 4.5; + {11} at (11 + 10 + 6) / 3 = 9
    const points = [[11], [0], [5], [1]];
    const { order, merges } = clusterVectors(points, 'euclidean');
    expect(merges.map((m) => m.height)).toEqual([1, 4.5, 9]);
    expect(merges.map((m) => m.size)).toEqual([2, 3, 4]);
    expect(mergeMembers(order, merges)).toEqual([
      [1, 3],
      [1, 2, 3],
      [0, 1, 2, 3],
    ]);
    // a dendrogram order: each merge's leaves are next to each other
    expect(order.indexOf(0) === 0 || order.indexOf(0) === 3).toBe(true);
    expect(Math.abs(order.indexOf(1) - order.indexOf(3))).toBe(1);
  });

  it('agrees with the textbook algorithm on 1 - Pearson of z-scored rows', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const rows = Array.from({ length: 30 }, (_, g) =>
      Array.from({ length: 12 }, (_, j) => (g % 3 === 0 ? j : g % 3 === 1 ? -j : 0) + 4 * random()),
    );
    for (const vectors of [rowZScores(rows), columnsOf(rowZScores(rows), 12)]) {
      const d = distanceMatrix(vectors, 'pearson');
      const expected = bruteForce(vectors.length, d);
      const { order, merges } = averageLinkage(vectors.length, Float64Array.from(d));
      expect([...order].sort((a, b) => a - b)).toEqual(vectors.map((_, i) => i));
      merges.forEach((m, k) => {
        expect(m.height).toBeCloseTo(expected[k]!.height, 12);
      });
      expect(mergeMembers(order, merges)).toEqual(expected.map((e) => e.members));
    }
  });

  it('z-scores rows over their present values, leaving gaps and constant rows harmless', () => {
    const [z, constant] = rowZScores([
      [1, Number.NaN, 3, 5],
      [2, 2, 2, 2],
    ]);
    expect(Array.from(z!)).toEqual([-1, Number.NaN, 0, 1]);
    expect(Array.from(constant!)).toEqual([0, 0, 0, 0]);
    expect(clusterVectors([[1]], 'euclidean')).toEqual({ order: [0], merges: [] });
  });
});
