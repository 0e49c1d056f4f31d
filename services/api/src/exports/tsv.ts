// Lines of the export files: tab-separated, missing values as NA (what R's read.delim and pandas' read_csv
// read as missing by default), tabs and newlines inside a value turned into spaces (TSV has no quoting).

export type Cell = string | number | boolean | null;

export function tsvLine(cells: readonly Cell[]): string {
  return `${cells.map((c) => (c === null ? 'NA' : String(c).replace(/[\t\r\n]+/g, ' '))).join('\t')}\n`;
}
