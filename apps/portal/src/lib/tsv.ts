// Tab-separated text of a table, as downloaded from every table of the portal.

export type Cell = string | number | boolean | null | undefined;

/** One cell: tabs and newlines become spaces (TSV has no quoting); null/undefined/NaN are empty. */
export function tsvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && Number.isNaN(value)) return '';
  return String(value).replace(/[\t\r\n]+/g, ' ');
}

/** One line per row, each ending in a newline. */
export function tsvLines(rows: readonly (readonly Cell[])[]): string {
  return rows.map((row) => `${row.map(tsvCell).join('\t')}\n`).join('');
}

/** The header line and one line per row, each ending in a newline. */
export function toTsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return tsvLines([header, ...rows]);
}

/** A file name from a title: lower case, words joined by '-', only [a-z0-9-]. */
export function fileSlug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'download'
  );
}
