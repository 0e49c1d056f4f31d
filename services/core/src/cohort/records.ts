// Cohorts as the services read and edit them: rows, listings and edits through Prisma; the per-cohort sample
// pages, compositions and patients of many cohorts at once, and a cohort's members (all, or of one cancer
// type), in SQL (bulk reads). The members a filter selects and their rebuild are members.ts.
import type pg from 'pg';
import { isUniqueViolation } from '../db/constraint.ts';
import { idPage } from '../db/page.ts';
import type { Db, PrismaClient } from '../db/prisma.ts';
import { PATIENT_COLUMNS, type PatientRecord } from '../patient/records.ts';
import { type CompositionRecord, SAMPLE_COLUMNS, type SampleRecord } from '../sample/records.ts';

export type CohortRecord = Db.Cohort;

/** A page of a cohort's samples: those with IDs above `afterId`, at most `limit`. */
export interface CohortPageKey {
  cohortId: number;
  afterId: number;
  limit: number;
}

/** A write refused because another cohort has the name. */
export class CohortNameTaken extends Error {
  override name = 'CohortNameTaken';
}

async function namedUniquely<T>(name: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new CohortNameTaken(`a cohort named ${JSON.stringify(name)} exists`);
    throw error;
  }
}

/** The cohorts with these IDs (any order; unknown IDs are absent). */
export function cohortsById(prisma: PrismaClient, ids: readonly number[]): Promise<CohortRecord[]> {
  return prisma.cohort.findMany({ where: { id: { in: [...ids] } } });
}

export function cohortById(prisma: PrismaClient, id: number): Promise<CohortRecord | null> {
  return prisma.cohort.findUnique({ where: { id } });
}

/** The cohort with this name (trimmed), or null. */
export function cohortByName(prisma: PrismaClient, name: string): Promise<CohortRecord | null> {
  return prisma.cohort.findUnique({ where: { name: name.trim() } });
}

/** Up to `limit` cohorts with IDs above `afterId` (ascending), and how many cohorts there are. */
export function cohortPage(
  prisma: PrismaClient,
  afterId: number,
  limit: number,
): Promise<{ rows: CohortRecord[]; total: number }> {
  return idPage(prisma.cohort, {}, { after: afterId }, limit);
}

/** Each cohort's number of samples (0 for an unknown cohort), in the order of `cohortIds`. */
export async function cohortSampleCounts(
  prisma: PrismaClient,
  cohortIds: readonly number[],
): Promise<number[]> {
  const rows = await prisma.cohortSample.groupBy({
    by: ['cohortId'],
    where: { cohortId: { in: [...cohortIds] } },
    _count: { _all: true },
  });
  const counts = new Map(rows.map((r) => [r.cohortId, r._count._all]));
  return cohortIds.map((id) => counts.get(id) ?? 0);
}

/** Each key's page of its cohort's samples (by sample ID), all in one query. */
export async function cohortSamplePages(
  db: pg.Pool,
  keys: readonly CohortPageKey[],
): Promise<SampleRecord[][]> {
  // raw SQL: bulk: pages of many cohorts in one statement (unnest of keys, LATERAL keyset pages)
  const { rows } = await db.query<SampleRecord & { k: string }>(
    `SELECT k.k, ${SAMPLE_COLUMNS}
     FROM unnest($1::int[], $2::int[], $3::int[]) WITH ORDINALITY AS k(cohort_id, after_id, lim, k)
     CROSS JOIN LATERAL (
       SELECT cs."sampleId" FROM "CohortSample" cs
       WHERE cs."cohortId" = k.cohort_id AND cs."sampleId" > k.after_id
       ORDER BY cs."sampleId" LIMIT k.lim
     ) page
     JOIN "Sample" s ON s.id = page."sampleId"
     ORDER BY k.k, s.id`,
    [keys.map((k) => k.cohortId), keys.map((k) => k.afterId), keys.map((k) => k.limit)],
  );
  return keys.map((_, i) => rows.filter((r) => Number(r.k) === i + 1).map(({ k: _k, ...sample }) => sample));
}

/** Each cohort's sample counts per cancer type and sample type, in the order of `cohortIds`. */
export async function cohortCompositions(
  db: pg.Pool,
  cohortIds: readonly number[],
): Promise<CompositionRecord[][]> {
  // raw SQL: bulk: GROUP BY over the members of many cohorts
  const { rows } = await db.query<CompositionRecord & { cohortId: number }>(
    `SELECT cs."cohortId", p."cancerType", s."sampleType", count(*)::int AS count
     FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId" JOIN "Patient" p ON p.id = s."patientId"
     WHERE cs."cohortId" = ANY($1::int[]) GROUP BY 1, 2, 3 ORDER BY 1, 2 NULLS LAST, 3`,
    [[...cohortIds]],
  );
  return cohortIds.map((k) => rows.filter((r) => r.cohortId === k).map(({ cohortId: _c, ...row }) => row));
}

/** The distinct patients of each cohort's samples (by patient ID), in the order of `cohortIds`. */
export async function cohortPatients(db: pg.Pool, cohortIds: readonly number[]): Promise<PatientRecord[][]> {
  // raw SQL: bulk: DISTINCT patients of the members of many cohorts
  const { rows } = await db.query<PatientRecord & { cohortId: number }>(
    `SELECT DISTINCT cs."cohortId", ${PATIENT_COLUMNS}
     FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId" JOIN "Patient" p ON p.id = s."patientId"
     WHERE cs."cohortId" = ANY($1::int[]) ORDER BY 1, 2`,
    [[...cohortIds]],
  );
  return cohortIds.map((k) => rows.filter((r) => r.cohortId === k).map(({ cohortId: _c, ...row }) => row));
}

/** A cohort's sample with its patient's overall survival. */
export interface SampleSurvival {
  sampleId: number;
  patientId: number;
  osDays: number | null;
  osEvent: number | null;
}

/** Each of the cohort's samples with its patient's survival, by patient then sample. */
export async function cohortSampleSurvival(db: pg.Pool, cohortId: number): Promise<SampleSurvival[]> {
  // raw SQL: bulk: every member of a cohort (thousands) joined to its patient
  const { rows } = await db.query<SampleSurvival>(
    `SELECT cs."sampleId", p.id AS "patientId", p."osDays", p."osEvent"
     FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId" JOIN "Patient" p ON p.id = s."patientId"
     WHERE cs."cohortId" = $1 ORDER BY p.id, cs."sampleId"`,
    [cohortId],
  );
  return rows;
}

/** A cohort's name and its samples' IDs, ascending (null when the cohort does not exist). */
export async function cohortWithSampleIds(
  db: pg.Pool,
  cohortId: number,
): Promise<{ name: string; sampleIds: number[] } | null> {
  // raw SQL: array_agg of a cohort's members (thousands), which Prisma cannot express
  const { rows } = await db.query<{ name: string; ids: number[] | null }>(
    `SELECT c.name, array_agg(cs."sampleId" ORDER BY cs."sampleId") FILTER (WHERE cs."sampleId" IS NOT NULL) AS ids
     FROM "Cohort" c LEFT JOIN "CohortSample" cs ON cs."cohortId" = c.id WHERE c.id = $1 GROUP BY c.name`,
    [cohortId],
  );
  const row = rows[0];
  return row ? { name: row.name, sampleIds: row.ids ?? [] } : null;
}

/** The cohort's samples whose patients have this cancer type (case and a TCGA- prefix ignored), by ID. */
export async function cohortSamplesOfCancerType(
  db: pg.Pool,
  cohortId: number,
  cancerType: string,
): Promise<number[]> {
  // raw SQL: cancer types compared through regexp_replace/upper, which Prisma cannot express
  const { rows } = await db.query<{ id: number }>(
    `SELECT s.id FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId" JOIN "Patient" p ON p.id = s."patientId"
     WHERE cs."cohortId" = $1 AND upper(regexp_replace(p."cancerType", '^TCGA-', '', 'i')) = upper(regexp_replace($2, '^TCGA-', '', 'i'))
     ORDER BY s.id`,
    [cohortId, cancerType],
  );
  return rows.map((r) => r.id);
}

export interface NewCohort {
  name: string;
  description: string | null;
  sampleIds: readonly number[];
  /** The filter definition it was made from (members.ts CohortDefinition), or null for samples alone. */
  definition: object | null;
}

/** Stores a cohort with its samples; simulated when any of them is. Throws CohortNameTaken. */
export async function createCohort(prisma: PrismaClient, cohort: NewCohort): Promise<CohortRecord> {
  const simulated = await prisma.sample.findFirst({
    where: { id: { in: [...cohort.sampleIds] }, simulated: true },
    select: { id: true },
  });
  return namedUniquely(cohort.name, () =>
    prisma.cohort.create({
      data: {
        name: cohort.name,
        description: cohort.description,
        simulated: simulated !== null,
        ...(cohort.definition ? { filter: cohort.definition, builtAt: new Date() } : {}),
        samples: { createMany: { data: cohort.sampleIds.map((sampleId) => ({ sampleId })) } },
      },
    }),
  );
}

export interface CohortEdit {
  /** Unchanged when null or undefined. */
  name?: string | null;
  /** Unchanged when undefined. */
  description?: string | null;
  addSampleIds: readonly number[];
  removeSampleIds: readonly number[];
}

/**
 * Edits a cohort in one transaction; it is simulated afterwards when any of its samples is. Throws
 * CohortNameTaken.
 */
export function editCohort(prisma: PrismaClient, cohortId: number, edit: CohortEdit): Promise<CohortRecord> {
  return namedUniquely(edit.name, () =>
    prisma.$transaction(async (tx) => {
      await tx.cohortSample.deleteMany({ where: { cohortId, sampleId: { in: [...edit.removeSampleIds] } } });
      await tx.cohortSample.createMany({
        data: edit.addSampleIds.map((sampleId) => ({ cohortId, sampleId })),
        skipDuplicates: true,
      });
      const simulated = await tx.cohortSample.findFirst({
        where: { cohortId, sample: { simulated: true } },
        select: { sampleId: true },
      });
      return tx.cohort.update({
        where: { id: cohortId },
        data: {
          ...(edit.name != null ? { name: edit.name } : {}),
          ...(edit.description !== undefined ? { description: edit.description } : {}),
          simulated: simulated !== null,
          updatedAt: new Date(),
        },
      });
    }),
  );
}

/** Deletes the cohort (its memberships go with it); false when there is none with this ID. */
export async function deleteCohort(prisma: PrismaClient, cohortId: number): Promise<boolean> {
  const { count } = await prisma.cohort.deleteMany({ where: { id: cohortId } });
  return count > 0;
}
