// `gexbert ingest clinical`: overall survival (and every other column as text) per patient, from the table
// shapes people have. Column names are matched ignoring case.
//
// - pancan_os  (../shared/data/tcga/clinical/tcga_pancan_os.tsv.gz): patient, cancer_type, vital_status,
//              days_to_death, days_to_last_followup, OS_time_days (days), OS_event (1 = died).
// - xena       (UCSC Xena phenotype/survival): sample and/or _PATIENT, OS (1 = died), OS.time (days),
//              optionally `cancer type abbreviation`. One row per sample: the patient barcode is _PATIENT or
//              the first 12 characters of a TCGA-style sample barcode.
// - cbioportal (data_clinical_patient.txt): `#` header comment lines, PATIENT_ID, OS_STATUS (1:DECEASED /
//              0:LIVING, or DECEASED / LIVING), OS_MONTHS (months).
// - generic    any table with an ID column (ID, patient, patient_id, case_submitter_id, sample, ...), a time
//              column (time, OS_time, survival_time, futime, os_days, os_months, ...) and an event column
//              (OS_status, status, event, OS_event, fustat, vital_status, ...). The time unit comes from the
//              column name when it says (…days…, …months…), else from `timeUnit` (required then). GDC-style
//              tables without a time column (vital_status, days_to_death, days_to_last_follow_up) get
//              OS = days_to_death for the dead, days_to_last_follow_up for the living.
// Months are converted to days x 30.4375 (the mean Gregorian month, 365.25 / 12); days are kept as given.
// Events: 1/0, 1:DECEASED/0:LIVING, DECEASED/LIVING, Dead/Alive, TRUE/FALSE. Missing values (NA, empty,
// [Not Available], --, Not Reported, Unknown, ...) give null; such rows are kept. Negative times are errors, except stray ones
// (see ClinicalOptions.negativeTimes), which are read as missing. One record per data row, in file order
// (patients appearing twice are for the importer to reconcile).

import { patientOf } from './barcode.ts';
import { classifyTable, wrongFormatError } from './detect.ts';
import { InputError } from './inputError.ts';
import { openTable, type Table } from './table.ts';
import type { ClinicalRecord, ParsedClinical } from './types.ts';
import { isMissing, parseNumber } from './values.ts';

/** Days per month used to convert survival times given in months. */
export const DAYS_PER_MONTH = 30.4375;

export interface ClinicalOptions {
  /** Unit of the time column of a generic table whose column name does not say (e.g. `time`). */
  timeUnit?: 'days' | 'months';
  /** Cancer type for rows without a cancer-type column. */
  cancerType?: string;
  /** Force the delimiter; default: detected from the header. */
  delimiter?: string;
  /**
   * Negative survival times: 'error' rejects the file, 'missing' reads them as unknown (with a warning),
   * 'auto' (default) reads them as missing when they are at most 1% of the times (stray data-entry errors,
   * as in TCGA: 10 of 10,951 in the pan-cancer table) and rejects the file otherwise.
   */
  negativeTimes?: 'error' | 'missing' | 'auto';
}

/** Share of negative survival times tolerated (read as missing) under negativeTimes 'auto'. */
export const NEGATIVE_TIME_TOLERANCE = 0.01;

type Shape = ParsedClinical['shape'];

export const ID_COLUMNS: readonly string[] = [
  '_patient',
  'patient_id',
  'patient',
  'bcr_patient_barcode',
  'case_submitter_id',
  'submitter_id',
  'id',
  'case_id',
  'patient_barcode',
  'sample',
  'sample_id',
  'barcode',
];
export const TIME_COLUMNS: readonly string[] = [
  'os_time_days',
  'os.time',
  'os_months',
  'os_days',
  'os_time',
  'time',
  'survival_time',
  'survival_days',
  'survival_months',
  'os.months',
  'os.days',
  'futime',
];
export const EVENT_COLUMNS: readonly string[] = [
  'os_event',
  'os_status',
  'os',
  'os.status',
  'os.event',
  'status',
  'event',
  'fustat',
  'vital_status',
  'death',
  'dead',
];
export const CANCER_COLUMNS: readonly string[] = [
  'cancer_type',
  'cancer type abbreviation',
  'cancer_type_acronym',
  'acronym',
  'project_id',
  'type',
];

const DEAD = new Set(['1', '1.0', 'dead', 'deceased', 'died', 'true']);
const ALIVE = new Set(['0', '0.0', 'alive', 'living', 'false']);
/** GDC's and cBioPortal's words for an unknown vital status. */
const UNKNOWN_EVENT = new Set(['not reported', 'unknown', 'not available', 'unknown:unknown']);

/** 1 (died), 0 (alive/censored), null (missing), undefined (not an event value). */
export function parseEvent(cell: string): 0 | 1 | null | undefined {
  const value = cell.trim();
  if (isMissing(value)) return null;
  const lower = value.toLowerCase();
  if (UNKNOWN_EVENT.has(lower)) return null;
  if (DEAD.has(lower)) return 1;
  if (ALIVE.has(lower)) return 0;
  const m = /^([01])\s*:\s*\S/.exec(value);
  if (m) return m[1] === '1' ? 1 : 0;
  return undefined;
}

function accepted(): string {
  return `IDs: ${ID_COLUMNS.join(', ')}; times: ${TIME_COLUMNS.join(', ')}; events: ${EVENT_COLUMNS.join(', ')}`;
}

/** Reads a clinical table (see the file comment); every problem is an InputError. */
export async function parseClinical(file: string, opts: ClinicalOptions = {}): Promise<ParsedClinical> {
  const table = await openTable(file, opts.delimiter === undefined ? {} : { delimiter: opts.delimiter });
  try {
    const head = await table.peek(20);
    const guess = classifyTable(
      table.header,
      head.map((r) => table.split(r.text, r.line)),
      table.comments,
    );
    if (guess.format !== 'clinical' && guess.format !== 'unknown') {
      throw wrongFormatError(file, table.headerLine, 'a clinical table', guess);
    }
    if (table.header.length < 2) throw table.singleColumnError('a clinical table');
    return await readClinical(file, table.header, table.headerLine, tableRows(table), opts);
  } finally {
    table.close();
  }
}

/** A table's data rows, split; trailing empty cells (spreadsheet exports) dropped, other length errors thrown. */
async function* tableRows(table: Table): AsyncGenerator<ClinicalRow> {
  const width = table.header.length;
  for (;;) {
    const text = await table.next();
    if (text === null) return;
    const line = table.line;
    let cells = table.split(text, line);
    if (cells.length > width && cells.slice(width).every((c) => c.trim() === ''))
      cells = cells.slice(0, width);
    if (cells.length !== width) throw table.raggedError(line, width, cells.length);
    yield { line, cells };
  }
}

/** One data row of a clinical table: its 1-based line in the file and its cells (one per header column). */
export interface ClinicalRow {
  line: number;
  cells: readonly string[];
}

/**
 * Clinical records from a header and rows already split (a clinical file, or the attribute columns of an
 * expression table, see expressionTable.ts). With `survival: 'optional'` a table without time and event
 * columns gives records without survival (`hasSurvival` false) instead of an error.
 */
export async function readClinical(
  file: string,
  header: readonly string[],
  headerLine: number,
  rows: AsyncIterable<ClinicalRow> | Iterable<ClinicalRow>,
  opts: ClinicalOptions & { survival?: 'required' | 'optional' } = {},
): Promise<ParsedClinical> {
  const warnings: string[] = [];
  const lower = header.map((h) => h.toLowerCase());
  const find = (names: readonly string[]): number => {
    for (const name of names) {
      const i = lower.indexOf(name);
      if (i >= 0) return i;
    }
    return -1;
  };
  const has = (name: string): boolean => lower.includes(name);
  const dupes = lower.filter((h, i) => h !== '' && lower.indexOf(h) !== i);
  if (dupes.length > 0) {
    warnings.push(
      `${file}:${headerLine}: duplicate column name(s) ${[...new Set(dupes)].join(', ')}; the first of each is used`,
    );
  }

  let shape: Shape;
  let iId: number;
  let iTime: number;
  let iEvent: number;
  let timeUnit: 'days' | 'months';
  if (has('os_time_days') && has('os_event')) {
    shape = 'pancan_os';
    iId = find(['patient', 'bcr_patient_barcode', 'patient_id', '_patient', 'sample']);
    iTime = lower.indexOf('os_time_days');
    iEvent = lower.indexOf('os_event');
    timeUnit = 'days';
  } else if (has('os.time') && has('os') && (has('sample') || has('_patient'))) {
    shape = 'xena';
    iId = find(['_patient', 'sample']);
    iTime = lower.indexOf('os.time');
    iEvent = lower.indexOf('os');
    timeUnit = 'days';
  } else if (has('os_months') || (has('patient_id') && has('os_status'))) {
    shape = 'cbioportal';
    iId = find(['patient_id', 'sample_id']);
    iTime = lower.indexOf('os_months');
    iEvent = lower.indexOf('os_status');
    timeUnit = 'months';
  } else {
    shape = 'generic';
    iId = find(ID_COLUMNS);
    iTime = find(TIME_COLUMNS);
    iEvent = find(EVENT_COLUMNS);
    timeUnit = 'days';
    if (iTime >= 0) {
      const name = lower[iTime]!;
      // Xena's OS.time is in days by convention; otherwise only a name with days/months in it says.
      const named = /month/.test(name)
        ? 'months'
        : /day/.test(name) || name === 'os.time'
          ? 'days'
          : undefined;
      const unit = opts.timeUnit ?? named;
      if (unit === undefined) {
        throw new InputError({
          file,
          line: headerLine,
          column: iTime + 1,
          problem: `the survival time column '${header[iTime]}' does not say whether it is in days or months`,
          fix: 'pass --time-unit days or --time-unit months',
        });
      }
      if (named !== undefined && opts.timeUnit !== undefined && named !== opts.timeUnit) {
        warnings.push(
          `${file}:${headerLine}: column '${header[iTime]}' looks like ${named}, but --time-unit ${opts.timeUnit} was given; using ${opts.timeUnit}`,
        );
      }
      timeUnit = unit;
    }
  }
  if (shape !== 'generic' && opts.timeUnit !== undefined && opts.timeUnit !== timeUnit) {
    warnings.push(
      `${file}: ${shape} tables give times in ${timeUnit}; --time-unit ${opts.timeUnit} was ignored`,
    );
  }

  // GDC-style: vital_status + days_to_death (+ days_to_last_follow_up) and no time column.
  const iDeath = lower.indexOf('days_to_death');
  const iFollow = find(['days_to_last_follow_up', 'days_to_last_followup']);
  const derived = iTime < 0 && iDeath >= 0 && iFollow >= 0 && lower[iEvent] === 'vital_status';

  const hasSurvival = !((iTime < 0 && !derived) || iEvent < 0);
  if (iId < 0 || (!hasSurvival && opts.survival !== 'optional')) {
    const missing = [
      iId < 0 ? 'patient ID' : null,
      iTime < 0 && !derived ? 'survival time' : null,
      iEvent < 0 ? 'event (vital status)' : null,
    ]
      .filter((x) => x !== null)
      .join(', ');
    throw new InputError({
      file,
      line: headerLine,
      problem: `no ${missing} column found (columns: ${header.slice(0, 15).join(', ')}${header.length > 15 ? ', ...' : ''})`,
      fix: `rename the columns to accepted names (${accepted()}), or pass a table with overall survival`,
    });
  }
  const iCancer = find(CANCER_COLUMNS);
  const special = new Set([iId, iTime, iEvent, iCancer]);
  const defaultCancer = opts.cancerType?.trim() || null;

  const toDays = timeUnit === 'months' ? DAYS_PER_MONTH : 1;
  const readTime = (cell: string, line: number, column: number): number | null => {
    if (isMissing(cell)) return null;
    const t = parseNumber(cell);
    if (Number.isNaN(t) || !Number.isFinite(t)) {
      throw new InputError({
        file,
        line,
        column: column + 1,
        problem: `the survival time '${cell}' in column ${header[column]} is not a number`,
        fix: `write the time as a number of ${timeUnit} (NA or empty when unknown)`,
      });
    }
    return t * toDays;
  };

  const records: ClinicalRecord[] = [];
  const negative: { line: number; column: number; value: string }[] = [];
  let times = 0;
  let missingSurvival = 0;
  let fromSamples = 0;
  const width = header.length;
  for await (const row of rows) {
    const { line, cells } = row;
    const id = cells[iId]!.trim();
    if (isMissing(id)) {
      throw new InputError({
        file,
        line,
        column: iId + 1,
        problem: `the patient ID (column ${header[iId]}) is empty`,
        fix: 'fill in the patient barcode or remove the row',
      });
    }
    const patientBarcode = patientOf(id);
    if (patientBarcode !== id) fromSamples++;
    const eventCell = hasSurvival ? cells[iEvent]! : '';
    const osEvent = parseEvent(eventCell);
    if (osEvent === undefined) {
      throw new InputError({
        file,
        line,
        column: iEvent + 1,
        problem: `'${eventCell}' in column ${header[iEvent]} is not an event value`,
        fix: 'write 1 (died) or 0 (alive at last follow-up) — also accepted: 1:DECEASED/0:LIVING, Dead/Alive — and NA when unknown',
      });
    }
    let osDays: number | null;
    let timeColumn = iTime;
    if (derived) {
      const death = readTime(cells[iDeath]!, line, iDeath);
      const follow = readTime(cells[iFollow]!, line, iFollow);
      osDays = osEvent === 1 ? death : osEvent === 0 ? follow : null;
      timeColumn = osEvent === 1 ? iDeath : iFollow;
    } else {
      osDays = hasSurvival ? readTime(cells[iTime]!, line, iTime) : null;
    }
    if (osDays !== null) {
      times++;
      if (osDays < 0) {
        negative.push({ line, column: timeColumn + 1, value: cells[timeColumn]!.trim() });
        osDays = null;
      }
    }
    if (hasSurvival && (osDays === null || osEvent === null)) missingSurvival++;
    let cancerType = defaultCancer;
    if (iCancer >= 0 && !isMissing(cells[iCancer]!)) {
      cancerType = cells[iCancer]!.trim().replace(/^(?:TCGA|TARGET)-/, '');
    }
    const fields: Record<string, string> = {};
    for (let c = 0; c < width; c++) {
      if (special.has(c) || header[c] === '') continue;
      const name = header[c]!;
      const value = cells[c]!.trim();
      if (!isMissing(value) && !(name in fields)) fields[name] = value;
    }
    records.push({ line, patientBarcode, cancerType, osDays, osEvent, fields });
  }
  if (records.length === 0) {
    throw new InputError({
      file,
      line: headerLine,
      problem: 'the clinical table has a header but no rows',
      fix: 'check that the export finished: after the header there must be one row per patient',
    });
  }
  if (negative.length > 0) {
    const mode = opts.negativeTimes ?? 'auto';
    const first = negative[0]!;
    if (mode === 'error' || (mode === 'auto' && negative.length > NEGATIVE_TIME_TOLERANCE * times)) {
      throw new InputError({
        file,
        line: first.line,
        column: first.column,
        problem: `the survival time ${first.value} in column ${header[first.column - 1]} is negative (${negative.length} of ${times} times in the file are)`,
        fix: 'survival times count from diagnosis and cannot be negative: fix the values or write NA (a few stray negative times, at most 1% of them, are read as missing with a warning)',
      });
    }
    const shown = negative.slice(0, 10).map((n) => `line ${n.line}: ${n.value}`);
    warnings.push(
      `${file}: ${negative.length} negative survival time(s) (data-entry errors) were read as missing (${shown.join(', ')}${negative.length > 10 ? ', ...' : ''})`,
    );
  }
  if (fromSamples > 0) {
    warnings.push(
      `${file}: ${fromSamples} row(s) give sample barcodes; their patient barcode (first three parts) was used`,
    );
  }
  if (missingSurvival > 0) {
    warnings.push(
      `${file}: ${missingSurvival} row(s) have no survival time or event; kept with empty survival`,
    );
  }
  if (derived) {
    warnings.push(
      `${file}: overall survival derived from vital_status, days_to_death and days_to_last_follow_up`,
    );
  }
  return { file, shape, timeUnit, records, warnings, hasSurvival };
}
