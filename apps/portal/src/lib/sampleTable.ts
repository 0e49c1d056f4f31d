// The state of a cohort's sample table, kept in the page's URL (search, sort, page size and cursor), so the
// table pages, searches and sorts through the API with plain links and a GET form: no client state.
import type { CohortSampleField, CohortSampleOrder, CohortSamplesQuery } from '../generated/graphql.ts';
import { formatSampleType } from './format.ts';
import type { Cell } from './tsv.ts';

export type SampleNode = NonNullable<CohortSamplesQuery['cohort']>['samples']['nodes'][number];

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULT_SIZE = 25;

/** The table's columns: header, the API field it sorts by, its URL name, and its cell (shown and downloaded). */
export const SAMPLE_COLUMNS: readonly {
  label: string;
  field: CohortSampleField;
  param: string;
  numeric?: boolean;
  value: (s: SampleNode) => Cell;
}[] = [
  { label: 'Sample', field: 'BARCODE', param: 'barcode', value: (s) => s.barcode },
  {
    label: 'Sample type',
    field: 'SAMPLE_TYPE',
    param: 'sample-type',
    value: (s) => formatSampleType(s.sampleType),
  },
  { label: 'Cancer type', field: 'CANCER_TYPE', param: 'cancer-type', value: (s) => s.patient.cancerType },
  { label: 'Patient', field: 'PATIENT', param: 'patient', value: (s) => s.patient.barcode },
  {
    label: 'OS (days)',
    field: 'OS_TIME',
    param: 'os-days',
    numeric: true,
    value: (s) => (s.patient.osDays === null ? null : Math.round(s.patient.osDays)),
  },
  { label: 'Died', field: 'OS_EVENT', param: 'died', numeric: true, value: (s) => s.patient.osEvent },
];

export interface SampleTableState {
  search: string;
  /** The sorted column's URL name (null: the API's default order, by sample ID). */
  sort: string | null;
  descending: boolean;
  size: number;
  after: string | null;
  before: string | null;
  /** Rows before this page (for "Rows a–b"; the cursors decide what the page holds). */
  offset: number;
}

type Params = Record<string, string | string[] | undefined>;

const one = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** The table's state from the URL's search parameters; unknown or malformed values fall back to defaults. */
export function parseSampleTableState(params: Params): SampleTableState {
  const sort = one(params.sort);
  const size = Number(one(params.size));
  const offset = Number(one(params.from));
  return {
    search: (one(params.q) ?? '').trim().slice(0, 200),
    sort: SAMPLE_COLUMNS.some((c) => c.param === sort) ? sort! : null,
    descending: one(params.dir) === 'desc',
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_SIZE,
    after: one(params.after) || null,
    before: one(params.after) ? null : one(params.before) || null,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** The API's search and order arguments for the state. */
export function sampleQueryArgs(state: SampleTableState): { search?: string; orderBy?: CohortSampleOrder } {
  const column = SAMPLE_COLUMNS.find((c) => c.param === state.sort);
  return {
    ...(state.search ? { search: state.search } : {}),
    ...(column ? { orderBy: { field: column.field, direction: state.descending ? 'DESC' : 'ASC' } } : {}),
  };
}

/** The query string of a state (defaults left out). */
export function sampleTableQuery(state: SampleTableState): string {
  const params = new URLSearchParams();
  if (state.search) params.set('q', state.search);
  if (state.sort) params.set('sort', state.sort);
  if (state.sort && state.descending) params.set('dir', 'desc');
  if (state.size !== DEFAULT_SIZE) params.set('size', String(state.size));
  if (state.after) params.set('after', state.after);
  if (state.before) params.set('before', state.before);
  if (state.offset) params.set('from', String(state.offset));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The state after clicking a column header: ascending first, then toggling; back to the first page. */
export function sortedBy(state: SampleTableState, param: string): SampleTableState {
  const descending = state.sort === param ? !state.descending : false;
  return { ...state, sort: param, descending, after: null, before: null, offset: 0 };
}

/** The states of the next and previous pages, from the current page's cursors. */
export function neighbours(
  state: SampleTableState,
  page: { startCursor: string | null; endCursor: string | null; shown: number },
): { next: SampleTableState; previous: SampleTableState } {
  const first = { ...state, after: null, before: null };
  return {
    next: { ...first, after: page.endCursor, offset: state.offset + page.shown },
    previous:
      state.offset <= state.size
        ? { ...first, offset: 0 }
        : { ...first, before: page.startCursor, offset: state.offset - state.size },
  };
}
