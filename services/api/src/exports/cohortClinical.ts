// A cohort's clinical table as TSV lines: one line per sample (ID order) with its patient, cancer type, sample
// type, overall survival and every other clinical field the ingest stored for its patient (Patient.clinical,
// one column per field any of the cohort's patients has, by name). Read a page of samples at a time.
import { clinicalFieldsOfSamples, clinicalOfSamples } from '@gexbert/core/patient/records';
import type pg from 'pg';
import { type Cell, tsvLine } from './tsv.ts';

const SAMPLES_PER_READ = 1000;

/** The columns every clinical table starts with (the other clinical fields follow, by name). */
export const CLINICAL_COLUMNS = [
  'sample',
  'patient',
  'cancer_type',
  'sample_type',
  'sample_type_code',
  'simulated',
  'os_days',
  'os_event',
] as const;

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** The header line and one line per sample of `members`. */
export async function* cohortClinicalLines(db: pg.Pool, members: readonly number[]): AsyncGenerator<string> {
  const fields = (await clinicalFieldsOfSamples(db, members)).filter(
    (k) => !(CLINICAL_COLUMNS as readonly string[]).includes(k),
  );
  yield tsvLine([...CLINICAL_COLUMNS, ...fields]);
  const sorted = [...members].sort((a, b) => a - b);
  for (let at = 0; at < sorted.length; at += SAMPLES_PER_READ) {
    for (const r of await clinicalOfSamples(db, sorted.slice(at, at + SAMPLES_PER_READ))) {
      const clinical = r.clinical && typeof r.clinical === 'object' ? r.clinical : {};
      yield tsvLine([
        r.barcode,
        r.patient,
        r.cancerType,
        r.sampleType,
        r.sampleTypeCode,
        r.simulated,
        r.osDays,
        r.osEvent,
        ...fields.map((f) => cellOf(clinical[f])),
      ]);
    }
  }
}
