// Patients as the services read them: the identifying and survival fields, and their stored clinical fields
// (Patient.clinical, as given; the attributes they make up over a cohort are services/core/src/cohort/attributes.ts).
// Single rows through Prisma, many samples' patients at once in SQL (bulk reads, JSON keys). Written only by ingest.
import type pg from 'pg';
import type { PrismaClient } from '../db/prisma.ts';

export interface PatientRecord {
  id: number;
  barcode: string;
  projectId: string | null;
  cancerType: string | null;
  osDays: number | null;
  osEvent: number | null;
}

/** A PatientRecord's columns, for SQL over "Patient" p (joins and bulk reads that Prisma cannot express). */
export const PATIENT_COLUMNS = `p.id, p.barcode, p."projectId", p."cancerType", p."osDays", p."osEvent"`;

const patientFields = {
  id: true,
  barcode: true,
  projectId: true,
  cancerType: true,
  osDays: true,
  osEvent: true,
} as const;

/** The patients with these IDs (any order; unknown IDs are absent). */
export function patientsById(prisma: PrismaClient, ids: readonly number[]): Promise<PatientRecord[]> {
  return prisma.patient.findMany({ where: { id: { in: [...ids] } }, select: patientFields });
}

/** The patient with this barcode (trimmed, upper case), or null. */
export function patientByBarcode(prisma: PrismaClient, barcode: string): Promise<PatientRecord | null> {
  return prisma.patient.findUnique({
    where: { barcode: barcode.trim().toUpperCase() },
    select: patientFields,
  });
}

/** The patient's stored clinical fields as given (null when it has none). */
export async function patientClinical(
  prisma: PrismaClient,
  patientId: number,
): Promise<Record<string, unknown> | null> {
  const row = await prisma.patient.findUnique({ where: { id: patientId }, select: { clinical: true } });
  const clinical = row?.clinical;
  return clinical && typeof clinical === 'object' ? (clinical as Record<string, unknown>) : null;
}

/** The distinct patients of these samples, by patient ID. */
export async function patientsOfSamples(db: pg.Pool, sampleIds: readonly number[]): Promise<PatientRecord[]> {
  // raw SQL: bulk: DataLoader batch of sample IDs, DISTINCT over the join to patients
  const { rows } = await db.query<PatientRecord>(
    `SELECT DISTINCT ${PATIENT_COLUMNS} FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"
     WHERE s.id = ANY($1::int[]) ORDER BY p.id`,
    [sampleIds],
  );
  return rows;
}

/** How many distinct patients these samples come from (one query over any number of samples). */
export async function patientCountOfSamples(db: pg.Pool, sampleIds: readonly number[]): Promise<number> {
  // raw SQL: count(DISTINCT) over a batch of sample IDs
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(DISTINCT "patientId")::int AS n FROM "Sample" WHERE id = ANY($1::int[])`,
    [sampleIds],
  );
  return rows[0]!.n;
}

/** Each patient's value of one clinical field, as stored (null: none), in the order of `patientIds`. */
export async function clinicalValuesOfPatients(
  db: pg.Pool,
  name: string,
  patientIds: readonly number[],
): Promise<(string | null)[]> {
  // raw SQL: a JSON field by name (clinical->>$1), which Prisma cannot select
  const { rows } = await db.query<{ id: number; value: string | null }>(
    `SELECT id, clinical->>$1 AS value FROM "Patient" WHERE id = ANY($2::int[])`,
    [name, [...new Set(patientIds)]],
  );
  const value = new Map(rows.map((r) => [r.id, r.value]));
  return patientIds.map((id) => value.get(id) ?? null);
}

/** The names of the clinical fields the patients of these samples have, sorted. */
export async function clinicalFieldsOfSamples(db: pg.Pool, sampleIds: readonly number[]): Promise<string[]> {
  // raw SQL: jsonb_object_keys, which Prisma cannot express
  const { rows } = await db.query<{ key: string }>(
    `SELECT DISTINCT k AS key FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId",
       jsonb_object_keys(CASE jsonb_typeof(p.clinical::jsonb) WHEN 'object' THEN p.clinical::jsonb ELSE '{}'::jsonb END) k
     WHERE s.id = ANY($1::int[]) ORDER BY 1`,
    [[...sampleIds]],
  );
  return rows.map((r) => r.key);
}

/** A sample with its patient's identifying, survival and clinical fields. */
export interface SampleClinicalRecord {
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

/** These samples with their patients' fields, in sample ID order. */
export async function clinicalOfSamples(
  db: pg.Pool,
  sampleIds: readonly number[],
): Promise<SampleClinicalRecord[]> {
  // raw SQL: bulk: thousands of samples joined to their patients for an export
  const { rows } = await db.query<SampleClinicalRecord>(
    `SELECT s.barcode, p.barcode AS patient, p."cancerType", s."sampleType", s."sampleTypeCode", s.simulated,
            p."osDays", p."osEvent", p.clinical
     FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE s.id = ANY($1::int[]) ORDER BY s.id`,
    [[...sampleIds]],
  );
  return rows;
}
