// Samples as the services read them: single rows through Prisma, filtered pages in SQL (the filter's
// conditions are SQL over "Sample" s JOIN "Patient" p, services/core/src/cohort/filter.ts). Written only by
// ingest.
import type pg from 'pg';
import type { AttributeType } from '../cohort/attributes.ts';
import { type CohortFilter, filterWhereSql } from '../cohort/filter.ts';
import { sqlIdPage } from '../db/page.ts';
import type { Db, PrismaClient } from '../db/prisma.ts';

export interface SampleRecord {
  id: number;
  barcode: string;
  aliquotBarcode: string | null;
  patientId: number;
  sampleTypeCode: string | null;
  sampleType: Db.SampleType;
  importId: number;
  simulated: boolean;
}

/** A SampleRecord's columns, for SQL over "Sample" s (joins and bulk reads that Prisma cannot express). */
export const SAMPLE_COLUMNS = `s.id, s.barcode, s."aliquotBarcode", s."patientId", s."sampleTypeCode", s."sampleType", s."importId",
  s.simulated`;

const sampleFields = {
  id: true,
  barcode: true,
  aliquotBarcode: true,
  patientId: true,
  sampleTypeCode: true,
  sampleType: true,
  importId: true,
  simulated: true,
} as const;

/** The samples with these IDs (any order; unknown IDs are absent). */
export function samplesById(prisma: PrismaClient, ids: readonly number[]): Promise<SampleRecord[]> {
  return prisma.sample.findMany({ where: { id: { in: [...ids] } }, select: sampleFields });
}

/** The sample with this barcode (trimmed, upper case), or null. */
export function sampleByBarcode(prisma: PrismaClient, barcode: string): Promise<SampleRecord | null> {
  return prisma.sample.findUnique({ where: { barcode: barcode.trim().toUpperCase() }, select: sampleFields });
}

/** The samples of these patients, by sample ID. */
export function samplesOfPatients(
  prisma: PrismaClient,
  patientIds: readonly number[],
): Promise<SampleRecord[]> {
  return prisma.sample.findMany({
    where: { patientId: { in: [...patientIds] } },
    select: sampleFields,
    orderBy: { id: 'asc' },
  });
}

/** Of these sample IDs, those that no stored sample has. */
export async function unknownSampleIds(prisma: PrismaClient, ids: readonly number[]): Promise<number[]> {
  if (!ids.length) return [];
  const found = await prisma.sample.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
  const known = new Set(found.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}

/** The IDs of the samples stored with raw counts, ascending: real ones only unless `includeSimulated`. */
export async function samplesWithRawCounts(
  prisma: PrismaClient,
  options: { includeSimulated?: boolean } = {},
): Promise<number[]> {
  const rows = await prisma.sample.findMany({
    where: {
      profiles: { some: { unit: 'RAW_COUNT' } },
      ...(options.includeSimulated === true ? {} : { simulated: false }),
    },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => r.id);
}

/** Of these samples, those whose patients have overall survival (time and status), in the given order. */
export async function samplesWithSurvival(db: pg.Pool, sampleIds: readonly number[]): Promise<number[]> {
  // raw SQL: bulk: a reference set of thousands of samples (= ANY) joined to their patients
  const { rows } = await db.query<{ id: number }>(
    `SELECT s.id FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"
     WHERE s.id = ANY($1::int[]) AND p."osDays" IS NOT NULL AND p."osEvent" IS NOT NULL`,
    [[...sampleIds]],
  );
  const keep = new Set(rows.map((r) => r.id));
  return sampleIds.filter((id) => keep.has(id));
}

/**
 * The IDs of every real (not simulated) sample whose patient has this cancer type, or of every real sample
 * when it is null, ascending.
 */
export async function realSamplesOfCancerType(
  prisma: PrismaClient,
  cancerType: string | null,
): Promise<number[]> {
  const rows = await prisma.sample.findMany({
    where: { simulated: false, ...(cancerType === null ? {} : { patient: { cancerType } }) },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => r.id);
}

/** What the heads are measured against: a sample's cancer type and overall survival (its patient's). */
export interface SampleLabels {
  cancerType: string | null;
  osDays: number | null;
  osEvent: number | null;
}

/** These samples' labels, by sample ID (unknown IDs are absent). */
export async function sampleLabels(
  prisma: PrismaClient,
  ids: readonly number[],
): Promise<Map<number, SampleLabels>> {
  const rows = await prisma.sample.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, patient: { select: { cancerType: true, osDays: true, osEvent: true } } },
  });
  return new Map(rows.map((r) => [r.id, r.patient]));
}

/** Sample counts per cancer type and sample type. */
export interface CompositionRecord {
  cancerType: string | null;
  sampleType: Db.SampleType;
  count: number;
}

/** These samples' counts per cancer type and sample type. */
export async function compositionOfSamples(
  db: pg.Pool,
  sampleIds: readonly number[],
): Promise<CompositionRecord[]> {
  // raw SQL: GROUP BY over a batch of samples joined to patients
  const { rows } = await db.query<CompositionRecord>(
    `SELECT p."cancerType", s."sampleType", count(*)::int AS count FROM "Sample" s
     JOIN "Patient" p ON p.id = s."patientId" WHERE s.id = ANY($1::int[]) GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2`,
    [sampleIds],
  );
  return rows;
}

/** Which samples a page is taken from: chosen IDs, or a filter without expression thresholds. */
export type SampleSelection =
  | { sampleIds: readonly number[] }
  | { filter: CohortFilter; types: ReadonlyMap<string, AttributeType> };

/**
 * Up to `limit` selected samples with IDs above `afterId` (ascending), and how many the selection holds.
 * Throws CohortFilterError for a filter condition that cannot be used.
 */
export async function selectedSamplePage(
  db: pg.Pool,
  selection: SampleSelection,
  afterId: number,
  limit: number,
): Promise<{ rows: SampleRecord[]; total: number }> {
  const params: unknown[] = [];
  let where: string;
  if ('sampleIds' in selection) {
    params.push(selection.sampleIds);
    where = `s.id = ANY($1::int[])`;
  } else where = filterWhereSql(selection.filter, selection.types, params);
  const from = `"Sample" s JOIN "Patient" p ON p.id = s."patientId"`;
  return sqlIdPage(db, { columns: SAMPLE_COLUMNS, from, where, params, id: 's.id' }, afterId, limit);
}
