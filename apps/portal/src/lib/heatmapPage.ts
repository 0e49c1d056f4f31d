// A heatmap's state, all of it in the URL: /cohorts/<id>/heatmap?genes=…&unit=…&tracks=…&cluster=…&distance=…
// &colour=… (or comparison=<id>&top=<n>: the top genes of a stored comparison by adjusted p-value).
// genes: symbols, aliases, Ensembl or Entrez IDs separated by spaces, commas or new lines; tracks: repeated
// (cancerType, predictedType, riskGroup, clinical attribute names; an empty value alone: none);
// cluster: both | rows | columns | none; distance: pearson | euclidean; colour: z (row z-score) | value.
import type { HeatmapDistance } from '../generated/graphql.ts';

export const CLUSTERINGS = ['both', 'rows', 'columns', 'none'] as const;
export const DISTANCES = ['pearson', 'euclidean'] as const;
export const COLOURINGS = ['z', 'value'] as const;
export const DEFAULT_TRACKS = ['cancerType', 'predictedType', 'riskGroup'];
/** Genes a heatmap takes (typed or from a comparison). */
export const MAX_HEATMAP_GENES = 200;

export interface HeatmapState {
  genes: string[];
  comparison: string | null;
  top: number;
  /** LOG2_CPM or a stored unit; null: the default (LOG2_CPM when the cohort has raw counts). */
  unit: string | null;
  tracks: string[];
  cluster: (typeof CLUSTERINGS)[number];
  distance: (typeof DISTANCES)[number];
  colour: (typeof COLOURINGS)[number];
}

type Params = Record<string, string | string[] | undefined>;
const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const one = (v: string | string[] | undefined) => all(v)[0]?.trim() || undefined;

function choice<T extends string>(value: string | undefined, choices: readonly T[], name: string) {
  if (value === undefined) return { value: choices[0]!, problem: null };
  return (choices as readonly string[]).includes(value)
    ? { value: value as T, problem: null }
    : { value: choices[0]!, problem: `${name} must be ${choices.join(', ')}; not "${value}"` };
}

/** A typed or pasted gene list: names split at spaces, commas, semicolons and new lines, repeats dropped. */
export function geneList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
}

/** The state from the search parameters, and the first problem that makes them unusable (if any). */
export function parseHeatmapState(params: Params): { state: HeatmapState; problem: string | null } {
  const cluster = choice(one(params.cluster), CLUSTERINGS, 'cluster');
  const distance = choice(one(params.distance), DISTANCES, 'distance');
  const colour = choice(one(params.colour), COLOURINGS, 'colour');
  const topText = one(params.top);
  const top = topText === undefined ? 50 : Number(topText);
  const genes = geneList(all(params.genes).join(' '));
  const state: HeatmapState = {
    genes,
    comparison: one(params.comparison) ?? null,
    top: Number.isInteger(top) ? top : 50,
    unit: one(params.unit) ?? null,
    tracks: params.tracks === undefined ? DEFAULT_TRACKS : [...new Set(all(params.tracks).filter(Boolean))],
    cluster: cluster.value,
    distance: distance.value,
    colour: colour.value,
  };
  const problem =
    cluster.problem ??
    distance.problem ??
    colour.problem ??
    (!Number.isInteger(top) || top < 2 || top > MAX_HEATMAP_GENES
      ? `top must be a whole number from 2 to ${MAX_HEATMAP_GENES}; not "${topText}"`
      : genes.length > MAX_HEATMAP_GENES
        ? `at most ${MAX_HEATMAP_GENES} genes; this list has ${genes.length}`
        : null);
  return { state, problem };
}

/** The heatmap's URL for a state (defaults left out). */
export function heatmapHref(cohortId: string, state: Partial<HeatmapState>, path = 'heatmap'): string {
  const params = new URLSearchParams();
  if (state.genes?.length) params.set('genes', state.genes.join(' '));
  if (state.comparison) params.set('comparison', state.comparison);
  if (state.comparison && state.top !== undefined) params.set('top', String(state.top));
  if (state.unit) params.set('unit', state.unit);
  if (state.tracks && state.tracks.join() !== DEFAULT_TRACKS.join()) {
    if (state.tracks.length === 0) params.append('tracks', '');
    for (const track of state.tracks) params.append('tracks', track);
  }
  if (state.cluster && state.cluster !== 'both') params.set('cluster', state.cluster);
  if (state.distance && state.distance !== 'pearson') params.set('distance', state.distance);
  if (state.colour && state.colour !== 'z') params.set('colour', state.colour);
  const query = params.toString();
  return `/cohorts/${encodeURIComponent(cohortId)}/${path}${query ? `?${query}` : ''}`;
}

/** The API's clustering arguments of a state. */
export function clusterArgs(state: HeatmapState) {
  return {
    clusterRows: state.cluster === 'both' || state.cluster === 'rows',
    clusterColumns: state.cluster === 'both' || state.cluster === 'columns',
    distance: state.distance.toUpperCase() as HeatmapDistance,
  };
}
