// `gexbert ingest gdc`: GDC per-sample STAR gene-count files plus the GDC sample sheet that says which sample
// each file belongs to.
//
// STAR file (`*.rna_seq.augmented_star_gene_counts.tsv`, plain or gzip):
//   # gene-model: GENCODE v36
//   gene_id  gene_name  gene_type  unstranded  stranded_first  stranded_second  tpm_unstranded  fpkm_unstranded  fpkm_uq_unstranded
//   N_unmapped ... N_multimapping ... N_noFeature ... N_ambiguous ...      (STAR summary rows: skipped)
//   ENSG00000000003.15  TSPAN6  protein_coding  2140  1076  1064  39.1171  11.0204  12.6637
// Sample sheet (TSV from the GDC cart): File ID, File Name, Data Category, Data Type, Project ID, Case ID,
// Sample ID, Sample Type. Files may sit directly in the directory or in per-file-ID subfolders
// (<dir>/<File ID>/<File Name>, as gdc-client downloads them). Rows of other data types are ignored.
//
// Result: one ParsedMatrix per unit (RAW_COUNT from `unstranded`, TPM, FPKM, FPKM_UQ), samples in sheet
// order, genes in file order; every file must list the same genes in the same order.

import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { detach, GeneResolver } from '../gene/resolve.ts';
import { parseBarcode, sampleHeader } from './barcode.ts';
import { classifyTable, sniffFile, wrongFormatError } from './detect.ts';
import { InputError } from './inputError.ts';
import { RowPool } from './rowPool.ts';
import { openTable } from './table.ts';
import type { ExpressionUnit, ParsedMatrix, ResolvedGene, SampleHeader, ValueRow } from './types.ts';
import { type CellAt, readCount, readValue } from './values.ts';

/** The STAR column each unit is read from; the units are the schema's (ExpressionUnit). */
export const GDC_UNIT_COLUMNS = {
  RAW_COUNT: 'unstranded',
  TPM: 'tpm_unstranded',
  FPKM: 'fpkm_unstranded',
  FPKM_UQ: 'fpkm_uq_unstranded',
} as const satisfies Partial<Record<ExpressionUnit, string>>;

/** A unit a GDC STAR file gives. */
export type GdcUnit = keyof typeof GDC_UNIT_COLUMNS;
const ALL_UNITS = Object.keys(GDC_UNIT_COLUMNS) as GdcUnit[];

export interface GdcOptions {
  /** Units to read (default all four; fewer saves memory: 4 bytes per gene, sample and unit). */
  units?: readonly GdcUnit[];
  /** Keep gene IDs unknown to GENCODE v36 as given. */
  allowUnknownGenes?: boolean;
}

export interface GdcSheetRow {
  line: number;
  fileId: string;
  fileName: string;
  dataCategory: string | null;
  dataType: string | null;
  projectId: string;
  caseId: string | null;
  sampleId: string;
  sampleType: string | null;
}

export interface GdcSampleSheet {
  file: string;
  rows: GdcSheetRow[];
  warnings: string[];
}

const SHEET_REQUIRED = ['File ID', 'File Name', 'Project ID', 'Sample ID'] as const;
const SHEET_OPTIONAL = ['Data Category', 'Data Type', 'Case ID', 'Sample Type'] as const;
const EXPRESSION_DATA_TYPE = 'Gene Expression Quantification';

/** Reads and checks a GDC sample sheet. */
export async function parseGdcSampleSheet(file: string): Promise<GdcSampleSheet> {
  const table = await openTable(file);
  try {
    const head = await table.peek(10);
    const names = table.header;
    const index = (name: string): number => names.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    const missing = SHEET_REQUIRED.filter((name) => index(name) < 0);
    if (missing.length > 0) {
      const guess = classifyTable(
        names,
        head.map((r) => table.split(r.text, r.line)),
        table.comments,
      );
      if (guess.format !== 'unknown' && guess.format !== 'gdc-sample-sheet') {
        throw wrongFormatError(file, table.headerLine, 'a GDC sample sheet', guess);
      }
      throw new InputError({
        file,
        line: table.headerLine,
        problem: `this is not a GDC sample sheet: no column ${missing.map((m) => `'${m}'`).join(', ')} (found: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''})`,
        fix: `pass the sample sheet downloaded from the GDC cart ("Sample Sheet" button), with columns ${[...SHEET_REQUIRED, ...SHEET_OPTIONAL].join(', ')}`,
      });
    }
    const col = Object.fromEntries(
      [...SHEET_REQUIRED, ...SHEET_OPTIONAL].map((n) => [n, index(n)]),
    ) as Record<(typeof SHEET_REQUIRED)[number] | (typeof SHEET_OPTIONAL)[number], number>;
    const rows: GdcSheetRow[] = [];
    const warnings: string[] = [];
    const skipped: string[] = [];
    const byFileId = new Map<string, GdcSheetRow>();
    const byFileName = new Map<string, GdcSheetRow>();
    const bySample = new Map<string, GdcSheetRow>();
    for (;;) {
      const text = await table.next();
      if (text === null) break;
      const line = table.line;
      const cells = table.cells(text).map((c) => c.trim());
      const get = (i: number): string | null => (i < 0 ? null : cells[i] || null);
      const required = (name: (typeof SHEET_REQUIRED)[number]): string => {
        const value = get(col[name]);
        if (value === null) {
          throw new InputError({
            file,
            line,
            column: col[name] + 1,
            problem: `the '${name}' cell is empty`,
            fix: 'fill it in or download the sample sheet again from the GDC cart',
          });
        }
        return value;
      };
      const row: GdcSheetRow = {
        line,
        fileId: required('File ID'),
        fileName: required('File Name'),
        dataCategory: get(col['Data Category']),
        dataType: get(col['Data Type']),
        projectId: required('Project ID'),
        caseId: get(col['Case ID']),
        sampleId: required('Sample ID'),
        sampleType: get(col['Sample Type']),
      };
      if (row.dataType !== null && row.dataType !== EXPRESSION_DATA_TYPE) {
        skipped.push(`line ${line}: ${row.fileName} (${row.dataType})`);
        continue;
      }
      if (row.sampleId.includes(',')) {
        throw new InputError({
          file,
          line,
          column: col['Sample ID'] + 1,
          problem: `file ${row.fileName} is listed for several samples (${row.sampleId})`,
          fix: 'gene-expression files belong to one sample each: check that this is a sample sheet for STAR - Counts files',
        });
      }
      for (const [map, key, what] of [
        [byFileId, row.fileId, 'File ID'],
        [byFileName, row.fileName, 'File Name'],
        [bySample, row.sampleId, 'Sample ID'],
      ] as const) {
        const first = map.get(key);
        if (first !== undefined) {
          throw new InputError({
            file,
            line,
            column: col[what] + 1,
            problem: `${what} ${key} appears twice: lines ${first.line} and ${line}`,
            fix:
              what === 'Sample ID'
                ? 'keep one expression file per sample: remove one of the two lines (and its file)'
                : 'remove the duplicate line',
          });
        }
        map.set(key, row);
      }
      rows.push(row);
    }
    if (skipped.length > 0) {
      warnings.push(
        `${file}: ${skipped.length} line(s) are not ${EXPRESSION_DATA_TYPE} files and were ignored (${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', ...' : ''})`,
      );
    }
    if (rows.length === 0) {
      throw new InputError({
        file,
        line: table.headerLine,
        problem: `the sample sheet lists no ${EXPRESSION_DATA_TYPE} files`,
        fix: 'download the sample sheet for a cart of STAR - Counts gene-expression files',
      });
    }
    return { file, rows, warnings };
  } finally {
    table.close();
  }
}

const IGNORED_NAMES = new Set(['manifest.txt', 'annotations.txt', 'md5sum.txt']);

/** Regular files under dir (three levels deep at most), skipping hidden entries and `logs` folders. */
async function listFiles(dir: string, depth = 0): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new InputError({
      file: dir,
      problem: `cannot read the directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      fix: 'pass the directory holding the GDC download',
    });
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth < 2 && entry.name !== 'logs') files.push(...(await listFiles(path, depth + 1)));
    } else if (entry.isFile() && !IGNORED_NAMES.has(entry.name.toLowerCase())) {
      files.push(path);
    }
  }
  return files;
}

/** Finds each sheet row's file in dir; throws for missing files and for STAR files the sheet lacks. */
async function locateFiles(
  dir: string,
  sheet: GdcSampleSheet,
): Promise<{ files: string[]; warnings: string[] }> {
  const info = await stat(dir).catch(() => null);
  if (info === null || !info.isDirectory()) {
    throw new InputError({
      file: dir,
      problem: info === null ? 'directory not found' : 'this is a file, not a directory',
      fix: 'pass the directory holding the downloaded GDC files (and the sample sheet with --sample-sheet)',
    });
  }
  const all = await listFiles(dir);
  const byName = new Map<string, string[]>();
  for (const f of all) {
    const name = basename(f);
    const list = byName.get(name);
    if (list) list.push(f);
    else byName.set(name, [f]);
  }
  const sheetPath = resolve(sheet.file);
  const used = new Set<string>([sheetPath]);
  const files: string[] = [];
  for (const row of sheet.rows) {
    const nested = all.find(
      (f) => f === join(dir, row.fileId, row.fileName) || f === join(dir, row.fileId, `${row.fileName}.gz`),
    );
    const candidates = nested
      ? [nested]
      : [...(byName.get(row.fileName) ?? []), ...(byName.get(`${row.fileName}.gz`) ?? [])];
    const found = candidates.find((f) => !used.has(resolve(f)));
    if (found === undefined) {
      throw new InputError({
        file: sheet.file,
        line: row.line,
        problem: `${row.fileName} (File ID ${row.fileId}) is listed in the sample sheet but is not in ${dir}`,
        fix: `download it (gdc-client download ${row.fileId}) into ${dir}, or remove line ${row.line} from the sample sheet`,
      });
    }
    used.add(resolve(found));
    files.push(found);
  }
  const warnings: string[] = [];
  const ignored: string[] = [];
  for (const f of all) {
    if (used.has(resolve(f))) continue;
    const guess = await sniffFile(f);
    if (guess.format === 'gdc-star') {
      throw new InputError({
        file: f,
        problem: `this STAR gene-count file is not in the sample sheet ${sheet.file}, so its sample is unknown`,
        fix: 'download a sample sheet that covers every file (the whole cart), or move this file out of the directory',
      });
    }
    ignored.push(f);
  }
  if (ignored.length > 0) {
    warnings.push(
      `${dir}: ${ignored.length} file(s) that are not STAR gene-count files were ignored (${ignored.slice(0, 3).join(', ')}${ignored.length > 3 ? ', ...' : ''})`,
    );
  }
  return { files, warnings };
}

const cancerTypeOf = (projectId: string): string | null => {
  const m = /^(?:TCGA|TARGET)-([A-Za-z0-9]+)$/.exec(projectId);
  return m ? m[1]! : null;
};

/** Reads a GDC download: one ParsedMatrix per unit (RAW_COUNT, TPM, FPKM, FPKM_UQ by default). */
export async function parseGdc(
  dir: string,
  sampleSheet: string,
  opts: GdcOptions = {},
): Promise<ParsedMatrix[]> {
  const units = opts.units ?? ALL_UNITS;
  const sheet = await parseGdcSampleSheet(sampleSheet);
  const located = await locateFiles(dir, sheet);
  const warnings = [...sheet.warnings, ...located.warnings];
  const nSamples = sheet.rows.length;

  const samples: SampleHeader[] = sheet.rows.map((row, s) => {
    const header = sampleHeader(row.sampleId, s + 1, row.projectId);
    const barcode = parseBarcode(row.sampleId);
    if (row.caseId !== null && barcode !== null && barcode.patientBarcode !== row.caseId) {
      throw new InputError({
        file: sheet.file,
        line: row.line,
        problem: `Sample ID ${row.sampleId} does not belong to Case ID ${row.caseId}`,
        fix: 'the sample sheet is inconsistent: download it again from the GDC cart',
      });
    }
    if (barcode === null && row.caseId !== null) header.patientBarcode = row.caseId;
    return { ...header, sourceFile: located.files[s]! };
  });

  // Filled while reading the first file, then fixed for the others.
  let geneIds: string[] = [];
  let geneLines: number[] = [];
  let first: string | null = null;
  let perUnit: ValueRow[][] = [];
  let firstValues: number[][] = units.map(() => []);

  for (let s = 0; s < nSamples; s++) {
    const file = located.files[s]!;
    const sample = samples[s]!;
    const table = await openTable(file);
    try {
      const head = await table.peek(6);
      const cols = table.header.map((h) => h.toLowerCase());
      const iGene = cols.indexOf('gene_id');
      const unitCols = units.map((u) => cols.indexOf(GDC_UNIT_COLUMNS[u]));
      if (iGene < 0 || unitCols.some((c) => c < 0)) {
        const guess = classifyTable(
          table.header,
          head.map((r) => table.split(r.text, r.line)),
          table.comments,
        );
        if (guess.format !== 'unknown' && guess.format !== 'gdc-star') {
          throw wrongFormatError(
            file,
            table.headerLine,
            `a GDC STAR gene-count file (${sheet.file}, line ${sheet.rows[s]!.line})`,
            guess,
          );
        }
        const htseq = /^ENSG\d{11}/.test(table.header[0] ?? '') && table.header.length === 2;
        throw new InputError({
          file,
          line: table.headerLine,
          problem: `this is not a GDC STAR gene-count file: no column ${['gene_id', ...units.map((u) => GDC_UNIT_COLUMNS[u])].filter((c) => !cols.includes(c)).join(', ')} (found: ${table.header.slice(0, 10).join(', ')})`,
          fix: htseq
            ? 'this looks like a legacy HTSeq count file: download the current STAR - Counts files (GENCODE v36) instead'
            : 'download the "STAR - Counts" gene expression files (workflow type) from the GDC',
        });
      }
      const model = table.comments.find((c) => /gene-model/i.test(c));
      if (model !== undefined && !/v36\b/i.test(model)) {
        warnings.push(
          `${file}:1: '${model.replace(/^#\s*/, '')}' (expected GENCODE v36); genes are still matched by Ensembl ID`,
        );
      }
      const width = table.header.length;
      let g = 0;
      // One location callback per file (called only to build an error), reading the current row.
      let line = 0;
      let id = '';
      const at = (u: number): CellAt => ({
        file,
        line,
        column: unitCols[u]! + 1,
        sample: `${sample.aliquotBarcode} (${GDC_UNIT_COLUMNS[units[u]!]})`,
        gene: id,
      });
      for (;;) {
        const text = await table.next();
        if (text === null) break;
        line = table.line;
        const cells = table.cells(text, width, line);
        id = cells[iGene]!.trim();
        if (id.startsWith('N_')) continue;
        if (first === null) {
          geneIds.push(detach(id));
          geneLines.push(line);
        } else if (g >= geneIds.length || geneIds[g] !== id) {
          throw new InputError({
            file,
            line,
            column: iGene + 1,
            problem:
              g >= geneIds.length
                ? `this file has more genes than ${first} (${geneIds.length}); extra gene ${id}`
                : `gene ${id} here, but ${geneIds[g]} at the same position in ${first} (line ${geneLines[g]})`,
            fix: 'every file must list the same genes (GDC STAR - Counts, GENCODE v36): re-download this file, or remove it and its sample-sheet line',
          });
        }
        for (let u = 0; u < units.length; u++) {
          const cell = cells[unitCols[u]!]!;
          const value =
            units[u] === 'RAW_COUNT' ? readCount(cell, at, u) : readValue(cell, units[u]!, false, at, u);
          if (first === null) {
            firstValues[u]!.push(value);
          } else {
            perUnit[u]![g]![s] = value;
          }
        }
        g++;
      }
      if (first === null) {
        if (geneIds.length === 0) {
          throw new InputError({
            file,
            line: table.headerLine,
            problem: 'this STAR gene-count file has no gene rows',
            fix: 'the download is incomplete: download the file again',
          });
        }
        first = file;
        perUnit = units.map((u, k) => {
          const pool = new RowPool(u === 'RAW_COUNT', nSamples);
          return geneIds.map((_, gi) => {
            const row = pool.take();
            row[0] = firstValues[k]![gi]!;
            return row;
          });
        });
        firstValues = [];
      } else if (g < geneIds.length) {
        throw new InputError({
          file,
          line: table.line || table.headerLine,
          problem: `this file has ${g} genes but ${first} has ${geneIds.length}; it ends before gene ${geneIds[g]}`,
          fix: 'every file must list the same genes: re-download this file (it may be truncated), or remove it and its sample-sheet line',
        });
      }
    } finally {
      table.close();
    }
  }

  // Resolve the first file's gene IDs once; drop rows that do not resolve (e.g. _PAR_Y).
  const resolver = new GeneResolver({ file: first!, allowUnknownGenes: opts.allowUnknownGenes ?? false });
  const genes: ResolvedGene[] = [];
  const keep: number[] = [];
  geneIds.forEach((id, gi) => {
    const gene = resolver.resolve(id, geneLines[gi]!);
    if (gene !== null) {
      genes.push(gene);
      keep.push(gi);
    }
  });
  const resolution = resolver.finish();
  geneIds = [];
  geneLines = [];

  const projects = new Set(sheet.rows.map((r) => r.projectId));
  const cancerType = projects.size === 1 ? cancerTypeOf([...projects][0]!) : null;
  return units.map((unit, u) => ({
    file: dir,
    unit: unit as ExpressionUnit,
    cancerType,
    samples,
    genes,
    rows: keep.map((gi) => perUnit[u]![gi]!),
    unmapped: resolution.unmapped,
    warnings: [...warnings, ...resolution.warnings],
  }));
}
