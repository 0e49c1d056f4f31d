// Numeric cells: what counts as missing, the strict number test, and the checked readers for counts and
// other expression values shared by the parsers (each failure is an InputError naming line, column, value,
// sample and gene).

import { InputError } from './inputError.ts';
import { type ExpressionUnit, LOG2_UNITS } from './types.ts';

/** Cells that mean "no value" in matrices and clinical tables. */
export const MISSING_VALUES: ReadonlySet<string> = new Set([
  '',
  'NA',
  'na',
  'N/A',
  'n/a',
  'NaN',
  'nan',
  'NAN',
  'null',
  'NULL',
  'None',
  '.',
  '--',
  "'--",
  '[Not Available]',
  '[Not Applicable]',
  '[Unknown]',
  '[Not Evaluated]',
  '[Discrepancy]',
  '[Completed]',
]);

export function isMissing(cell: string): boolean {
  return MISSING_VALUES.has(cell) || MISSING_VALUES.has(cell.trim());
}

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The number in a cell written as a plain decimal (optionally with exponent); NaN for anything else. */
export function parseNumber(cell: string): number {
  return NUMBER.test(cell) ? Number(cell) : Number.NaN;
}

export function isNumberCell(cell: string): boolean {
  return NUMBER.test(cell);
}

/** No log2-scale expression value is anywhere near this (it would mean 2^64 reads). */
export const LOG2_MAX = 64;
export const UINT32_MAX = 4294967295;

/**
 * Units whose values may be negative: log2 of small offsets or centred data, and batch-corrected RSEM
 * (PanCanAtlas: 0.3% of the values are slightly negative; valid data, kept as given).
 */
export const SIGNED_UNITS: ReadonlySet<ExpressionUnit> = new Set(['LOG2_OTHER', 'RSEM']);

const DECIMAL_COMMA = /^\s*-?\d+,\d+\s*$/;
const NORMALISED_HINT =
  'if the values are normalised (TPM, FPKM, log2), ingest them with `gexbert ingest xena --unit <unit>` or pass the matching --unit';

/** Where a cell is, for messages: `sample` and `gene` name the cell's column and row. */
export interface CellAt {
  file: string;
  line: number;
  column: number;
  sample: string;
  gene: string;
}

function fail(at: CellAt, problem: string, fix: string): never {
  throw new InputError({ file: at.file, line: at.line, column: at.column, problem, fix });
}

const where = (at: CellAt): string => `for sample ${at.sample} (column ${at.column}), gene '${at.gene}'`;

/**
 * A raw read count: a whole number 0..2^32-1 (written as digits, or e.g. 12.0 / 1e3). Throws InputError
 * naming line, column, value, sample and gene otherwise. `location(index)` is called only on failure.
 */
export function readCount(cell: string, location: (index: number) => CellAt, index: number): number {
  const n = Number(cell);
  if (Number.isInteger(n) && n >= 0 && n <= UINT32_MAX && isNumberCell(cell)) return n;
  const at = location(index);
  const value = cell.trim();
  if (isMissing(cell)) {
    return fail(
      at,
      `the value ${value === '' ? 'is empty' : `'${cell}' is missing`} ${where(at)}; raw counts cannot be missing`,
      `fill in the count (0 if the gene was not detected); ${NORMALISED_HINT}`,
    );
  }
  if (!isNumberCell(cell)) {
    return fail(
      at,
      `the value '${cell}' ${where(at)} is not a number`,
      DECIMAL_COMMA.test(cell)
        ? 'write numbers with a dot as decimal separator; raw counts are whole numbers >= 0'
        : 'fix or remove that cell: raw counts are whole numbers >= 0',
    );
  }
  if (n < 0) {
    return fail(
      at,
      `the value ${value} ${where(at)} is negative`,
      `raw read counts cannot be negative: check how the file was made; ${NORMALISED_HINT}`,
    );
  }
  if (!Number.isInteger(n)) {
    return fail(
      at,
      `the value ${value} ${where(at)} is not a whole number`,
      `raw counts must be integers (round estimated counts such as RSEM expected_count first); ${NORMALISED_HINT}`,
    );
  }
  return fail(
    at,
    `the value ${value} ${where(at)} is too large (above ${UINT32_MAX})`,
    'check the file: a gene cannot have that many reads',
  );
}

/**
 * A value in a non-count unit: a finite number (missing -> NaN when `allowMissing`). Negative values are
 * refused except for SIGNED_UNITS (LOG2_OTHER, RSEM); log2 units refuse values above LOG2_MAX (raw counts given as log2).
 */
export function readValue(
  cell: string,
  unit: ExpressionUnit,
  allowMissing: boolean,
  location: (index: number) => CellAt,
  index: number,
): number {
  let v = +cell;
  if (Number.isNaN(v) || (v === 0 && !isNumberCell(cell)) || !Number.isFinite(v)) {
    if (isMissing(cell)) {
      if (allowMissing) return Number.NaN;
      const at = location(index);
      return fail(
        at,
        `the value ${where(at)} is missing`,
        'fill in the value: this file type has no missing values',
      );
    }
    if (!isNumberCell(cell)) {
      const at = location(index);
      return fail(
        at,
        `the value '${cell}' ${where(at)} is not a number`,
        DECIMAL_COMMA.test(cell)
          ? 'write decimals with a dot, not a comma (re-export with a dot as decimal separator)'
          : 'fix that cell; write missing values as NA or leave the cell empty',
      );
    }
    v = Number(cell);
  }
  if (v < 0 && !SIGNED_UNITS.has(unit)) {
    const at = location(index);
    return fail(
      at,
      `the value ${cell.trim()} ${where(at)} is negative, which ${unit} values cannot be`,
      LOG2_UNITS.has(unit)
        ? 'if the data are log2(x + small offset) or centred, pass --unit LOG2_OTHER; otherwise check the file'
        : 'check the file: expression values cannot be negative (log-scale data need a LOG2_* --unit; batch-corrected RSEM values, which can be slightly negative, --unit RSEM)',
    );
  }
  if (v > LOG2_MAX && LOG2_UNITS.has(unit)) {
    const at = location(index);
    return fail(
      at,
      `the value ${cell.trim()} ${where(at)} is far too large for log2-scale data`,
      'this looks like raw counts or unlogged values: use `gexbert ingest counts <file>` for raw counts, or pass --unit TPM / FPKM / FPKM_UQ',
    );
  }
  return v;
}
