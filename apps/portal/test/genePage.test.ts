// The gene page's pure pieces: its URL state (defaults, one clear problem per bad choice), the unit choices
// a cohort offers, and the box and violin statistics (quartiles of type 7, Tukey whiskers, the bw.nrd0
// bandwidth), checked against values worked out by hand.
import { describe, expect, it } from 'vitest';
import { bandwidth, boxStats, density } from '../src/lib/distribution.ts';
import { genePageHref, parseGenePageState, scalesOf } from '../src/lib/genePage.ts';

describe('gene page URL', () => {
  it('reads every choice from the URL, with defaults', () => {
    expect(parseGenePageState({})).toEqual({
      state: { unit: null, split: 'median', cutoff: null, by: 'cancerType' },
      problem: null,
    });
    expect(parseGenePageState({ unit: 'RSEM', split: 'cutoff', cutoff: '4.5', by: 'sampleType' })).toEqual({
      state: { unit: 'RSEM', split: 'cutoff', cutoff: 4.5, by: 'sampleType' },
      problem: null,
    });
    expect(
      genePageHref('3', 'TP53', { unit: 'LOG2_CPM', split: 'cutoff', cutoff: 4.5, by: 'sampleType' }),
    ).toBe('/cohorts/3/genes/TP53?unit=LOG2_CPM&split=cutoff&cutoff=4.5&by=sampleType');
    expect(genePageHref('3', 'TP53', { split: 'median', by: 'cancerType' })).toBe('/cohorts/3/genes/TP53');
  });

  it('names the one problem of a bad URL', () => {
    expect(parseGenePageState({ split: 'tertiles' }).problem).toBe(
      'split must be median, quartiles, cutoff; not "tertiles"',
    );
    expect(parseGenePageState({ by: 'stage' }).problem).toMatch(/^by must be cancerType or sampleType/);
    expect(parseGenePageState({ split: 'cutoff' }).problem).toMatch(/needs a cut-off/);
    expect(parseGenePageState({ split: 'cutoff', cutoff: 'high' }).problem).toMatch(/must be a number/);
  });

  it('offers log2(CPM + 1) first when the cohort has raw counts, else its stored units', () => {
    expect(scalesOf(['RAW_COUNT', 'RSEM']).map((s) => [s.param, s.unit, s.transform])).toEqual([
      ['LOG2_CPM', 'RAW_COUNT', 'LOG2_CPM'],
      ['RAW_COUNT', 'RAW_COUNT', 'NONE'],
      ['RSEM', 'RSEM', 'NONE'],
    ]);
    expect(scalesOf(['RSEM']).map((s) => s.param)).toEqual(['RSEM']);
  });
});

describe('box and violin statistics', () => {
  it('gives quartiles, whiskers, outliers and the bandwidth as worked by hand', () => {
    // Sorted 1..10, 30 (n = 11): type 7 puts Q1 at position 2.5 (3.5), the median at 5 (6), Q3 at 7.5 (8.5);
    // IQR 5, so 1.5 IQR reaches 16: the whiskers end at 1 and 10 and 30 is an outlier.
    const stats = boxStats([30, ...Array.from({ length: 10 }, (_, i) => 10 - i)]);
    expect(stats).toEqual({
      n: 11,
      q1: 3.5,
      median: 6,
      q3: 8.5,
      lowerWhisker: 1,
      upperWhisker: 10,
      outliers: [30],
    });
    // 1..10: sd = 3.0276504 < IQR / 1.34 = 3.358, so 0.9 x 3.0276504 x 10^(-1/5) = 1.7192864.
    expect(bandwidth(Array.from({ length: 10 }, (_, i) => i + 1))).toBeCloseTo(1.7192864, 6);
  });

  it("draws the density over the group's range", () => {
    const values = [2, 2.5, 3, 3.2, 4, 4.1, 5, 7];
    const curve = density(values, 200);
    expect(curve[0]!.x).toBe(2);
    expect(curve.at(-1)!.x).toBe(7);
    expect(Math.max(...curve.map((p) => p.y))).toBeGreaterThan(0);
  });
});
