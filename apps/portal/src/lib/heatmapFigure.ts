// The heatmap figure's maths: colour scales (row z-score: blue–white–red, clamped at ±3; values: light to
// dark), runs of equal colour per row (one rectangle each), dendrogram paths and track colours.
import { OKABE_ITO } from './palette.ts';

export const MISSING = '#d9d9d9';
const DIVERGING = [
  '#2166ac',
  '#4393c3',
  '#92c5de',
  '#d1e5f0',
  '#f7f7f7',
  '#fddbc7',
  '#f4a582',
  '#d6604d',
  '#b2182b',
];
const SEQUENTIAL = [
  '#fff7ec',
  '#fee8c8',
  '#fdd49e',
  '#fdbb84',
  '#fc8d59',
  '#ef6548',
  '#d7301f',
  '#b30000',
  '#7f0000',
];

/**
 * Track categories: the plots' Okabe-Ito colours, then twelve more (Tableau 20's lighter and darker hues), so
 * up to 20 categories (e.g. cancer types) of the tracks drawn together are told apart; more cycle.
 */
const TRACK_PALETTE = [
  ...OKABE_ITO,
  '#8c564b',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#9edae5',
];
const trackColour = (index: number) => TRACK_PALETTE[index % TRACK_PALETTE.length]!;

/** A colour scale of equal-width bins from `low` to `high` (values outside take the end colours). */
export interface ColourScale {
  low: number;
  high: number;
  colours: readonly string[];
  label: string;
}

export function zScale(): ColourScale {
  return { low: -3, high: 3, colours: DIVERGING, label: 'row z-score' };
}

export function valueScale(values: readonly (number | null)[], unitLabel: string): ColourScale {
  const present = values.filter((v): v is number => v !== null);
  const low = present.length ? Math.min(...present) : 0;
  const high = present.length ? Math.max(...present) : 1;
  return { low, high: high > low ? high : low + 1, colours: SEQUENTIAL, label: unitLabel };
}

export function colourOf(scale: ColourScale, value: number | null): string {
  if (value === null) return MISSING;
  const k = Math.floor(((value - scale.low) / (scale.high - scale.low)) * scale.colours.length);
  return scale.colours[Math.min(scale.colours.length - 1, Math.max(0, k))]!;
}

/** One row's cells as runs of equal colour: [first column, length, colour]. */
export function colourRuns(colours: readonly string[]): [number, number, string][] {
  const runs: [number, number, string][] = [];
  colours.forEach((colour, c) => {
    const last = runs.at(-1);
    if (last && last[2] === colour) last[1]++;
    else runs.push([c, 1, colour]);
  });
  return runs;
}

/**
 * A dendrogram as one SVG path: leaves at positions 0..n-1 (drawn at position + 0.5), merge heights scaled
 * to `depth` (0 at the leaves). `at(position, height)` maps to [x, y] for either orientation.
 */
export function dendrogramPath(
  tree: { left: number[]; right: number[]; height: number[] },
  at: (position: number, height: number) => [number, number],
): string {
  const n = tree.left.length + 1;
  const max = Math.max(...tree.height, 1e-12);
  const nodes: [number, number][] = Array.from({ length: n }, (_, p) => [p + 0.5, 0]);
  const parts: string[] = [];
  const point = (p: number, h: number) =>
    at(p, h)
      .map((v) => Math.round(v * 10) / 10)
      .join(',');
  tree.left.forEach((left, k) => {
    const [xl, hl] = nodes[left]!;
    const [xr, hr] = nodes[tree.right[k]!]!;
    const h = tree.height[k]! / max;
    parts.push(`M${point(xl, hl)}L${point(xl, h)}L${point(xr, h)}L${point(xr, hr)}`);
    nodes.push([(xl + xr) / 2, h]);
  });
  return parts.join('');
}

/**
 * A track's colour per value and its legend: categories sorted, coloured from palette entry `offset` on (so
 * tracks drawn together differ), numbers in grey. `shared` (sorted) colours categories by their place in it
 * instead, so two tracks of the same categories (recorded and predicted cancer type) colour a type alike.
 */
export function trackColours(
  type: string,
  values: readonly (string | null)[],
  offset = 0,
  shared?: readonly string[],
) {
  if (type === 'NUMERIC') {
    const numbers = values.map((v) => (v === null ? null : Number(v)));
    const scale: ColourScale = {
      ...valueScale(numbers, ''),
      colours: ['#f0f0f0', '#d9d9d9', '#bdbdbd', '#969696', '#737373', '#525252', '#252525'],
    };
    return {
      colours: numbers.map((v) => (v === null || Number.isNaN(v) ? '#ffffff' : colourOf(scale, v))),
      legend: [
        { label: `${formatNumber(scale.low)}`, colour: scale.colours[0]! },
        { label: `${formatNumber(scale.high)}`, colour: scale.colours.at(-1)! },
      ],
    };
  }
  const categories = [...new Set(values.filter((v): v is string => v !== null))].sort();
  const index = new Map((shared ?? categories).map((c, i) => [c, i]));
  const colour = (c: string) => trackColour(offset + index.get(c)!);
  return {
    colours: values.map((v) => (v === null ? '#ffffff' : colour(v))),
    legend: categories.map((c) => ({ label: c, colour: colour(c) })),
  };
}

const formatNumber = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/** The matrix as TSV: one line per gene (symbol, Ensembl ID, then a value per sample, as displayed). */
export function heatmapTsv(heatmap: {
  genes: { ensemblId: string; symbol?: string | null }[];
  barcodes: string[];
  values: (number | null)[];
}): string {
  const m = heatmap.barcodes.length;
  const lines = [['gene', 'ensembl_id', ...heatmap.barcodes].join('\t')];
  heatmap.genes.forEach((g, r) => {
    const row = heatmap.values.slice(r * m, (r + 1) * m).map((v) => (v === null ? '' : String(v)));
    lines.push([g.symbol ?? '', g.ensemblId, ...row].join('\t'));
  });
  return `${lines.join('\n')}\n`;
}
