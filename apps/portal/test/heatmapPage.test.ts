// The heatmap's pure pieces: its URL state (a link made from a state opens the same state; defaults; one
// clear problem per bad choice), pasted gene lists, colour runs and the dendrogram path, worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  colourOf,
  colourRuns,
  dendrogramPath,
  heatmapTsv,
  trackColours,
  zScale,
} from '../src/lib/heatmapFigure.ts';
import { DEFAULT_TRACKS, geneList, heatmapHref, parseHeatmapState } from '../src/lib/heatmapPage.ts';

/** The state a URL opens, as the page reads it (repeated parameters as lists). */
function opened(href: string) {
  const query = new URL(href, 'http://portal').searchParams;
  return parseHeatmapState(Object.fromEntries([...new Set(query.keys())].map((k) => [k, query.getAll(k)])));
}

describe('heatmap URL', () => {
  it('opens the same view from a copied link', () => {
    const state = {
      genes: ['TP53', 'ENSG00000177455', '7157'],
      comparison: null,
      top: 50,
      unit: 'RAW_COUNT',
      tracks: ['cancerType', 'vital_status'],
      cluster: 'rows' as const,
      distance: 'euclidean' as const,
      colour: 'value' as const,
    };
    const href = heatmapHref('3', state);
    expect(href).toBe(
      '/cohorts/3/heatmap?genes=TP53+ENSG00000177455+7157&unit=RAW_COUNT&tracks=cancerType&tracks=vital_status&cluster=rows&distance=euclidean&colour=value',
    );
    expect(opened(href)).toEqual({ state, problem: null });
    const none = { ...state, tracks: [] };
    expect(opened(heatmapHref('3', none))).toEqual({ state: none, problem: null });
    const comparison = { ...state, genes: [], comparison: '12', top: 20 };
    expect(opened(heatmapHref('3', comparison))).toEqual({ state: comparison, problem: null });
  });

  it('has defaults and names a bad choice', () => {
    expect(parseHeatmapState({}).state).toMatchObject({
      tracks: DEFAULT_TRACKS,
      cluster: 'both',
      colour: 'z',
    });
    expect(parseHeatmapState({ cluster: 'all' }).problem).toBe(
      'cluster must be both, rows, columns, none; not "all"',
    );
    expect(parseHeatmapState({ comparison: '2', top: '500' }).problem).toBe(
      'top must be a whole number from 2 to 200; not "500"',
    );
    expect(geneList('TP53, ESR1;\nGATA3\tTP53  ')).toEqual(['TP53', 'ESR1', 'GATA3']);
  });
});

describe('heatmap figure', () => {
  it('colours z-scores in nine bins from -3 to 3 and merges equal neighbours', () => {
    const scale = zScale();
    expect([-5, -3, -0.1, 0.1, 2.99, 9].map((z) => colourOf(scale, z))).toEqual([
      '#2166ac',
      '#2166ac',
      '#f7f7f7',
      '#f7f7f7',
      '#b2182b',
      '#b2182b',
    ]);
    expect(colourOf(scale, null)).toBe('#d9d9d9');
    expect(colourRuns(['a', 'a', 'b', 'a'])).toEqual([
      [0, 2, 'a'],
      [2, 1, 'b'],
      [3, 1, 'a'],
    ]);
  });

  it('tells 20 categories apart, and the tracks drawn together from each other', () => {
    const types = Array.from({ length: 20 }, (_, i) => `T${String(i).padStart(2, '0')}`);
    const { colours, legend } = trackColours('CATEGORICAL', [...types, null]);
    expect(new Set(colours.slice(0, 20)).size).toBe(20);
    expect(colours[20]).toBe('#ffffff');
    expect(legend.map((l) => l.label)).toEqual(types);
    const next = trackColours('CATEGORICAL', ['Alive', 'Dead'], 2);
    expect(next.colours).toEqual([colours[2], colours[3]]);
  });

  it('colours a type alike in the recorded and the predicted type tracks', () => {
    const shared = ['CHOL', 'DLBC', 'unknown'];
    const recorded = trackColours('CATEGORICAL', ['DLBC', 'CHOL', 'DLBC'], 0, shared);
    const predicted = trackColours('CATEGORICAL', ['DLBC', 'DLBC', 'unknown', null], 0, shared);
    expect(predicted.colours.slice(0, 2)).toEqual([recorded.colours[0], recorded.colours[0]]);
    expect(new Set([...recorded.colours, predicted.colours[2]]).size).toBe(3);
    expect(predicted.colours[3]).toBe('#ffffff');
    // each legend lists its own categories, in the shared colours
    expect(predicted.legend).toEqual([
      { label: 'DLBC', colour: recorded.colours[0] },
      { label: 'unknown', colour: predicted.colours[2] },
    ]);
  });

  it('draws a dendrogram over the leaves as displayed', () => {
    // leaves 0 and 1 at height 1, then with leaf 2 at height 2 (the top)
    const path = dendrogramPath({ left: [0, 2], right: [1, 3], height: [1, 2] }, (p, h) => [
      p * 10,
      100 - h * 100,
    ]);
    expect(path).toBe('M5,100L5,50L15,50L15,100M25,100L25,0L10,0L10,50');
  });

  it('writes the matrix as TSV in the displayed order', () => {
    expect(
      heatmapTsv({
        genes: [{ ensemblId: 'ENSG1', symbol: 'A' }, { ensemblId: 'ENSG2' }],
        barcodes: ['s1', 's2'],
        values: [1.5, null, 0, 2],
      }),
    ).toBe('gene\tensembl_id\ts1\ts2\nA\tENSG1\t1.5\t\n\tENSG2\t0\t2\n');
  });
});
