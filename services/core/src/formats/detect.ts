// Recognising an input file's format from its header and first rows, so every parser can say "this is a
// clinical table, use `gexbert ingest clinical`" instead of failing on the first odd cell.

import { geneReference } from '../gene/reference.ts';
import { parseEnsemblId } from '../gene/resolve.ts';
import { parseBarcode } from './barcode.ts';
import { InputError } from './inputError.ts';
import { openTable, type TableOptions } from './table.ts';
import { isMissing, isNumberCell } from './values.ts';

export type FileFormat = 'counts' | 'xena' | 'gdc-star' | 'gdc-sample-sheet' | 'clinical' | 'unknown';

export interface FormatGuess {
  format: FileFormat;
  /** Why, in a few words (for messages). */
  reason: string;
}

/** The command that ingests each format. */
export const INGEST_COMMAND: Readonly<Record<FileFormat, string | null>> = {
  counts: 'gexbert ingest counts',
  xena: 'gexbert ingest xena',
  'gdc-star': 'gexbert ingest gdc',
  'gdc-sample-sheet': 'gexbert ingest gdc',
  clinical: 'gexbert ingest clinical',
  unknown: null,
};

const FORMAT_NAMES: Readonly<Record<FileFormat, string>> = {
  counts: 'a raw-counts matrix (genes x samples)',
  xena: 'a UCSC Xena-style matrix (genes x samples with fractional or missing values, e.g. log2(x+1))',
  'gdc-star': 'a GDC per-sample STAR gene-count file',
  'gdc-sample-sheet': 'a GDC sample sheet',
  clinical: 'a clinical table',
  unknown: 'an unrecognised table',
};

/** Column names (lower case) that only clinical tables have. */
export const CLINICAL_ID_COLUMNS: readonly string[] = [
  'patient',
  'patient_id',
  '_patient',
  'bcr_patient_barcode',
  'patient_barcode',
  'case_id',
  'case_submitter_id',
  'submitter_id',
];
export const SURVIVAL_COLUMNS: readonly string[] = [
  'os',
  'os.time',
  'os_time',
  'os_days',
  'os_months',
  'os_status',
  'os_event',
  'os_time_days',
  'vital_status',
  'days_to_death',
  'days_to_last_followup',
  'days_to_last_follow_up',
  'futime',
  'fustat',
  'dss',
  'dss.time',
  'pfi',
  'pfi.time',
];

/** A GENCODE v36 gene's Ensembl ID or exact symbol (no aliases or case folding: column names such as AGE stay out). */
function isKnownGene(id: string): boolean {
  const reference = geneReference();
  const ens = parseEnsemblId(id);
  if (ens !== null) return reference.byId(ens.ensemblId) !== undefined;
  return reference.bySymbol(id).length > 0;
}

const looksLikeGene = (id: string): boolean =>
  /^ENS[A-Z]*G\d{11}/i.test(id) || /^[A-Z][A-Z0-9-]{1,14}$/.test(id);

/** Classifies a table from its header, its first data rows (already split) and leading `#` comments. */
export function classifyTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  comments: readonly string[] = [],
): FormatGuess {
  const lower = header.map((h) => h.trim().toLowerCase());
  if (lower.includes('file id') && lower.includes('file name')) {
    return { format: 'gdc-sample-sheet', reason: "it has 'File ID' and 'File Name' columns" };
  }
  if (comments.some((c) => /gene-model/i.test(c))) {
    return { format: 'gdc-star', reason: `it starts with '${comments.find((c) => /gene-model/i.test(c))}'` };
  }
  if (lower[0] === 'gene_id' && lower.includes('unstranded')) {
    return { format: 'gdc-star', reason: "its header is 'gene_id gene_name gene_type unstranded ...'" };
  }
  if (rows.some((r) => /^N_(unmapped|multimapping|noFeature|ambiguous)$/.test(r[0] ?? ''))) {
    return { format: 'gdc-star', reason: 'it has N_unmapped / N_multimapping rows' };
  }
  const survival = header.filter((h) => SURVIVAL_COLUMNS.includes(h.trim().toLowerCase()));
  const ids = header.filter((h) => CLINICAL_ID_COLUMNS.includes(h.trim().toLowerCase()));
  const clinical = survival.length > 0 || ids.length > 0;
  const timeStatus = lower.includes('time') && (lower.includes('status') || lower.includes('event'));
  // Samples as rows with survival (or ID) columns first and genes after: an expression table. A clinical
  // table may hold a few gene columns too (mutations, markers); those are named in the reason.
  const rest = header.slice(1).filter((h) => !survival.includes(h) && !ids.includes(h));
  const genes = clinical || timeStatus ? rest.filter((h) => isKnownGene(h.trim())).length : 0;
  const named = [...ids, ...survival].slice(0, 3).join(', ') || 'time and status';
  if (genes >= 3 && genes * 2 > rest.length) {
    return {
      format: 'unknown',
      reason: `samples are rows and genes are columns (a transposed matrix), with attribute columns such as ${named}`,
    };
  }
  const withGenes = genes >= 3 ? ` and ${genes} columns named as genes` : '';
  if (clinical) {
    return {
      format: 'clinical',
      reason: `it has the column(s) ${[...ids, ...survival].slice(0, 4).join(', ')}${withGenes}`,
    };
  }
  if (timeStatus) {
    return { format: 'clinical', reason: `it has 'time' and 'status'/'event' columns${withGenes}` };
  }
  if (header.length < 2 || rows.length === 0) return { format: 'unknown', reason: 'too few columns or rows' };

  const firstColumn = rows.map((r) => (r[0] ?? '').trim());
  const barcodeRows = firstColumn.filter((id) => parseBarcode(id) !== null).length;
  const geneHeaders = header.slice(1).filter((h) => looksLikeGene(h.trim())).length;
  if (barcodeRows > rows.length / 2 && geneHeaders > (header.length - 1) / 2) {
    return { format: 'unknown', reason: 'samples are rows and genes are columns (a transposed matrix)' };
  }
  if (barcodeRows > rows.length / 2) {
    return { format: 'clinical', reason: 'its rows are patients or samples, not genes' };
  }
  let numeric = 0;
  let missing = 0;
  let fractional = 0;
  let text = 0;
  for (const row of rows) {
    for (let j = 1; j < row.length; j++) {
      const cell = row[j]!;
      if (isMissing(cell)) missing++;
      else if (isNumberCell(cell)) {
        numeric++;
        if (!Number.isInteger(Number(cell))) fractional++;
      } else text++;
    }
  }
  const values = numeric + missing + text;
  if (values === 0 || text > values * 0.2) return { format: 'unknown', reason: 'its values are not numeric' };
  // A few odd cells (a typo in a counts file) do not make a normalised matrix; 5% of the values (and at
  // least 3) do.
  if (missing + fractional >= Math.max(3, 0.05 * values)) {
    return {
      format: 'xena',
      reason: `its values include ${missing > 0 ? 'missing (NA/blank)' : ''}${missing > 0 && fractional > 0 ? ' and ' : ''}${fractional > 0 ? 'fractional' : ''} values`,
    };
  }
  return { format: 'counts', reason: 'its values are whole numbers' };
}

/** Classifies a file from its first lines (never throws: unreadable or empty files are 'unknown'). */
export async function sniffFile(file: string, options: TableOptions = {}, rows = 20): Promise<FormatGuess> {
  try {
    const table = await openTable(file, options);
    try {
      const head = await table.peek(rows);
      return classifyTable(
        table.header,
        head.map((r) => table.split(r.text, r.line)),
        table.comments,
      );
    } finally {
      table.close();
    }
  } catch (error) {
    if (error instanceof InputError) return { format: 'unknown', reason: error.problem };
    throw error;
  }
}

/** 'counts' | 'xena' | 'gdc-star' | 'gdc-sample-sheet' | 'clinical' | 'unknown', from the first lines. */
export async function sniffFormat(file: string, options: TableOptions = {}): Promise<FileFormat> {
  return (await sniffFile(file, options)).format;
}

/** The error for a file of another format given to a command. */
export function wrongFormatError(
  file: string,
  line: number,
  expected: string,
  guess: FormatGuess,
  usage = '<file>',
): InputError {
  const command = INGEST_COMMAND[guess.format];
  return new InputError({
    file,
    line,
    problem: `this looks like ${FORMAT_NAMES[guess.format]} (${guess.reason}), not ${expected}`,
    fix:
      guess.format === 'unknown' && guess.reason.includes('transposed')
        ? `use \`gexbert ingest table ${usage}\` for a table with samples as rows (it also reads Entrez IDs and attribute columns)`
        : command === null
          ? 'check that this is the right file'
          : guess.format === 'clinical' && guess.reason.includes('columns named as genes')
            ? `use \`gexbert ingest clinical ${usage}\` for a clinical table, or \`gexbert ingest table ${usage}\` for expression values with attribute columns`
            : guess.format === 'gdc-star' || guess.format === 'gdc-sample-sheet'
              ? `use \`${command} <dir> --sample-sheet <gdc_sample_sheet.tsv>\` for GDC downloads`
              : `use \`${command} ${usage}\` for this file`,
  });
}
