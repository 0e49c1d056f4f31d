// Ingest: parse and validate every file first, then store them all in one transaction.
// A command either stores everything it was given or stores none of it; a failed command is recorded as
// one FAILED import carrying its error (failure.ts).
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import {
  type ExpressionTableOptions,
  findSidecar,
  type Orientation,
  type ParsedTable,
  parseExpressionTable,
} from '../formats/expressionTable.ts';
import { parseClinical, parseCountsMatrix, parseGdc, parseXena } from '../formats/index.ts';
import type { ExpressionUnit, ParsedMatrix } from '../formats/types.ts';
import { type Attempt, recordingFailure } from './failure.ts';
import { dataFiles } from './files.ts';
import { type ClinicalImportResult, importClinical } from './importClinical.ts';
import { importMatrices } from './importMatrices.ts';
import { describeSource, type ImportSource } from './source.ts';
import { alreadyImported, type ImportKind, type ImportResult, withImportTransaction } from './transaction.ts';

export type { ClinicalImportResult } from './importClinical.ts';
export type { ImportResult } from './transaction.ts';

export interface IngestOptions {
  cohort?: string;
  onProgress?: (done: number, total: number) => void;
  /** Called when each file has been parsed, before anything is written. */
  onParsed?: (file: string, matrix: ParsedMatrix) => void;
  /** Recorded as the import's path instead of the local file's (e.g. `upload:counts.tsv` for an upload). */
  origin?: string;
  /** The file's name in errors and the import record instead of the local path (an upload's own name). */
  label?: string;
}

export interface CountsOptions extends IngestOptions {
  cancerType?: string;
  unit?: ExpressionUnit;
  allowUnknownGenes?: boolean;
}

export interface FileImport extends ImportResult {
  file: string;
  unmapped: number;
  /** What `ingest table` found out about the table (absent for the other commands and unchanged imports). */
  table?: TableReport;
}

/** How `ingest table` read a table, for its report. */
export interface TableReport {
  orientation: Orientation;
  orientationFrom: 'detected' | 'forced';
  unit: ExpressionUnit;
  unitDetected: boolean;
  attributeColumns: string[];
  attributesFrom: 'names' | 'forced';
  /** The per-sample sidecar read, and whether it was found beside the table without being named. */
  sidecar: string | null;
  sidecarFound: boolean;
  geneIds: number;
  genesMapped: number;
  entrezMapped: number;
  unmappedIds: string[];
  /** Samples per cancer type (null key: unknown), and the patients whose attributes were stored. */
  cancerTypes: Record<string, number>;
  clinicalImportId: number | null;
  clinicalPatients: number;
}

export interface TableIngestOptions extends IngestOptions, Omit<ExpressionTableOptions, 'delimiter'> {}

/** One source to import: what describes it (for idempotence) and how to parse it. */
interface Pending {
  target: string;
  files: readonly string[];
  format: string;
  parse: () => Promise<ParsedMatrix[]>;
  /** Stores what else the source held, in the same transaction, after its matrices (ingest table). */
  afterImport?: (client: pg.PoolClient, source: ImportSource, result: FileImport) => Promise<void>;
}

/** `gexbert ingest counts`: genes x samples count matrices (a file, or a directory's count files). */
export async function ingestCounts(
  pool: pg.Pool,
  target: string,
  options: CountsOptions = {},
): Promise<FileImport[]> {
  const attempt = attemptOf('COUNTS', target, [target], 'counts-matrix', options);
  return recordingFailure(pool, attempt.current, () => {
    const pending = dataFiles(target, /counts/i).map((file) => ({
      target: file,
      files: [file],
      format: 'counts-matrix',
      parse: async () => [
        await parseCountsMatrix(file, {
          cancerType: options.cancerType,
          unit: options.unit,
          allowUnknownGenes: options.allowUnknownGenes,
        }),
      ],
    }));
    return storeMatrices(pool, pending, attempt, options);
  });
}

/** `gexbert ingest xena`: a UCSC Xena genomic matrix (log2(x+1), NA for missing). */
export async function ingestXena(
  pool: pg.Pool,
  file: string,
  options: IngestOptions & { unit?: ExpressionUnit } = {},
): Promise<FileImport[]> {
  const parse = async () => [await parseXena(file, { unit: options.unit })];
  const attempt = attemptOf('XENA', file, [file], 'xena-matrix', options);
  return recordingFailure(pool, attempt.current, () =>
    storeMatrices(pool, [{ target: file, files: [file], format: 'xena-matrix', parse }], attempt, options),
  );
}

/** `gexbert ingest gdc`: GDC STAR gene-count files with their sample sheet (raw counts, TPM, FPKM, FPKM-UQ). */
export async function ingestGdc(
  pool: pg.Pool,
  dir: string,
  sampleSheet: string,
  options: IngestOptions = {},
): Promise<FileImport[]> {
  const attempt = attemptOf('GDC', dir, [sampleSheet], 'gdc-star', options);
  return recordingFailure(pool, attempt.current, () => {
    const files = [
      sampleSheet,
      ...allFiles(dir).filter((f) => path.resolve(f) !== path.resolve(sampleSheet)),
    ];
    const parse = () => parseGdc(dir, sampleSheet);
    return storeMatrices(pool, [{ target: dir, files, format: 'gdc-star', parse }], attempt, options);
  });
}

/**
 * `gexbert ingest table`: an expression table in either orientation (samples as rows or genes as rows),
 * with attribute columns split off into the clinical store, Entrez IDs and aliases mapped through NCBI Gene,
 * and a per-sample sidecar (`samples`, or `<name>_samples.tsv` beside `<name>_expression.tsv.gz`). The
 * table, its attributes and the sidecar's are stored in one transaction (an import TABLE, and a CLINICAL one
 * for the attributes), or nothing is.
 */
export async function ingestTable(
  pool: pg.Pool,
  file: string,
  options: TableIngestOptions = {},
): Promise<FileImport[]> {
  const sidecar = options.samples ?? findSidecar(file);
  const files = sidecar === null ? [file] : [file, sidecar];
  const attempt = attemptOf('TABLE', file, files, 'expression-table', options);
  let parsed: ParsedTable | undefined;
  const parse = async () => {
    parsed = await parseExpressionTable(file, options);
    return [parsed.matrix];
  };
  const afterImport = async (client: pg.PoolClient, source: ImportSource, result: FileImport) => {
    const table = parsed!;
    let clinicalImportId: number | null = null;
    let clinicalPatients = 0;
    if (table.clinical !== null) {
      const clinical = await importClinical(
        client,
        { ...source, format: 'expression-table/attributes' },
        table.clinical,
      );
      clinicalImportId = clinical.id;
      clinicalPatients = clinical.matched;
    }
    const cancerTypes: Record<string, number> = {};
    for (const s of table.matrix.samples) {
      const type = s.cancerType ?? table.matrix.cancerType ?? 'unknown';
      cancerTypes[type] = (cancerTypes[type] ?? 0) + 1;
    }
    result.table = {
      orientation: table.orientation,
      orientationFrom: table.orientationFrom,
      unit: table.matrix.unit,
      unitDetected: table.unitDetected,
      attributeColumns: table.attributeColumns,
      attributesFrom: table.attributesFrom,
      sidecar: table.sidecar,
      sidecarFound: table.sidecarFound,
      geneIds: table.geneIds,
      genesMapped: table.matrix.genes.length,
      entrezMapped: table.entrezMapped,
      unmappedIds: table.matrix.unmapped,
      cancerTypes,
      clinicalImportId,
      clinicalPatients,
    };
    result.warnings = [...table.matrix.warnings, ...(table.clinical?.warnings ?? [])];
  };
  return recordingFailure(pool, attempt.current, () =>
    storeMatrices(
      pool,
      [{ target: file, files, format: 'expression-table', parse, afterImport }],
      attempt,
      options,
    ),
  );
}

/** The source being imported, updated as a command moves from one source to the next. */
interface AttemptTracker {
  current: () => Attempt;
  moveTo: (item: Pending) => void;
}

function attemptOf(
  kind: ImportKind,
  target: string,
  files: readonly string[],
  format: string,
  options: IngestOptions,
): AttemptTracker {
  let attempt: Attempt = { kind, target, files, format, origin: options.origin, label: options.label };
  return {
    current: () => attempt,
    moveTo: (item) => {
      attempt = { ...attempt, target: item.target, files: item.files, format: item.format };
    },
  };
}

/**
 * Imports each source in turn inside ONE transaction: a source imported before is skipped unparsed;
 * any error anywhere rolls back every source.
 */
async function storeMatrices(
  pool: pg.Pool,
  pending: readonly Pending[],
  attempt: AttemptTracker,
  options: IngestOptions,
): Promise<FileImport[]> {
  const kind = attempt.current().kind;
  return withImportTransaction(pool, async (client) => {
    const results: FileImport[] = [];
    for (const item of pending) {
      attempt.moveTo(item);
      const source = withOrigin(await describeSource(item.target, item.format, item.files), options.origin);
      const previous = await alreadyImported(client, source, kind);
      if (previous) {
        // Imported before: nothing is written, not even a cohort this run names (its samples are where the
        // first import put them; a cohort of them is made in the portal or with createCohort).
        results.push({ ...previous, file: item.target, unmapped: 0 });
        continue;
      }
      const matrices = await item.parse();
      for (const m of matrices) options.onParsed?.(item.target, m);
      const result = await importMatrices(client, source, matrices, {
        kind,
        cohort: options.cohort,
        onProgress: options.onProgress,
      });
      const imported: FileImport = { ...result, file: item.target, unmapped: matrices[0]!.unmapped.length };
      await item.afterImport?.(client, source, imported);
      results.push(imported);
    }
    return results;
  });
}

/** Every file under `dir`, recursively (GDC downloads put each file in a folder named by its file ID). */
function allFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** `gexbert ingest clinical`: survival and clinical fields for patients already in the database. */
export async function ingestClinical(
  pool: pg.Pool,
  file: string,
  options: { timeUnit?: 'days' | 'months'; origin?: string; label?: string } = {},
): Promise<ClinicalImportResult> {
  let attempt: Attempt = {
    kind: 'CLINICAL',
    target: file,
    files: [file],
    format: 'clinical',
    origin: options.origin,
    label: options.label,
  };
  return recordingFailure(
    pool,
    () => attempt,
    async () => {
      const clinical = await parseClinical(file, options);
      attempt = { ...attempt, format: `clinical/${clinical.shape}` };
      const source = withOrigin(await describeSource(file, attempt.format), options.origin);
      return withImportTransaction(pool, (client) => importClinical(client, source, clinical));
    },
  );
}

function withOrigin<S extends { filePath: string }>(source: S, origin: string | undefined): S {
  return origin === undefined ? source : { ...source, filePath: origin };
}
