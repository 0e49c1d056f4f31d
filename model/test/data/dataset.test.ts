import { describe, expect, it } from 'vitest';
import {
  combineCounts,
  genesWithMeanCount,
  log2Cpm,
  parseCountTsv,
  randomGenePanel,
  topVariableGenes,
} from '../../src/data/dataset.ts';
import {
  applyStandardizer,
  fitStandardizer,
  fromRows,
  stratifiedKFold,
  stratifiedSplit,
} from '../../src/stats/index.ts';

const tsv = '\tS1\tS2\nG1\t1\t0\nG2\t3\t6\nG3\t0\t2\n';

describe('count tables', () => {
  it('parses a genes x samples TSV and computes log2(CPM + 1) per sample', () => {
    const table = parseCountTsv(tsv);
    expect(table.sampleIds).toEqual(['S1', 'S2']);
    expect(table.geneIds).toEqual(['G1', 'G2', 'G3']);
    expect(Array.from(table.counts)).toEqual([1, 0, 3, 6, 0, 2]);
    const data = log2Cpm(table, ['A', 'B']);
    // S1: library 4 -> CPM 250000, 750000, 0; S2: library 8 -> 0, 750000, 250000.
    expect(data.values.rows).toBe(2);
    expect(data.values.cols).toBe(3);
    const expected = [Math.log2(250001), Math.log2(750001), 0, 0, Math.log2(750001), Math.log2(250001)];
    Array.from(data.values.data).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 10);
    });
    expect(genesWithMeanCount(table, 1)).toEqual([1, 2]);
  });

  it('rejects a ragged line or a value that is not a count, naming the line, column and fix', () => {
    expect(() => parseCountTsv('\tS1\tS2\nG1\t1\t0\nG2\t3\n')).toThrow(
      /^line 3: 1 values for 2 samples in the header; every line needs a gene ID and one tab-separated count per sample$/,
    );
    for (const bad of ['NA', '-1', '', 'x'])
      expect(() => parseCountTsv(`\tS1\tS2\nG1\t1\t${bad}\n`), bad).toThrow(
        `line 2, column 3: "${bad}" is not a count; give raw read counts (non-negative numbers)`,
      );
  });

  it('combines tables with the same genes and rejects different genes', () => {
    const a = parseCountTsv(tsv);
    const b = parseCountTsv('\tS3\nG1\t5\nG2\t6\nG3\t7\n');
    const { counts, labels } = combineCounts([
      { table: a, label: 'A' },
      { table: b, label: 'B' },
    ]);
    expect(labels).toEqual(['A', 'A', 'B']);
    expect(Array.from(counts.counts)).toEqual([1, 0, 5, 3, 6, 6, 0, 2, 7]);
    const c = parseCountTsv('\tS4\nG1\t5\nG9\t6\nG3\t7\n');
    expect(() =>
      combineCounts([
        { table: a, label: 'A' },
        { table: c, label: 'C' },
      ]),
    ).toThrow(/gene ids/);
  });
});

describe('splits and panels', () => {
  const labels = [...Array(30).fill('a'), ...Array(20).fill('b'), ...Array(10).fill('c')] as string[];

  it('stratified split keeps class proportions, is seeded and partitions the samples', () => {
    const split = stratifiedSplit(labels, 0.3, 1);
    const count = (rows: number[], c: string) => rows.filter((i) => labels[i] === c).length;
    expect([count(split.test, 'a'), count(split.test, 'b'), count(split.test, 'c')]).toEqual([9, 6, 3]);
    expect([...split.train, ...split.test].sort((x, y) => x - y)).toEqual(labels.map((_, i) => i));
    expect(stratifiedSplit(labels, 0.3, 1)).toEqual(split);
    expect(stratifiedSplit(labels, 0.3, 2).test).not.toEqual(split.test);
  });

  it('stratified k-fold gives disjoint folds covering every sample once', () => {
    const folds = stratifiedKFold(labels, 5, 3);
    const seen = new Array<number>(labels.length).fill(0);
    for (const fold of folds) {
      for (const i of fold.test) seen[i]!++;
      expect(fold.train.length + fold.test.length).toBe(labels.length);
      expect(fold.test.filter((i) => labels[i] === 'c').length).toBe(2);
    }
    expect(seen.every((s) => s === 1)).toBe(true);
  });

  it('random gene panels are distinct, seeded draws', () => {
    const panel = randomGenePanel(100, 16, 5);
    expect(new Set(panel).size).toBe(16);
    expect(panel.every((g) => g >= 0 && g < 100)).toBe(true);
    expect(randomGenePanel(100, 16, 5)).toEqual(panel);
    expect(randomGenePanel(100, 16, 6)).not.toEqual(panel);
    expect(() => randomGenePanel(10, 11, 0)).toThrow(RangeError);
  });
});

describe('gene filtering and standardisation', () => {
  const values = fromRows([
    [1, 10, 5],
    [3, 10, 5],
    [5, 10, 50],
    [100, 10, -50],
  ]);

  it('standardiser uses only the training rows', () => {
    const s = fitStandardizer(values, [0, 1, 2]);
    expect(Array.from(s.mean)).toEqual([3, 10, 20]);
    expect(s.sd[0]).toBeCloseTo(2, 12);
    expect(s.sd[1]).toBe(1); // constant gene
    const z = applyStandardizer(values, s);
    expect(z.data[0]).toBeCloseTo(-1, 12);
    expect(z.data[9]).toBeCloseTo(97 / 2, 12);
    expect(z.data[1]).toBe(0);
  });

  it('top variable genes are computed on the given rows', () => {
    const data = {
      sampleIds: ['1', '2', '3', '4'],
      geneIds: ['g0', 'g1', 'g2'],
      labels: ['a', 'a', 'b', 'b'],
      values,
    };
    expect(topVariableGenes(data, 2)).toEqual([0, 2]);
    expect(topVariableGenes(data, 1, [0, 1, 2])).toEqual([2]);
    expect(topVariableGenes(data, 3, [0, 1])).toEqual([0, 1, 2]);
  });
});
