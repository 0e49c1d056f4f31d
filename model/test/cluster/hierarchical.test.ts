import { describe, expect, it } from 'vitest';
import {
  averageLinkage,
  clusterVectors,
  columnsOf,
  distanceMatrix,
  rowZScores,
} from '../../src/cluster/hierarchical.ts';

/**
 * Average linkage the slow way, as a textbook states it: merge the two clusters whose members' mean pairwise
 * distance (from the original distances) is smallest; the merge heights, lowest first, and each merge's members.
 */
function bruteForce(n: number, d: Float64Array): { height: number; members: number[] }[] {
  let clusters = Array.from({ length: n }, (_, i) => [i]);
  const out: { height: number; members: number[] }[] = [];
  while (clusters.length > 1) {
    let best = { p: 0, q: 1, mean: Number.POSITIVE_INFINITY };
    for (let p = 0; p < clusters.length; p++)
      for (let q = p + 1; q < clusters.length; q++) {
        let sum = 0;
        for (const i of clusters[p]!) for (const j of clusters[q]!) sum += d[i * n + j]!;
        const mean = sum / (clusters[p]!.length * clusters[q]!.length);
        if (mean < best.mean) best = { p, q, mean };
      }
    const merged = [...clusters[best.p]!, ...clusters[best.q]!].sort((a, b) => a - b);
    out.push({ height: best.mean, members: merged });
    clusters = [...clusters.filter((_, k) => k !== best.p && k !== best.q), merged];
  }
  return out;
}

/** The leaves under each merge of a clustering (in its items' numbering). */
function mergeMembers(order: number[], merges: { left: number; right: number }[]): number[][] {
  const n = order.length;
  const under: number[][] = [];
  const leaves = (x: number): number[] => (x < n ? [order[x]!] : under[x - n]!);
  for (const m of merges) under.push([...leaves(m.left), ...leaves(m.right)].sort((a, b) => a - b));
  return under;
}

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
