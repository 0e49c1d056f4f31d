// The state of the compare page, all of it in the URL: the two groups (a cohort, optionally one cancer type
// and/or sample type each), the method, and the gene table's sort, page size and cursor; so a comparison is
// shared by its link and the table pages with plain links and a GET form.
import type {
  DeMethod,
  GeneDifferenceField,
  GeneDifferenceOrder,
  GroupInput,
  SampleType,
} from '../generated/graphql.ts';
import { isRecordId } from './recordId.ts';

export const METHODS: readonly { param: string; method: DeMethod; label: string }[] = [
  { param: 'limma', method: 'LIMMA', label: 'limma moderated t (log2 CPM + 1)' },
  { param: 'voom', method: 'VOOM', label: 'limma-voom (raw counts, TMM)' },
  { param: 'welch', method: 'WELCH', label: 'Welch t-test (log2 CPM + 1)' },
  { param: 'wilcoxon', method: 'WILCOXON', label: 'Wilcoxon rank-sum (log2 CPM + 1)' },
];

export const SAMPLE_TYPES: readonly SampleType[] = ['TUMOR', 'NORMAL', 'CONTROL', 'OTHER'];

/** The gene table's columns: header, the API field it sorts by, and its URL name. */
export const GENE_COLUMNS: readonly {
  label: string;
  field: GeneDifferenceField;
  param: string;
  numeric?: boolean;
}[] = [
  { label: 'Gene', field: 'SYMBOL', param: 'gene' },
  { label: 'log2 fold change (B − A)', field: 'LOG_FC', param: 'logfc', numeric: true },
  { label: 'Average expression', field: 'AVE_EXPR', param: 'ave', numeric: true },
  { label: 'Statistic', field: 'STATISTIC', param: 'stat', numeric: true },
  { label: 'p-value', field: 'P_VALUE', param: 'p', numeric: true },
  { label: 'Adjusted p (BH)', field: 'ADJ_P_VALUE', param: 'adj-p', numeric: true },
];

export const PAGE_SIZES = [25, 50, 100] as const;
const DEFAULT_SIZE = 25;

export interface GroupChoice {
  cohort: string | null;
  cancerType: string | null;
  sampleType: SampleType | null;
}

export interface CompareState {
  a: GroupChoice;
  b: GroupChoice;
  method: string;
  sort: string;
  descending: boolean;
  size: number;
  after: string | null;
  /** Rows before this page. */
  offset: number;
}

type Params = Record<string, string | string[] | undefined>;
const one = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

function group(params: Params, key: 'a' | 'b'): GroupChoice {
  const cohort = one(params[key]);
  const cancerType = one(params[`${key}type`])?.trim().slice(0, 50);
  const sampleType = one(params[`${key}sample`]) as SampleType | undefined;
  return {
    cohort: cohort && isRecordId(cohort) ? cohort : null,
    cancerType: cancerType || null,
    sampleType: sampleType && SAMPLE_TYPES.includes(sampleType) ? sampleType : null,
  };
}

/** The page's state from its search parameters; unknown or malformed values fall back to defaults. */
export function parseCompareState(params: Params): CompareState {
  const method = one(params.method);
  const sort = one(params.sort);
  const size = Number(one(params.size));
  const offset = Number(one(params.from));
  return {
    a: group(params, 'a'),
    b: group(params, 'b'),
    method: METHODS.some((m) => m.param === method) ? method! : 'limma',
    sort: GENE_COLUMNS.some((c) => c.param === sort) ? sort! : 'p',
    descending: one(params.dir) === 'desc',
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_SIZE,
    after: one(params.after) || null,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** Both groups have a cohort: there is something to compare. */
export const isComplete = (state: CompareState) => state.a.cohort !== null && state.b.cohort !== null;

function groupInput(g: GroupChoice): GroupInput {
  return {
    cohort: g.cohort!,
    ...(g.cancerType ? { cancerType: g.cancerType } : {}),
    ...(g.sampleType ? { sampleType: g.sampleType } : {}),
  };
}

/** The API's arguments for the state (groups, method, table order and page). */
export function compareArgs(state: CompareState) {
  const column = GENE_COLUMNS.find((c) => c.param === state.sort)!;
  const orderBy: GeneDifferenceOrder = { field: column.field, direction: state.descending ? 'DESC' : 'ASC' };
  return {
    a: groupInput(state.a),
    b: groupInput(state.b),
    method: METHODS.find((m) => m.param === state.method)!.method,
    orderBy,
    first: state.size,
    ...(state.after ? { after: state.after } : {}),
  };
}

/** The query string of a state (defaults left out). */
export function compareQuery(state: CompareState): string {
  const params = new URLSearchParams();
  for (const key of ['a', 'b'] as const) {
    const g = state[key];
    if (g.cohort) params.set(key, g.cohort);
    if (g.cancerType) params.set(`${key}type`, g.cancerType);
    if (g.sampleType) params.set(`${key}sample`, g.sampleType);
  }
  params.set('method', state.method);
  if (state.sort !== 'p') params.set('sort', state.sort);
  if (state.descending) params.set('dir', 'desc');
  if (state.size !== DEFAULT_SIZE) params.set('size', String(state.size));
  if (state.after) params.set('after', state.after);
  if (state.offset) params.set('from', String(state.offset));
  return `?${params.toString()}`;
}

/** The state after clicking a column header: ascending first, then toggling; back to the first page. */
export function sortedBy(state: CompareState, param: string): CompareState {
  const descending = state.sort === param ? !state.descending : false;
  return { ...state, sort: param, descending, after: null, offset: 0 };
}

/** Where a gene of the comparison opens: the gene across group A's cohort. */
export function geneHref(cohortId: string, ensemblId: string): string {
  return `/cohorts/${cohortId}/genes/${encodeURIComponent(ensemblId)}`;
}
