// `gexbert ingest table`: expression tables as people have them.
//
// - Orientation: samples as rows (header: sample ID column, then genes; e.g. PanCanAtlas extracts such as
//   ../shared/data/tcga/pancan33/pancan33_expression.tsv.gz) or genes as rows (header: gene column, then
//   samples). Detected from which axis holds gene identifiers (Ensembl gene IDs, NCBI Entrez Gene IDs, HGNC
//   symbols or their NCBI previous/alternative symbols), or forced (`orientation`). When both axes or neither
//   look like genes the table is refused with one error naming the file, the line and the flag to pass.
// - Attribute columns (samples as rows): columns such as survival time/status, cancer type, sample type,
//   age, sex, stage, detected by name (ATTRIBUTE_NAMES, ATTRIBUTE_PATTERNS) or named by `attributeColumns`.
//   They are split off: cancer type and sample type go to the samples, everything else to the clinical
//   store (readClinical in clinical.ts). A text column that is neither a gene nor a known attribute is
//   refused (pass it in `attributeColumns`).
// - Genes resolve through GENCODE v36 and the shipped NCBI Gene map (GeneResolver with `ncbi`): an alias of
//   several genes is not guessed but reported as unmapped.
// - Per-sample sidecar (`samples`, or `<name>_samples.tsv` beside `<name>_expression.tsv.gz`, read without
//   being named): sample, patient, cancer type, sample type code, and any other column as a clinical field.
//   Every sample of the table must be in it.
// - Unit: given, or RAW_COUNT when every value in the first rows is a whole number >= 0; fractional values
//   without a unit are refused (RSEM, TPM, FPKM... are stored as such, never as counts).

import fs from 'node:fs';
import path from 'node:path';
import { type GeneReference, geneReference } from '../gene/reference.ts';
import { GeneResolver, parseEnsemblId } from '../gene/resolve.ts';
import { sampleHeader } from './barcode.ts';
import { CANCER_COLUMNS, EVENT_COLUMNS, readClinical, TIME_COLUMNS } from './clinical.ts';
import { CLINICAL_ID_COLUMNS, SURVIVAL_COLUMNS } from './detect.ts';
import { InputError } from './inputError.ts';
import { matrixCancerType, parseGeneMatrix } from './matrix.ts';
import { RowPool } from './rowPool.ts';
import { openTable, type Table } from './table.ts';
import {
  COUNT_UNITS,
  EXPRESSION_UNITS,
  type ExpressionUnit,
  type ParsedClinical,
  type ParsedMatrix,
  type ResolvedGene,
  type SampleHeader,
  type ValueRow,
} from './types.ts';
import { type CellAt, isMissing, isNumberCell, readCount, readValue } from './values.ts';

export type Orientation = 'samples-as-rows' | 'genes-as-rows';

export interface ExpressionTableOptions {
  /** Unit of the values; default RAW_COUNT when the values are whole numbers, else an error asks for one. */
  unit?: ExpressionUnit;
  /** Force the orientation; default: detected from which axis holds gene identifiers. */
  orientation?: Orientation;
  /** The attribute columns (names as in the header); default: detected by name. */
  attributeColumns?: readonly string[];
  /** Per-sample sidecar table; default: `<name>_samples.tsv` beside `<name>_expression.tsv[.gz]` when present. */
  samples?: string;
  /** Cancer type of samples the table and sidecar say nothing about (default: `TCGA_<TYPE>_` in the name). */
  cancerType?: string;
  /** Unit of a survival time column whose name does not say (e.g. `time`). */
  timeUnit?: 'days' | 'months';
  /** Force the delimiter; default: detected from the header. */
  delimiter?: string;
}

export interface ParsedTable {
  matrix: ParsedMatrix;
  orientation: Orientation;
  /** How the orientation was known: detected from the gene identifiers, or forced by the caller. */
  orientationFrom: 'detected' | 'forced';
  /** The attribute columns split off, and how they were known. */
  attributeColumns: string[];
  attributesFrom: 'names' | 'forced';
  /** Attributes (table columns and sidecar columns) as clinical records; null when there are none. */
  clinical: ParsedClinical | null;
  /** The sidecar read, and whether it was found beside the table without being named. */
  sidecar: string | null;
  sidecarFound: boolean;
  /** Gene identifiers in the table, and how many of them were NCBI Entrez Gene IDs mapped to GENCODE v36. */
  geneIds: number;
  entrezMapped: number;
  /** The unit was not given: RAW_COUNT because the values are whole numbers. */
  unitDetected: boolean;
}

/** Attribute column names (lower case), beside the survival, ID and cancer-type columns of clinical tables. */
export const ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  ...TIME_COLUMNS,
  ...EVENT_COLUMNS,
  ...SURVIVAL_COLUMNS,
  ...CANCER_COLUMNS,
  ...CLINICAL_ID_COLUMNS,
  'sample_type',
  'sample_type_code',
  'sample type',
  'sex',
  'gender',
  'race',
  'ethnicity',
  'grade',
  'histological_type',
  'histological_grade',
  'subtype',
  'tumor_status',
  'bmi',
  'smoking',
  'cohort',
  'batch',
  'tissue',
  'primary_site',
  'primary_disease',
  'disease',
  'diagnosis',
]);
/** Attribute column name patterns: survival endpoints, ages, stages, days_to_... */
export const ATTRIBUTE_PATTERNS: readonly RegExp[] = [
  /^(os|dss|dfi|pfi|pfs|efs|rfs|dfs)([._ ](time|status|event|days|months|years))?$/i,
  /^age([._ ]|$)/i,
  /stage$/i,
  /^(days|months|years)_to_/i,
];

const SAMPLE_TYPE_COLUMNS = ['sample_type_code', 'sample_type', 'sample type'];
const PATIENT_COLUMNS = ['patient', 'patient_id', '_patient', 'bcr_patient_barcode', 'case_submitter_id'];
const SAMPLE_ID_COLUMNS = ['sample', 'sample_id', 'barcode', 'sample_barcode', 'id', 'aliquot'];
const PEEK = 50;

export function isAttributeName(name: string): boolean {
  const lower = name.trim().toLowerCase();
  return ATTRIBUTE_NAMES.has(lower) || ATTRIBUTE_PATTERNS.some((re) => re.test(lower));
}

/** Whether an identifier names a gene the platform can resolve (for telling the axes apart). */
function isGeneId(id: string, reference: GeneReference): boolean {
  const s = id.trim();
  if (s === '') return false;
  const ens = parseEnsemblId(s);
  if (ens !== null) return ens.human;
  if (/^\d+$/.test(s)) return reference.lookupEntrez(s).kind !== 'none';
  return reference.lookupSymbolOrAlias(s).kind !== 'none';
}

/** The sidecar beside `<name>_expression.tsv[.gz]`: `<name>_samples.tsv` (or .tsv.gz/.csv/.txt), if present. */
export function findSidecar(file: string): string | null {
  const m = /^(.*)_expression\.(?:tsv|csv|txt)(?:\.gz)?$/i.exec(path.basename(file));
  if (!m) return null;
  for (const ext of ['tsv', 'tsv.gz', 'csv', 'csv.gz', 'txt']) {
    const candidate = path.join(path.dirname(file), `${m[1]}_samples.${ext}`);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

const examplesOf = (items: readonly string[], n = 4): string =>
  `${items
    .slice(0, n)
    .map((x) => `'${x}'`)
    .join(', ')}${items.length > n ? ', ...' : ''}`;

/** What reading the table itself gave, before the sidecar is joined. */
interface TableRead {
  matrix: ParsedMatrix;
  header: readonly string[];
  headerLine: number;
  attributes: Attributes;
  /** Each sample's row (samples as rows with attribute columns only), in sample order. */
  attributeRows: { line: number; cells: string[] }[];
  geneIds: number;
  entrezMapped: number;
}

/** Reads an expression table in either orientation (see the file comment); every problem is an InputError. */
export async function parseExpressionTable(
  file: string,
  options: ExpressionTableOptions = {},
): Promise<ParsedTable> {
  const sidecar = options.samples ?? findSidecar(file);
  const table = await openTable(
    file,
    options.delimiter === undefined ? {} : { delimiter: options.delimiter },
  );
  let orientation: Orientation;
  let read: TableRead | null = null;
  try {
    if (table.header.length < 2) throw table.singleColumnError('an expression table');
    const head = (await table.peek(PEEK)).map((r) => ({ line: r.line, cells: table.split(r.text, r.line) }));
    if (head.length === 0) {
      throw new InputError({
        file,
        line: table.headerLine,
        problem: 'the table has a header but no rows',
        fix: 'check that the export finished: after the header there must be one row per sample (or per gene)',
      });
    }
    const attributes = attributeColumnsOf(file, table, options);
    orientation = options.orientation ?? detectOrientation(file, table, head, attributes.columns);
    if (orientation === 'genes-as-rows' && options.attributeColumns?.length) {
      throw new InputError({
        file,
        line: table.headerLine,
        problem:
          'attribute columns were named, but the genes are the rows of this table (attributes are per sample)',
        fix: 'leave out --attribute-columns for a genes-as-rows table, or pass --samples-as-rows if each row is a sample',
      });
    }
    const valueColumns =
      orientation === 'samples-as-rows'
        ? table.header.map((_, j) => j).filter((j) => j > 0 && !attributes.columns.includes(j))
        : table.header.map((_, j) => j).slice(1);
    if (orientation === 'samples-as-rows')
      checkTextColumns(file, table, head, valueColumns, attributes.columns);
    const unit = options.unit ?? detectUnit(file, table, head, valueColumns);
    if (orientation === 'samples-as-rows')
      read = await readSamplesAsRows(file, table, unit, attributes, options);
  } finally {
    table.close();
  }
  if (read === null) {
    const matrix = await parseGeneMatrix(file, {
      unit: options.unit ?? 'RAW_COUNT',
      command: 'table',
      ncbi: true,
      ...(options.cancerType === undefined ? {} : { cancerType: options.cancerType }),
      ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
    });
    read = {
      matrix,
      header: [],
      headerLine: 1,
      attributes: { columns: [], from: 'names' },
      attributeRows: [],
      geneIds: matrix.genes.length + matrix.unmapped.length,
      entrezMapped: matrix.entrezMapped ?? 0,
    };
  }
  const fromSidecar = sidecar === null ? null : await joinSidecar(read.matrix, sidecar, options);
  const fromTable = read.attributeRows.length === 0 ? null : await attributeClinical(file, read, options);
  const sidecarClinical = fromSidecar?.clinical ?? null;
  const clinical =
    fromTable === null
      ? sidecarClinical
      : sidecarClinical === null
        ? fromTable
        : mergeClinical(fromTable, sidecarClinical);
  const header = read.header;
  return {
    matrix: read.matrix,
    orientation,
    orientationFrom: options.orientation === undefined ? 'detected' : 'forced',
    attributeColumns: [...read.attributes.columns.map((j) => header[j]!), ...(fromSidecar?.columns ?? [])],
    attributesFrom: read.attributes.from,
    clinical,
    sidecar,
    sidecarFound: sidecar !== null && options.samples === undefined,
    geneIds: read.geneIds,
    entrezMapped: read.entrezMapped,
    unitDetected: options.unit === undefined,
  };
}

interface Attributes {
  columns: number[];
  from: ParsedTable['attributesFrom'];
}

function attributeColumnsOf(file: string, table: Table, options: ExpressionTableOptions): Attributes {
  const header = table.header;
  if (options.attributeColumns !== undefined) {
    const lower = header.map((h) => h.toLowerCase());
    const columns: number[] = [];
    for (const name of options.attributeColumns) {
      const j = lower.indexOf(name.trim().toLowerCase(), 1);
      if (j < 0) {
        throw new InputError({
          file,
          line: table.headerLine,
          problem: `there is no column '${name}' for --attribute-columns (columns: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''})`,
          fix: 'name attribute columns exactly as in the header, separated by commas (the first column is the sample ID and is never an attribute)',
        });
      }
      columns.push(j);
    }
    return { columns, from: 'forced' };
  }
  const columns = header.map((h, j) => (j > 0 && isAttributeName(h) ? j : -1)).filter((j) => j > 0);
  return { columns, from: 'names' };
}

function detectOrientation(
  file: string,
  table: Table,
  head: readonly { line: number; cells: string[] }[],
  attributes: readonly number[],
): Orientation {
  const reference = geneReference();
  const headerIds = table.header.filter((_, j) => j > 0 && !attributes.includes(j));
  const rowIds = head.map((r) => r.cells[0] ?? '');
  const headerGenes = headerIds.filter((id) => isGeneId(id, reference));
  const rowGenes = rowIds.filter((id) => isGeneId(id, reference));
  const headerIsGenes = headerIds.length > 0 && headerGenes.length * 2 > headerIds.length;
  const rowsAreGenes = rowGenes.length * 2 > rowIds.length;
  if (headerIsGenes && !rowsAreGenes) return 'samples-as-rows';
  if (rowsAreGenes && !headerIsGenes) return 'genes-as-rows';
  const firstRow = head[0]!.line;
  if (headerIsGenes && rowsAreGenes) {
    throw new InputError({
      file,
      line: firstRow,
      problem: `cannot tell the orientation: both the header (${headerGenes.length} of ${headerIds.length}, e.g. ${examplesOf(headerGenes)}) and the first column (${rowGenes.length} of ${rowIds.length} rows, e.g. ${examplesOf(rowGenes)}) read as gene identifiers`,
      fix: 'pass --samples-as-rows if each row is a sample (genes in the header), or --genes-as-rows if each row is a gene (samples in the header)',
    });
  }
  throw new InputError({
    file,
    line: table.headerLine,
    problem: `cannot tell the orientation: neither the header (e.g. ${examplesOf(headerIds)}) nor the first column (e.g. ${examplesOf(rowIds)}) holds gene identifiers (Ensembl gene IDs, NCBI Entrez Gene IDs or HGNC symbols)`,
    fix: 'check that this is an expression table with gene identifiers on one axis; if it is, pass --samples-as-rows or --genes-as-rows (unresolvable genes are then reported as unmapped)',
  });
}

/** A non-attribute column whose first values are text (not numbers, not missing) is an unnamed attribute. */
function checkTextColumns(
  file: string,
  table: Table,
  head: readonly { line: number; cells: string[] }[],
  valueColumns: readonly number[],
  attributes: readonly number[],
): void {
  for (const j of valueColumns) {
    const cells = head.map((r) => ({ line: r.line, cell: r.cells[j] ?? '' }));
    const text = cells.filter((c) => !isMissing(c.cell) && !isNumberCell(c.cell));
    if (text.length === 0 || text.length * 2 < cells.filter((c) => !isMissing(c.cell)).length) continue;
    const named = [...attributes.map((a) => table.header[a]!), table.header[j]!];
    throw new InputError({
      file,
      line: text[0]!.line,
      column: j + 1,
      problem: `column ${j + 1} ('${table.header[j]}') holds text ('${text[0]!.cell}'), so it is neither expression values nor a known attribute column`,
      fix: `if it is a sample attribute, pass --attribute-columns ${named.join(',')}; otherwise remove the column`,
    });
  }
}

/** RAW_COUNT when every value in the first rows is a whole number >= 0; otherwise the unit must be given. */
function detectUnit(
  file: string,
  table: Table,
  head: readonly { line: number; cells: string[] }[],
  valueColumns: readonly number[],
): ExpressionUnit {
  for (const row of head) {
    for (const j of valueColumns) {
      const cell = row.cells[j] ?? '';
      const n = Number(cell);
      if (isMissing(cell) || !isNumberCell(cell) || (Number.isInteger(n) && n >= 0)) continue;
      throw new InputError({
        file,
        line: row.line,
        column: j + 1,
        problem: `the value ${cell.trim()} (column '${table.header[j]}') is not a whole number, so these are not raw counts, and no unit was given`,
        fix: `pass --unit with what the values are (${EXPRESSION_UNITS.filter((u) => u !== 'RAW_COUNT').join(', ')}; e.g. RSEM for PanCanAtlas normalised expression)`,
      });
    }
  }
  return 'RAW_COUNT';
}

async function readSamplesAsRows(
  file: string,
  table: Table,
  unit: ExpressionUnit,
  attributes: Attributes,
  options: ExpressionTableOptions,
): Promise<TableRead> {
  const header = table.header;
  const width = header.length;
  const isCount = COUNT_UNITS.has(unit);
  const resolver = new GeneResolver({ file, ncbi: true, headerLine: table.headerLine });
  const keptColumns: number[] = [];
  const genes: ResolvedGene[] = [];
  let geneIds = 0;
  for (let j = 1; j < width; j++) {
    if (attributes.columns.includes(j)) continue;
    geneIds++;
    const gene = resolver.resolve(header[j]!, j + 1);
    if (gene === null) continue;
    genes.push(gene);
    keptColumns.push(j);
  }
  const resolution = resolver.finish();
  if (genes.length === 0) {
    throw new InputError({
      file,
      line: table.headerLine,
      problem: 'none of the gene columns can be used (all were dropped)',
      fix: 'the header must hold human Ensembl gene IDs, NCBI Entrez Gene IDs or HGNC symbols',
    });
  }

  const samples: SampleHeader[] = [];
  const bySample = new Map<string, SampleHeader>();
  const pool = new RowPool(isCount, genes.length);
  const profiles: ValueRow[] = [];
  const attributeRows: { line: number; cells: string[] }[] = [];
  const attributeCells = attributes.columns;
  const iCancer = attributeCells.find((j) => CANCER_COLUMNS.includes(header[j]!.toLowerCase()));
  const iType = attributeCells.find((j) => SAMPLE_TYPE_COLUMNS.includes(header[j]!.toLowerCase()));
  const iPatient = attributeCells.find((j) => PATIENT_COLUMNS.includes(header[j]!.toLowerCase()));
  let line = 0;
  let sampleId = '';
  const at = (k: number): CellAt => ({
    file,
    line,
    column: keptColumns[k]! + 1,
    sample: sampleId,
    gene: header[keptColumns[k]!]!,
  });
  for (;;) {
    const text = await table.next();
    if (text === null) break;
    line = table.line;
    const cells = table.cells(text, width, line);
    sampleId = cells[0]!.trim();
    if (sampleId === '' || isMissing(sampleId)) {
      throw new InputError({
        file,
        line,
        column: 1,
        problem: 'the sample ID (first column) is empty',
        fix: 'every row must start with its sample ID: fill it in or remove the row',
      });
    }
    const sample: SampleHeader = { ...sampleHeader(sampleId, 1), line };
    const previous = bySample.get(sample.sampleBarcode);
    if (previous !== undefined) {
      throw new InputError({
        file,
        line,
        column: 1,
        problem: `sample ${sample.sampleBarcode} appears twice (lines ${previous.line} and ${line})`,
        fix: 'keep one row per sample: remove the duplicate row (or the extra aliquot) and re-run',
      });
    }
    if (iPatient !== undefined && !isMissing(cells[iPatient]!))
      sample.patientBarcode = cells[iPatient]!.trim();
    if (iType !== undefined && /^\d{2}$/.test(cells[iType]!.trim()))
      sample.sampleTypeCode = cells[iType]!.trim();
    if (iCancer !== undefined && !isMissing(cells[iCancer]!)) {
      sample.cancerType = cells[iCancer]!.trim().replace(/^(?:TCGA|TARGET)-/, '');
    }
    bySample.set(sample.sampleBarcode, sample);
    samples.push(sample);
    const row = pool.current();
    for (let k = 0; k < keptColumns.length; k++) {
      const cell = cells[keptColumns[k]!]!;
      row[k] = isCount ? readCount(cell, at, k) : readValue(cell, unit, true, at, k);
    }
    profiles.push(pool.take());
    if (attributeCells.length > 0) attributeRows.push({ line, cells });
  }
  if (samples.length === 0) {
    throw new InputError({
      file,
      line: table.headerLine,
      problem: 'the table has a header but no sample rows',
      fix: 'check that the export finished: after the header there must be one row per sample',
    });
  }
  // Samples x genes as read -> one row per gene (what the store writes).
  const rows: ValueRow[] = genes.map((_, g) => {
    const out = isCount ? new Uint32Array(samples.length) : new Float32Array(samples.length);
    for (let s = 0; s < samples.length; s++) out[s] = profiles[s]![g]!;
    return out;
  });
  const warnings = [...resolution.warnings];
  const matrix: ParsedMatrix = {
    file,
    unit,
    cancerType: matrixCancerType(file, options.cancerType, warnings),
    samples,
    genes,
    rows,
    unmapped: resolution.unmapped,
    warnings,
  };
  return {
    matrix,
    header,
    headerLine: table.headerLine,
    attributes,
    attributeRows,
    geneIds,
    entrezMapped: resolution.entrez,
  };
}

/**
 * The attribute columns as clinical records (readClinical), keyed by each sample's patient (after the
 * sidecar), keeping each column's place so messages name the right column; the sample-level columns (sample
 * type) are left out of the clinical fields.
 */
async function attributeClinical(
  file: string,
  read: TableRead,
  options: ExpressionTableOptions,
): Promise<ParsedClinical | null> {
  const { columns } = read.attributes;
  const last = Math.max(...columns);
  const header = read.header.slice(0, last + 1).map((h, j) => {
    if (j === 0) return 'patient';
    if (!columns.includes(j) || SAMPLE_TYPE_COLUMNS.includes(h.toLowerCase())) return '';
    return h;
  });
  if (header.slice(1).every((h) => h === '')) return null;
  const samples = read.matrix.samples;
  return readClinical(
    file,
    header,
    read.headerLine,
    read.attributeRows.map((r, s) => ({
      line: r.line,
      cells: [samples[s]!.patientBarcode, ...r.cells.slice(1, last + 1)],
    })),
    { survival: 'optional', ...(options.timeUnit === undefined ? {} : { timeUnit: options.timeUnit }) },
  );
}

/** Joins the sidecar's per-sample columns onto the table's samples (every sample must be there). */
async function joinSidecar(
  matrix: ParsedMatrix,
  sidecar: string,
  options: ExpressionTableOptions,
): Promise<{ clinical: ParsedClinical | null; columns: string[] }> {
  const table = await openTable(
    sidecar,
    options.delimiter === undefined ? {} : { delimiter: options.delimiter },
  );
  try {
    const header = table.header;
    const lower = header.map((h) => h.toLowerCase());
    const find = (names: readonly string[]): number => {
      for (const name of names) if (lower.includes(name)) return lower.indexOf(name);
      return -1;
    };
    const iSample = find(SAMPLE_ID_COLUMNS);
    if (iSample < 0 || header.length < 2) {
      throw new InputError({
        file: sidecar,
        line: table.headerLine,
        problem: `the sample table has no sample column (columns: ${header.join(', ')})`,
        fix: `name the column of sample IDs one of ${SAMPLE_ID_COLUMNS.join(', ')}, with a column per attribute (patient, cancer_type, sample_type_code, ...)`,
      });
    }
    const iPatient = find(PATIENT_COLUMNS);
    const iCancer = find(CANCER_COLUMNS);
    const iType = find(SAMPLE_TYPE_COLUMNS);
    const extra = header.map((_, j) => j).filter((j) => ![iSample, iPatient, iCancer, iType].includes(j));
    const rows = new Map<string, { line: number; cells: string[] }>();
    for (;;) {
      const text = await table.next();
      if (text === null) break;
      const cells = table.cells(text, header.length);
      const id = cells[iSample]!.trim();
      if (rows.has(id)) {
        throw new InputError({
          file: sidecar,
          line: table.line,
          column: iSample + 1,
          problem: `sample ${id} appears twice (lines ${rows.get(id)!.line} and ${table.line})`,
          fix: 'keep one row per sample',
        });
      }
      rows.set(id, { line: table.line, cells });
    }
    const missing: string[] = [];
    const joined: { sample: SampleHeader; line: number; cells: string[] }[] = [];
    for (const sample of matrix.samples) {
      const row = rows.get(sample.aliquotBarcode) ?? rows.get(sample.sampleBarcode);
      if (row === undefined) {
        missing.push(sample.aliquotBarcode);
        continue;
      }
      joined.push({ sample, ...row });
    }
    if (missing.length > 0) {
      throw new InputError({
        file: sidecar,
        line: table.headerLine,
        column: iSample + 1,
        problem: `${missing.length} of the ${matrix.samples.length} samples of ${matrix.file} are not in this sample table (e.g. ${examplesOf(missing)})`,
        fix: 'add a row for every sample of the expression table (or pass the right --samples file)',
      });
    }
    const used = new Set(joined.map((j) => j.line));
    const unused = [...rows].filter(([, r]) => !used.has(r.line)).map(([id]) => id);
    if (unused.length > 0) {
      matrix.warnings.push(
        `${sidecar}: ${unused.length} sample(s) of the sample table are not in ${matrix.file} and were ignored (e.g. ${examplesOf(unused)})`,
      );
    }
    for (const { sample, cells } of joined) {
      if (iPatient >= 0 && !isMissing(cells[iPatient]!)) sample.patientBarcode = cells[iPatient]!.trim();
      if (iCancer >= 0 && !isMissing(cells[iCancer]!)) {
        sample.cancerType = cells[iCancer]!.trim().replace(/^(?:TCGA|TARGET)-/, '');
      }
      if (iType >= 0 && /^\d{2}$/.test(cells[iType]!.trim())) sample.sampleTypeCode = cells[iType]!.trim();
    }
    if (extra.length === 0) return { clinical: null, columns: [] };
    const clinical = await readClinical(
      sidecar,
      ['patient', ...extra.map((j) => header[j]!)],
      table.headerLine,
      joined.map((j) => ({
        line: j.line,
        cells: [j.sample.patientBarcode, ...extra.map((e) => j.cells[e]!)],
      })),
      { survival: 'optional', ...(options.timeUnit === undefined ? {} : { timeUnit: options.timeUnit }) },
    );
    return { clinical, columns: extra.map((j) => header[j]!) };
  } finally {
    table.close();
  }
}

/** The table's attribute records with the sidecar's fields added (same patients, table survival kept). */
function mergeClinical(table: ParsedClinical, sidecar: ParsedClinical): ParsedClinical {
  const fields = new Map(sidecar.records.map((r) => [r.patientBarcode, r]));
  return {
    ...table,
    hasSurvival: table.hasSurvival !== false || sidecar.hasSurvival !== false,
    records: table.records.map((r) => {
      const s = fields.get(r.patientBarcode);
      if (s === undefined) return r;
      return {
        ...r,
        osDays: table.hasSurvival !== false ? r.osDays : s.osDays,
        osEvent: table.hasSurvival !== false ? r.osEvent : s.osEvent,
        cancerType: r.cancerType ?? s.cancerType,
        fields: { ...s.fields, ...r.fields },
      };
    }),
    warnings: [...table.warnings, ...sidecar.warnings],
  };
}
