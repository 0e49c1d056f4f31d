// Cohort maps between precomputes: a cohort made, edited or rebuilt after the active version's precompute
// finished has no stored map (its fingerprint changed), so a worker job places and stores it (PCA and UMAP;
// services/worker/src/cohortMapJob.ts) instead of an API request or the next precompute. The API queues the
// job when it writes a cohort's members; every worker's periodic check queues it for any cohort still missing
// its map (members changed by the CLI, or an API without a queue).
import type pg from 'pg';
import { COHORT_MAP_JOB, type JobQueue } from '../jobs/queue.ts';
import { fingerprintOf } from './cohortAnswers.ts';
import { mapAnswerKey } from './cohortMap.ts';

/** A model version with the id of the heads it serves ('' without heads): what its stored answers are keyed by. */
export interface PrecomputedVersion {
  id: number;
  headsId: string;
}

/** The active version when its precompute (by its current heads) has been planned; null otherwise. */
export async function precomputedActiveVersion(pool: pg.Pool): Promise<PrecomputedVersion | null> {
  // raw SQL: one field of the heads JSON (heads->>'id'; Prisma would read megabytes of heads)
  const { rows } = await pool.query<PrecomputedVersion>(
    `SELECT v.id, coalesce(v.heads->>'id', '') AS "headsId" FROM "ModelVersion" v
     WHERE v.active AND EXISTS (SELECT 1 FROM "PrecomputeBatch" b
       WHERE b."modelVersionId" = v.id AND b."headsId" = coalesce(v.heads->>'id', ''))`,
  );
  return rows[0] ?? null;
}

/** The job data of a cohort map job. */
export interface CohortMapJobData {
  cohortId: number;
  modelVersionId: number;
}

/**
 * Queues the placing of a cohort's map by `version` (the active version once precomputed, by default) unless
 * one is waiting already: the job's id; null when one waits or no version is precomputed.
 */
export async function queueCohortMap(
  deps: { pool: pg.Pool; queue: JobQueue },
  cohortId: number,
  version?: PrecomputedVersion,
): Promise<string | null> {
  const target = version ?? (await precomputedActiveVersion(deps.pool));
  if (!target) return null;
  const data: CohortMapJobData = { cohortId, modelVersionId: target.id };
  return deps.queue.sendOnce(COHORT_MAP_JOB, data, `${cohortId}/${target.id}`);
}

/**
 * Cohorts whose map by the version is not stored at their current fingerprint although every member has a
 * stored answer and at least one has an embedding (so a cohort map job would store it), in id order.
 */
export async function cohortsMissingMaps(pool: pg.Pool, version: PrecomputedVersion): Promise<number[]> {
  // raw SQL: nested EXISTS over members and answers, compared with the SQL fingerprint (fingerprintOf)
  const { rows } = await pool.query<{ id: number }>(
    `SELECT c.id FROM "Cohort" c
     WHERE NOT EXISTS (SELECT 1 FROM "CohortAnswer" a
         WHERE a."cohortId" = c.id AND a.key = $3 AND a.fingerprint = ${fingerprintOf('c')})
       AND EXISTS (SELECT 1 FROM "CohortSample" cs JOIN "SamplePrediction" p ON p."sampleId" = cs."sampleId"
         WHERE cs."cohortId" = c.id AND p."modelVersionId" = $1 AND p."headsId" = $2 AND p.prediction IS NOT NULL)
       AND NOT EXISTS (SELECT 1 FROM "CohortSample" cs WHERE cs."cohortId" = c.id
         AND NOT EXISTS (SELECT 1 FROM "SamplePrediction" p
           WHERE p."sampleId" = cs."sampleId" AND p."modelVersionId" = $1 AND p."headsId" = $2))
     ORDER BY c.id`,
    [version.id, version.headsId, mapAnswerKey(version.id, version.headsId)],
  );
  return rows.map((r) => r.id);
}
