// Patients as the services read them: the identifying and survival fields (the clinical attributes are
// services/core/src/cohort/attributes.ts). Written only by ingest.
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
  const { rows } = await db.query<PatientRecord>(
    `SELECT DISTINCT ${PATIENT_COLUMNS} FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"
     WHERE s.id = ANY($1::int[]) ORDER BY p.id`,
    [sampleIds],
  );
  return rows;
}

/** How many distinct patients these samples come from (one query over any number of samples). */
export async function patientCountOfSamples(db: pg.Pool, sampleIds: readonly number[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(DISTINCT "patientId")::int AS n FROM "Sample" WHERE id = ANY($1::int[])`,
    [sampleIds],
  );
  return rows[0]!.n;
}
