// A gene page's state, all of it in the URL: /cohorts/<id>/genes/<gene>?unit=…&split=…&cutoff=…&by=…
// unit: LOG2_CPM (log2(CPM + 1) of raw counts) or a stored unit; split: median | quartiles | cutoff (with
// cutoff=<value in the unit>); by: cancerType | sampleType (the box plots' groups).
import type { ExpressionUnit, GeneMatchKind, GeneSplit, ValueTransform } from '../generated/graphql.ts';

export const SPLITS = ['median', 'quartiles', 'cutoff'] as const;
export const GROUPINGS = ['cancerType', 'sampleType'] as const;
export type Split = (typeof SPLITS)[number];
export type Grouping = (typeof GROUPINGS)[number];

export interface GenePageState {
  /** LOG2_CPM or a stored unit; null: the default (LOG2_CPM when the cohort has raw counts). */
  unit: string | null;
  split: Split;
  cutoff: number | null;
  by: Grouping;
}

/** A unit choice: what the API is asked for, and its label. */
export interface Scale {
  param: string;
  unit: ExpressionUnit;
  transform: ValueTransform;
  label: string;
}

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

/** The state from the search parameters, or the one problem that makes them unusable. */
export function parseGenePageState(params: Params): { state: GenePageState; problem: string | null } {
  const split = one(params.split) ?? 'median';
  const by = one(params.by) ?? 'cancerType';
  const cutoffText = one(params.cutoff);
  const cutoff = cutoffText === undefined ? null : Number(cutoffText);
  const state: GenePageState = {
    unit: one(params.unit) ?? null,
    split: (SPLITS as readonly string[]).includes(split) ? (split as Split) : 'median',
    cutoff: cutoff !== null && Number.isFinite(cutoff) ? cutoff : null,
    by: (GROUPINGS as readonly string[]).includes(by) ? (by as Grouping) : 'cancerType',
  };
  let problem: string | null = null;
  if (state.split !== split) problem = `split must be ${SPLITS.join(', ')}; not "${split}"`;
  else if (state.by !== by) problem = `by must be ${GROUPINGS.join(' or ')}; not "${by}"`;
  else if (cutoffText !== undefined && state.cutoff === null)
    problem = `the cut-off must be a number; not "${cutoffText}"`;
  else if (state.split === 'cutoff' && state.cutoff === null)
    problem = 'a cut-off split needs a cut-off: give one in the unit shown';
  return { state, problem };
}

const unitLabel = (unit: string) => unit.toLowerCase().replaceAll('_', ' ');

/** The unit choices a cohort with these stored units offers: log2(CPM + 1) first when it has raw counts. */
export function scalesOf(stored: readonly ExpressionUnit[]): Scale[] {
  const asStored = stored.map((unit) => ({
    param: unit,
    unit,
    transform: 'NONE' as const,
    label: unitLabel(unit),
  }));
  return stored.includes('RAW_COUNT')
    ? [{ param: 'LOG2_CPM', unit: 'RAW_COUNT', transform: 'LOG2_CPM', label: 'log2(CPM + 1)' }, ...asStored]
    : asStored;
}

/** The API's name of a split. */
export const apiSplit = (split: Split): GeneSplit => split.toUpperCase() as GeneSplit;

/** The gene page's URL for a state (defaults left out). */
export function genePageHref(cohortId: string, gene: string, state: Partial<GenePageState>): string {
  const params = new URLSearchParams();
  if (state.unit) params.set('unit', state.unit);
  if (state.split && state.split !== 'median') params.set('split', state.split);
  if (state.cutoff !== null && state.cutoff !== undefined) params.set('cutoff', String(state.cutoff));
  if (state.by && state.by !== 'cancerType') params.set('by', state.by);
  const query = params.toString();
  return `/cohorts/${encodeURIComponent(cohortId)}/genes/${encodeURIComponent(gene)}${query ? `?${query}` : ''}`;
}

/** The matches that name the text exactly (not by prefix): one gene, or every gene an alias names. */
export function exactMatches<M extends { matchedBy: GeneMatchKind }>(matches: readonly M[]): M[] {
  return matches.filter((m) => m.matchedBy !== 'PREFIX');
}
