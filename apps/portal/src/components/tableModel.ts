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
