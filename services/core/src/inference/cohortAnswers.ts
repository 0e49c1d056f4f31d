// Answers about a whole cohort (its embedding map, survival by predicted risk groups, imputation quality,
// survival by cancer type) are stored once computed (CohortAnswer), so that every API process serves them
// without computing them again, and a worker stores each cohort's map when a precompute finishes. A stored
// answer is valid while the cohort's fingerprint is unchanged: its members and the newest import (imports
// bring samples, values and clinical data, and forget stale model answers: storedAnswers.ts). The key names
// what was asked, with the model version, heads and arguments the answer depends on.
import type pg from 'pg';
import type { PrismaClient } from '../db/prisma.ts';

/** The fingerprint of the "Cohort" row aliased `cohort`, as an SQL expression (what cohortFingerprint reads). */
export const fingerprintOf = (cohort: string): string =>
  `'members v' || ${cohort}."membersVersion" || '/import ' || (SELECT coalesce(max(id), 0) FROM "Import")`;

/**
 * The cohort's members and the newest import, as one string; null when the cohort does not exist. The
 * members are named by the cohort's membership version, which database triggers raise on every change to its
 * CohortSample rows (migration 20261207020000_cohort_members_version), so this reads two index entries
 * whatever the cohort's size (hashing 11,000 member IDs took 35-70 ms at load 15, and a dashboard asks 4-5
 * times).
 */
export async function cohortFingerprint(pool: pg.Pool, cohortId: number): Promise<string | null> {
  // raw SQL: the fingerprint is one SQL expression (fingerprintOf), which cohortMapQueue.ts also selects by
  const { rows } = await pool.query<{ fingerprint: string }>(
    `SELECT ${fingerprintOf('c')} AS fingerprint FROM "Cohort" c WHERE c.id = $1`,
    [cohortId],
  );
  return rows[0]?.fingerprint ?? null;
}

/** The stored answer under `key` when it was computed at this fingerprint; null otherwise. */
export async function readCohortAnswer<T>(
  pool: pg.Pool,
  cohortId: number,
  key: string,
  fingerprint: string,
): Promise<T | null> {
  // raw SQL: jsonb as text through pg, so floats come back bit for bit (Prisma's Json path moved a stored map by 1 ulp)
  const { rows } = await pool.query<{ value: T }>(
    `SELECT value FROM "CohortAnswer" WHERE "cohortId" = $1 AND key = $2 AND fingerprint = $3`,
    [cohortId, key, fingerprint],
  );
  return rows[0]?.value ?? null;
}

/** Stores (or replaces) the answer under `key`; a cohort deleted meanwhile stores nothing. */
export async function storeCohortAnswer(
  pool: pg.Pool,
  cohortId: number,
  key: string,
  fingerprint: string,
  value: unknown,
): Promise<void> {
  // raw SQL: jsonb as text through pg, so floats come back bit for bit (Prisma's Json path moved a stored map by 1 ulp)
  await pool.query(
    `INSERT INTO "CohortAnswer" ("cohortId", key, fingerprint, value)
     SELECT $1, $2, $3, $4::jsonb WHERE EXISTS (SELECT 1 FROM "Cohort" WHERE id = $1)
     ON CONFLICT ("cohortId", key) DO UPDATE SET fingerprint = excluded.fingerprint, value = excluded.value,
       "computedAt" = now()`,
    [cohortId, key, fingerprint, JSON.stringify(value)],
  );
}

/** The cohorts, for a worker that stores an answer of each. */
export async function cohortIds(prisma: PrismaClient): Promise<number[]> {
  const rows = await prisma.cohort.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.id);
}
