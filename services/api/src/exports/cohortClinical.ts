// A cohort's clinical table as TSV lines: one line per sample (ID order) with its patient, cancer type, sample
// type, overall survival and every other clinical field the ingest stored for its patient (Patient.clinical,
// one column per field any of the cohort's patients has, by name). Read a page of samples at a time.
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

interface ClinicalRow {
  barcode: string;
  patient: string;
  cancerType: string | null;
  sampleType: string;
  sampleTypeCode: string | null;
  simulated: boolean;
  osDays: number | null;
  osEvent: number | null;
  clinical: Record<string, unknown> | null;
}

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** The header line and one line per sample of `members`. */
export async function* cohortClinicalLines(db: pg.Pool, members: readonly number[]): AsyncGenerator<string> {
  const { rows: keys } = await db.query<{ key: string }>(
    `SELECT DISTINCT k AS key FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId",
       jsonb_object_keys(CASE jsonb_typeof(p.clinical::jsonb) WHEN 'object' THEN p.clinical::jsonb ELSE '{}'::jsonb END) k
     WHERE s.id = ANY($1::int[]) ORDER BY 1`,
    [[...members]],
  );
  const fields = keys.map((k) => k.key).filter((k) => !(CLINICAL_COLUMNS as readonly string[]).includes(k));
  yield tsvLine([...CLINICAL_COLUMNS, ...fields]);
  const sorted = [...members].sort((a, b) => a - b);
  for (let at = 0; at < sorted.length; at += SAMPLES_PER_READ) {
    const { rows } = await db.query<ClinicalRow>(
      `SELECT s.barcode, p.barcode AS patient, p."cancerType", s."sampleType", s."sampleTypeCode", s.simulated,
              p."osDays", p."osEvent", p.clinical
       FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE s.id = ANY($1::int[]) ORDER BY s.id`,
      [sorted.slice(at, at + SAMPLES_PER_READ)],
    );
    for (const r of rows) {
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
