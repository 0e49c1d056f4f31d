// Stored comparisons (GroupComparison): a comparison is computed once and its result kept, so any API
// process pages through its table without recomputing it. The same question (method, unit, filter and both
// groups' sample IDs) finds the same row. Small comparisons are computed by the process that asks; large
// ones (more sample x gene values than the caller's threshold) are queued as "compare-groups" jobs for a
// worker, which records its progress on the row.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type pg from 'pg';
import type { PrismaClient } from '../db/prisma.ts';
import { COMPARE_JOB, type JobQueue } from '../jobs/queue.ts';
import {
  type ComparisonRequest,
  compareSampleGroups,
  comparisonSize,
  type GroupComparison,
} from './compareGroups.ts';
import { resolveGroups } from './groups.ts';

export type ComparisonState = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

export interface StoredComparison {
  id: number;
  request: ComparisonRequest;
  state: ComparisonState;
  progress: number;
  stage: string | null;
  error: string | null;
  /** The result once DONE. */
  result: GroupComparison | null;
}

/** A RUNNING comparison whose process has not recorded progress for this long has lost it: it is queued again. */
const STALE_RUNNING_SECONDS = 600;

type Row = Omit<StoredComparison, 'result'> & { result: Buffer | null; stale: boolean };

const COLUMNS = `id, request, state::text AS state, progress, stage, error, result,
  (state = 'RUNNING' AND "startedAt" < now() - make_interval(secs => ${STALE_RUNNING_SECONDS})) AS stale`;

function fromRow({ stale: _stale, result, ...row }: Row): StoredComparison {
  return {
    ...row,
    result: result ? (JSON.parse(gunzipSync(result).toString('utf8')) as GroupComparison) : null,
  };
}

/** The key of a question: method, unit, filter and the two groups' sample IDs. */
async function comparisonKey(db: pg.Pool, request: ComparisonRequest): Promise<string> {
  const [a, b] = await resolveGroups(db, request.a, request.b);
  const question = {
    method: request.method,
    unit: request.unit ?? 'RAW_COUNT',
    filter: { ...request.filter, genes: request.filter?.genes ? [...request.filter.genes].sort() : null },
    a: a.sampleIds,
    b: b.sampleIds,
  };
  return createHash('sha256').update(JSON.stringify(question)).digest('hex');
}

export async function readComparison(db: pg.Pool, id: number): Promise<StoredComparison | null> {
  // raw SQL: `stale` is judged on the database clock (now()), as the upsert below judges it
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM "GroupComparison" WHERE id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

export interface ComparisonPolicy {
  /** Sample x gene values above which a comparison runs as a worker job (when a queue is given). */
  jobThreshold: number;
  queue: JobQueue | null;
  /** The name of the token asking. */
  requestedBy: string | null;
}

/**
 * The stored comparison answering this request: found by its key, else computed here (small, or no queue)
 * or queued for a worker. A FAILED one, or a RUNNING one whose process died, is started again. Bad input
 * (unknown cohort, empty or overlapping groups, a unit the method cannot use) throws ComparisonInputError.
 */
export async function requestComparison(
  db: pg.Pool,
  prisma: PrismaClient,
  request: ComparisonRequest,
  policy: ComparisonPolicy,
): Promise<StoredComparison> {
  const key = await comparisonKey(db, request);
  // raw SQL: `stale` is judged on the database clock (now()), as the upsert below judges it
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM "GroupComparison" WHERE key = $1`, [key]);
  const found = rows[0];
  if (found && found.state !== 'FAILED' && !found.stale) return fromRow(found);
  const size = await comparisonSize(db, request);
  const asJob = policy.queue !== null && size > policy.jobThreshold;
  // raw SQL: a conditional upsert (restart only a FAILED or stale row), which Prisma cannot express
  const { rows: started } = await db.query<{ id: number }>(
    `INSERT INTO "GroupComparison" (key, request, state, "requestedBy", "startedAt", stage)
     VALUES ($1, $2, $3::text::"ComparisonState", $4, CASE WHEN $3::text = 'RUNNING' THEN now() END, $5)
     ON CONFLICT (key) DO UPDATE SET state = EXCLUDED.state, "startedAt" = EXCLUDED."startedAt", progress = 0,
       stage = EXCLUDED.stage, error = NULL, result = NULL, "finishedAt" = NULL
       WHERE "GroupComparison".state = 'FAILED' OR ("GroupComparison".state = 'RUNNING'
         AND "GroupComparison"."startedAt" < now() - make_interval(secs => ${STALE_RUNNING_SECONDS}))
     RETURNING id`,
    [
      key,
      JSON.stringify(request),
      asJob ? 'QUEUED' : 'RUNNING',
      policy.requestedBy,
      asJob ? 'queued' : 'starting',
    ],
  );
  const id = started[0]?.id;
  if (id === undefined) {
    // another request started it meanwhile
    // raw SQL: `stale` is judged on the database clock (now()), as the upsert below judges it
    const { rows: again } = await db.query<Row>(`SELECT ${COLUMNS} FROM "GroupComparison" WHERE key = $1`, [
      key,
    ]);
    return fromRow(again[0]!);
  }
  if (asJob) {
    const jobId = await policy.queue!.send(COMPARE_JOB, { comparisonId: id }, { retryLimit: 1 });
    await prisma.groupComparison.updateMany({ where: { id }, data: { jobId } });
  } else await computeComparison(db, id, request);
  return (await readComparison(db, id))!;
}

/**
 * A worker's part: computes a QUEUED comparison (moving it to RUNNING first, so a job delivered twice runs
 * once), recording progress. False when it was not QUEUED.
 */
export async function runQueuedComparison(db: pg.Pool, id: number): Promise<boolean> {
  // raw SQL: an atomic claim (UPDATE ... WHERE state = QUEUED RETURNING), times on the database clock
  const { rows } = await db.query<{ request: ComparisonRequest }>(
    `UPDATE "GroupComparison" SET state = 'RUNNING', "startedAt" = now(), stage = 'starting'
     WHERE id = $1 AND state = 'QUEUED' RETURNING request`,
    [id],
  );
  if (!rows[0]) return false;
  await computeComparison(db, id, rows[0].request);
  return true;
}

/** Computes a RUNNING comparison and stores its result, or its error (FAILED). */
async function computeComparison(db: pg.Pool, id: number, request: ComparisonRequest): Promise<void> {
  let written = Promise.resolve();
  const onProgress = (progress: number, stage: string) => {
    written = written
      .then(() =>
        // raw SQL: progress and startedAt on the database clock, which the stale check reads
        db.query(
          `UPDATE "GroupComparison" SET progress = $2, stage = $3, "startedAt" = now() WHERE id = $1`,
          [id, progress, stage],
        ),
      )
      .then(() => {});
  };
  try {
    const result = await compareSampleGroups(db, request, onProgress);
    await written;
    // raw SQL: state and finishedAt on the database clock, beside the progress writes
    await db.query(
      `UPDATE "GroupComparison" SET state = 'DONE', progress = 1, stage = 'done', result = $2, "finishedAt" = now()
       WHERE id = $1`,
      [id, gzipSync(JSON.stringify(result))],
    );
  } catch (error) {
    await written.catch(() => {});
    // raw SQL: state and finishedAt on the database clock, beside the progress writes
    await db.query(
      `UPDATE "GroupComparison" SET state = 'FAILED', error = $2, "finishedAt" = now() WHERE id = $1`,
      [id, error instanceof Error ? error.message : String(error)],
    );
    throw error;
  }
}
