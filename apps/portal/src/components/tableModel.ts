// The data behind DataTable: plain, serialisable rows (server components pass them to the client table),
// and the search / sort / page steps as pure functions.

export interface TableColumn {
  label: string;
  numeric?: boolean;
}

export interface TableCell {
  /** The value sorted on and downloaded. */
  value: string | number | null;
  /** What is shown (default: the value). */
  text?: string;
  /** A link inside the portal. */
  href?: string;
  /** A badge shown after the text (e.g. `simulated`); not part of the value, search or download. */
  badge?: string;
}

export interface TableRow {
  key: string;
  cells: TableCell[];
  /** Marks the row (e.g. a failed import): styled `row-danger`, and announced as `data-tone`. */
  tone?: 'danger';
}

export interface SortState {
  column: number;
  descending: boolean;
}

export function cellText(cell: TableCell | undefined): string {
  if (!cell) return '';
  return cell.text ?? (cell.value === null ? '–' : String(cell.value));
}

/** Rows with any cell containing `search` (case-insensitive); all rows for an empty search. */
export function searchRows(rows: readonly TableRow[], search: string): TableRow[] {
  const needle = search.trim().toLowerCase();
  if (!needle) return [...rows];
  return rows.filter((row) => row.cells.some((cell) => cellText(cell).toLowerCase().includes(needle)));
}

/** Rows sorted on one column; nulls last in either direction; stable. */
export function sortRows(rows: readonly TableRow[], sort: SortState | null): TableRow[] {
  if (!sort) return [...rows];
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a.cells[sort.column]?.value ?? null;
    const y = b.cells[sort.column]?.value ?? null;
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y), 'en', { numeric: true });
  });
}

/** The rows of page `page` (0-based, clamped) and the number of pages. */
export function pageOf<T>(
  rows: readonly T[],
  page: number,
  pageSize: number,
): { rows: T[]; pages: number; page: number } {
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const current = Math.min(Math.max(0, page), pages - 1);
  return { rows: rows.slice(current * pageSize, (current + 1) * pageSize), pages, page: current };
}

/** What a reader has made of a table: search, sort, page (0-based) and rows per page. */
export interface TableView {
  search: string;
  sort: SortState | null;
  page: number;
  pageSize: number;
}

/**
 * The URL parameters holding a table's view, named after the table's `key` (e.g. `values.sort`), so a copied
 * link or a reload shows the same rows: `q` the search, `sort` the column's label slug (`-` first when
 * descending), `page` from 1, `rows` per page. Parameters at their default are left out.
 */
export function tableViewParams(
  view: TableView,
  key: string,
  columns: readonly TableColumn[],
  defaultPageSize: number,
): Record<string, string | null> {
  const column = view.sort ? columns[view.sort.column] : undefined;
  return {
    [`${key}.q`]: view.search || null,
    [`${key}.sort`]: column ? `${view.sort!.descending ? '-' : ''}${columnSlug(column)}` : null,
    [`${key}.page`]: view.page > 0 ? String(view.page + 1) : null,
    [`${key}.rows`]: view.pageSize !== defaultPageSize ? String(view.pageSize) : null,
  };
}

/** The view the URL's parameters give a table (see tableViewParams); defaults for what is absent or unknown. */
export function tableViewOf(
  get: (name: string) => string | null,
  key: string,
  columns: readonly TableColumn[],
  defaultPageSize: number,
  pageSizes: readonly number[],
): TableView {
  const sortParam = get(`${key}.sort`) ?? '';
  const descending = sortParam.startsWith('-');
  const column = columns.findIndex((c) => columnSlug(c) === sortParam.replace(/^-/, ''));
  const page = Number(get(`${key}.page`));
  const rows = Number(get(`${key}.rows`));
  return {
    search: get(`${key}.q`) ?? '',
    sort: column >= 0 ? { column, descending } : null,
    page: Number.isInteger(page) && page >= 1 ? page - 1 : 0,
    pageSize: pageSizes.includes(rows) ? rows : defaultPageSize,
  };
}

function columnSlug(column: TableColumn): string {
  return (
    column.label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'column'
  );
}
