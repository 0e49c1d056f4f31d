// The genes x samples matrix reader shared by `ingest counts` and `ingest xena`: header of sample IDs
// (first cell: the gene column's name, possibly empty or, as R's write.table writes it, missing), one row per
// gene, one value per sample. Streams the file a line at a time; values go straight into one typed array per
// row (Uint32Array for raw counts, Float32Array otherwise, NaN for missing).

import { GeneResolver } from '../gene/resolve.ts';
import { parseBarcode, sampleHeader } from './barcode.ts';
import { classifyTable, type FormatGuess, wrongFormatError } from './detect.ts';
import { InputError } from './inputError.ts';
import { RowPool } from './rowPool.ts';
import { openTable, type Table } from './table.ts';
import {
  COUNT_UNITS,
  type ExpressionUnit,
  type ParsedMatrix,
  type ResolvedGene,
  type SampleHeader,
  type ValueRow,
} from './types.ts';
import { type CellAt, isMissing, readCount, readValue } from './values.ts';

export interface MatrixOptions {
  /** The unit of the values. */
  unit: ExpressionUnit;
  /** Cancer type for every sample (default: `TCGA_<TYPE>_` in the file name, else null). */
  cancerType?: string;
  /** Keep gene identifiers unknown to GENCODE v36 as given (synthetic data). */
  allowUnknownGenes?: boolean;
  /** Force the delimiter (tab, comma, or any single character); default: detected from the header. */
  delimiter?: string;
  /** The command parsing the file (for wrong-format messages). */
  command: 'counts' | 'xena' | 'table';
  /** Also resolve NCBI Entrez Gene IDs and NCBI previous/alternative symbols (`gexbert ingest table`). */
  ncbi?: boolean;
}

/**
 * The cancer type a file name gives: `ACC` from `TCGA_ACC_Counts.exp.gz` (also `TCGA-ACC.htseq_counts.tsv.gz`),
 * `SIM1` from the simulator's `SIM1_Counts.tsv.gz`; null when the name says nothing.
 */
export function cancerTypeFromFileName(file: string): string | null {
  const name = file.split(/[\\/]/).pop() ?? file;
  const tcga = /(?:^|[^A-Za-z0-9])TCGA[-_]([A-Z][A-Z0-9]{1,9})(?=[-_.]|$)/.exec(name);
  if (tcga) return tcga[1]!;
  const counts = /^([A-Za-z0-9][A-Za-z0-9_.-]*?)_Counts\./.exec(name);
  return counts ? counts[1]! : null;
}

/**
 * The cancer type of a file's samples: the one given, else the file name's (cancerTypeFromFileName), else
 * null; a given type the file name contradicts is used, with a warning added to `warnings`.
 */
export function matrixCancerType(file: string, given: string | undefined, warnings: string[]): string | null {
  const cancerType = given?.trim() || null;
  const fromName = cancerTypeFromFileName(file);
  if (cancerType === null) return fromName;
  if (fromName !== null && fromName !== cancerType) {
    warnings.push(
      `${file}: the file name says cancer type ${fromName}, but ${cancerType} was given; using ${cancerType}`,
    );
  }
  return cancerType;
}

const cellAt = (file: string, line: number, sample: SampleHeader, gene: string): CellAt => ({
  file,
  line,
  column: sample.column,
  sample: sample.aliquotBarcode,
  gene: gene.trim(),
});

/**
 * Fast path for a raw-count row: plain digits separated by the delimiter, exactly row.length values after
 * `start`. Returns false (row content undefined) when anything else is there; the caller then re-reads the
 * line cell by cell to produce the right error or to handle quotes, spaces, exponents.
 */
function scanCounts(text: string, start: number, delimiter: number, row: Uint32Array): boolean {
  const last = row.length - 1;
  let k = 0;
  let v = 0;
  let digits = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === delimiter) {
      if (digits === 0 || k >= last) return false;
      row[k++] = v;
      v = 0;
      digits = 0;
    } else {
      const x = c - 48;
      if (x < 0 || x > 9 || digits >= 9) return false;
      v = v * 10 + x;
      digits++;
    }
  }
  if (digits === 0 || k !== last) return false;
  row[k] = v;
  return true;
}

/** Reads a genes x samples matrix (see MatrixOptions); every problem is an InputError. */
export async function parseGeneMatrix(file: string, options: MatrixOptions): Promise<ParsedMatrix> {
  const table = await openTable(
    file,
    options.delimiter === undefined ? {} : { delimiter: options.delimiter },
  );
  try {
    return await readMatrix(table, file, options);
  } finally {
    table.close();
  }
}

async function readMatrix(table: Table, file: string, options: MatrixOptions): Promise<ParsedMatrix> {
  const { unit, command } = options;
  const isCount = COUNT_UNITS.has(unit);
  const expected =
    command === 'counts' && isCount
      ? 'a raw-counts matrix (genes x samples)'
      : `a genes x samples matrix of ${unit} values`;
  const warnings: string[] = [];

  const head = await table.peek(20);
  const headRows = head.map((r) => table.split(r.text, r.line));
  const guess: FormatGuess = classifyTable(table.header, headRows, table.comments);
  if (
    guess.format === 'clinical' ||
    guess.format === 'gdc-star' ||
    guess.format === 'gdc-sample-sheet' ||
    (guess.format === 'unknown' && guess.reason.includes('transposed'))
  ) {
    throw wrongFormatError(file, table.headerLine, expected, guess);
  }
  if (table.header.length < 2) throw table.singleColumnError(expected);
  if (guess.format === 'xena' && command === 'counts' && isCount) {
    // NA or fractional values in the first rows: a normalised (Xena-style) matrix, not raw counts.
    const at = headRows.findIndex((r) =>
      r.slice(1).some((c) => isMissing(c) || !Number.isInteger(Number(c))),
    );
    throw wrongFormatError(file, head[Math.max(at, 0)]?.line ?? table.headerLine, expected, guess);
  }

  // R's write.table(col.names = TRUE, row.names = TRUE) leaves out the row-name column's header cell.
  const header = table.header;
  const shortHeader = headRows.length > 0 && headRows.every((r) => r.length === header.length + 1);
  const sampleIds = shortHeader ? header : header.slice(1);
  const width = sampleIds.length + 1;
  if (shortHeader) {
    warnings.push(
      `${file}:${table.headerLine}: the header has no cell for the gene column (as R's write.table writes it); read the first header cell as the first sample`,
    );
  }

  const samples: SampleHeader[] = [];
  const bySample = new Map<string, SampleHeader>();
  let dotted = 0;
  for (let j = 0; j < sampleIds.length; j++) {
    const id = sampleIds[j]!;
    const column = j + 2;
    const headerColumn = shortHeader ? j + 1 : j + 2;
    if (id === '') {
      throw new InputError({
        file,
        line: table.headerLine,
        column: headerColumn,
        problem: `column ${column} has no sample ID in the header`,
        fix: 'every value column needs a sample barcode in the header: fill it in or remove the column (check for a trailing delimiter)',
      });
    }
    const sample = sampleHeader(id, column);
    if (parseBarcode(id)?.dotted) dotted++;
    const previous = bySample.get(sample.sampleBarcode);
    if (previous !== undefined) {
      const same = previous.aliquotBarcode === sample.aliquotBarcode;
      throw new InputError({
        file,
        line: table.headerLine,
        column: headerColumn,
        problem: same
          ? `sample ${sample.aliquotBarcode} appears twice in the header (columns ${previous.column} and ${column})`
          : `columns ${previous.column} (${previous.aliquotBarcode}) and ${column} (${sample.aliquotBarcode}) are the same sample ${sample.sampleBarcode}`,
        fix: 'keep one column per sample: remove the duplicate column (or the extra aliquot) and re-run',
      });
    }
    bySample.set(sample.sampleBarcode, sample);
    samples.push(sample);
  }
  if (dotted > 0) {
    warnings.push(
      `${file}:${table.headerLine}: ${dotted} sample barcode(s) are written with dots (R's make.names); read as dashed barcodes`,
    );
  }

  const resolver = new GeneResolver({
    file,
    allowUnknownGenes: options.allowUnknownGenes ?? false,
    ncbi: options.ncbi ?? false,
  });
  const genes: ResolvedGene[] = [];
  const rows: ValueRow[] = [];
  const nSamples = samples.length;
  const delimiterCode = table.delimiter.charCodeAt(0);
  const rowPool = new RowPool(isCount, nSamples);
  let dataRows = 0;

  // One location callback (called only to build an error), reading the current row.
  let line = 0;
  let id = '';
  const at = (j: number): CellAt => cellAt(file, line, samples[j]!, id);
  for (;;) {
    const text = await table.next();
    if (text === null) break;
    line = table.line;
    dataRows++;
    if (isCount) {
      const row = rowPool.current() as Uint32Array;
      const cut = text.indexOf(table.delimiter);
      const fast = cut > 0 && scanCounts(text, cut + 1, delimiterCode, row) && !text.includes('"');
      const cells = fast ? null : table.cells(text, width, line);
      id = cells ? cells[0]! : text.slice(0, cut);
      const gene = resolver.resolve(id, line);
      if (cells) {
        for (let j = 0; j < nSamples; j++) row[j] = readCount(cells[j + 1]!, at, j);
      }
      if (gene !== null) {
        genes.push(gene);
        rows.push(rowPool.take());
      }
    } else {
      const cells = table.cells(text, width, line);
      id = cells[0]!;
      const gene = resolver.resolve(id, line);
      const row = rowPool.current();
      for (let j = 0; j < nSamples; j++) row[j] = readValue(cells[j + 1]!, unit, true, at, j);
      if (gene !== null) {
        genes.push(gene);
        rows.push(rowPool.take());
      }
    }
  }

  if (dataRows === 0) {
    throw new InputError({
      file,
      line: table.headerLine,
      problem: 'the file has a header but no gene rows',
      fix: 'check that the export finished: after the header there must be one row per gene with one value per sample',
    });
  }
  const resolution = resolver.finish();
  if (genes.length === 0) {
    throw new InputError({
      file,
      line: table.headerLine + 1,
      problem: 'none of the gene rows can be used (all were dropped)',
      fix: 'the first column must hold human Ensembl gene IDs or HGNC symbols',
    });
  }

  const cancerType = matrixCancerType(file, options.cancerType, warnings);
  return {
    file,
    unit,
    cancerType,
    samples,
    genes,
    rows,
    unmapped: resolution.unmapped,
    warnings: [...warnings, ...resolution.warnings],
    ...(options.ncbi ? { entrezMapped: resolution.entrez } : {}),
  };
}
