// Precomputed model results: every stored sample's embedding (SampleEmbedding) and what the heads say of it
// (SamplePrediction), per model version and head version, computed by the worker in batches that any number
// of workers share (services/worker/src/precomputeJob.ts), read first by the API.
//
// A batch's samples are claimed in PrecomputeSample (primary key: version, heads, sample; inserted with ON
// CONFLICT DO NOTHING), so a sample is in at most one batch per version and heads however many processes
// plan at once; a worker runs a batch only by moving it from QUEUED to RUNNING, so a batch whose job is
// delivered twice is computed once. Planning happens on a promotion, after an ingest, and in every worker's
// periodic check, which also re-sends batches whose job was lost and retries failed ones.
import type { SamplePrediction } from '@gexbert/model/heads';
import type pg from 'pg';
import type { PrismaClient } from '../db/prisma.ts';
import { withTransaction } from '../db/transaction.ts';
import { type JobQueue, PRECOMPUTE_JOB } from '../jobs/queue.ts';
import { decodeVector } from './embeddingCache.ts';
import { NORMALISED_INPUT_UNITS } from './modelRuntime.ts';

/** Times a batch is started before it is left FAILED for an operator to look at. */
export const MAX_BATCH_EXECUTIONS = 3;
/** A RUNNING batch whose worker has not finished it after this long has lost its worker. */
const STALE_BATCH_MINUTES = 15;
/** A QUEUED batch without a job this old was planned by a process that died before sending its job. */
const UNSENT_BATCH_SECONDS = 30;

/** Profile units the model reads (raw counts, else normalised values): a sample with one is precomputed. */
export const INPUT_UNITS = ['RAW_COUNT', ...NORMALISED_INPUT_UNITS];

export type PrecomputeReason = 'PROMOTION' | 'INGEST' | 'CHECK' | 'COHORT';

export interface PlanOptions {
  /** The version to precompute (default: the active one). */
  modelVersionId?: number;
  /** Only these samples (e.g. an ingest's); default every stored sample with model input. */
  sampleIds?: readonly number[];
  reason: PrecomputeReason;
  /** Samples per batch (one job each). */
  batchSize: number;
}

export interface PrecomputePlan {
  modelVersionId: number;
  headsId: string;
  /** Batches queued now, and their samples (samples already claimed by a batch are not planned again). */
  batches: number[];
  samples: number;
}

export interface VersionToPrecompute {
  id: number;
  status: string;
  headsId: string | null;
}

/**
 * A version (the active one without `modelVersionId`) with the id of the heads it serves (null without
 * heads): what its stored predictions are keyed by.
 */
export async function versionToPrecompute(
  pool: pg.Pool,
  modelVersionId?: number,
): Promise<VersionToPrecompute | null> {
  // raw SQL: one field of the heads JSON (heads->>'id'; Prisma would read megabytes of heads)
  const { rows } = await pool.query<VersionToPrecompute>(
    `SELECT id, status::text AS status, heads->>'id' AS "headsId" FROM "ModelVersion"
     WHERE ${modelVersionId === undefined ? 'active' : 'id = $1'}`,
    modelVersionId === undefined ? [] : [modelVersionId],
  );
  return rows[0] ?? null;
}

/** The samples the model can read (raw counts, or a normalised unit), optionally among `sampleIds`. */
const INPUT_SAMPLES = `SELECT DISTINCT p."sampleId" FROM "ExpressionProfile" p
  WHERE p.unit::text = ANY($1::text[])`;

/** What planning and re-sending batches use: the pool (bulk claims, the database clock), Prisma, the queue. */
export interface PrecomputeDeps {
  pool: pg.Pool;
  prisma: PrismaClient;
  queue: JobQueue;
}

/**
 * Queues precompute batches for the samples of a version (the active one by default) that no batch has
 * claimed yet, in order of sample id, `batchSize` to a job. null when there is no such version or it cannot
 * serve (TRAINING, FAILED).
 */
export async function planPrecompute(
  deps: PrecomputeDeps,
  options: PlanOptions,
): Promise<PrecomputePlan | null> {
  const version = await versionToPrecompute(deps.pool, options.modelVersionId);
  if (!version || version.status === 'TRAINING' || version.status === 'FAILED') return null;
  const headsId = version.headsId ?? '';
  const batches = await withTransaction(deps.pool, async (client) => {
    // one planner per version at a time (the claims' primary key would keep them apart anyway)
    // raw SQL: Prisma has no advisory locks
    await client.query('SELECT pg_advisory_xact_lock(7402103, $1)', [version.id]);
    // raw SQL: bulk: the unclaimed samples among thousands, in the planner's transaction
    const { rows } = await client.query<{ sampleId: number }>(
      `SELECT k."sampleId" FROM (${INPUT_SAMPLES}) k
       WHERE ($4::int[] IS NULL OR k."sampleId" = ANY($4::int[]))
         AND NOT EXISTS (SELECT 1 FROM "PrecomputeSample" c
           WHERE c."modelVersionId" = $2 AND c."headsId" = $3 AND c."sampleId" = k."sampleId")
       ORDER BY 1`,
      [INPUT_UNITS, version.id, headsId, options.sampleIds ? [...options.sampleIds] : null],
    );
    const ids = rows.map((r) => r.sampleId);
    const planned: { id: number; samples: number }[] = [];
    for (let i = 0; i < ids.length; i += options.batchSize) {
      const chunk = ids.slice(i, i + options.batchSize);
      const {
        rows: [batch],
        // raw SQL: in the planner's pg transaction, under its advisory lock
      } = await client.query<{ id: number }>(
        `INSERT INTO "PrecomputeBatch" ("modelVersionId", "headsId", reason, "sampleIds")
         VALUES ($1, $2, $3, '{}') RETURNING id`,
        [version.id, headsId, options.reason],
      );
      // raw SQL: bulk claim of thousands of samples (unnest, ON CONFLICT DO NOTHING RETURNING the ones won)
      const claimed = await client.query<{ sampleId: number }>(
        `INSERT INTO "PrecomputeSample" ("modelVersionId", "headsId", "sampleId", "batchId")
         SELECT $1, $2, k.id, $3 FROM unnest($4::int[]) AS k(id)
         ON CONFLICT DO NOTHING RETURNING "sampleId"`,
        [version.id, headsId, batch!.id, chunk],
      );
      const mine = claimed.rows.map((r) => r.sampleId).sort((a, b) => a - b);
      if (mine.length === 0) {
        // raw SQL: in the planner's pg transaction, under its advisory lock
        await client.query('DELETE FROM "PrecomputeBatch" WHERE id = $1', [batch!.id]);
        continue;
      }
      // raw SQL: in the planner's pg transaction, under its advisory lock
      await client.query('UPDATE "PrecomputeBatch" SET "sampleIds" = $2 WHERE id = $1', [batch!.id, mine]);
      planned.push({ id: batch!.id, samples: mine.length });
    }
    return planned;
  });
  for (const batch of batches) await sendBatch(deps, batch.id);
  return {
    modelVersionId: version.id,
    headsId,
    batches: batches.map((b) => b.id),
    samples: batches.reduce((n, b) => n + b.samples, 0),
  };
}

async function sendBatch(deps: PrecomputeDeps, batchId: number): Promise<void> {
  const jobId = await deps.queue.send(PRECOMPUTE_JOB, { batchId }, { retryLimit: 0 });
  // updateMany: a batch deleted meanwhile (its version gone) is left alone, as before
  await deps.prisma.precomputeBatch.updateMany({ where: { id: batchId }, data: { jobId } });
}

/**
 * Keeps batches moving: a RUNNING batch whose worker is gone is FAILED; a FAILED one started fewer than
 * MAX_BATCH_EXECUTIONS times is queued again; a QUEUED one whose planner died before sending its job gets
 * one. Returns the batches (re)sent.
 */
export async function resendBatches(deps: PrecomputeDeps): Promise<number[]> {
  // raw SQL: staleness judged on the database clock (now() - interval), as startedAt was set
  await deps.pool.query(
    `UPDATE "PrecomputeBatch" SET state = 'FAILED', error = 'its worker stopped before finishing it', "finishedAt" = now()
     WHERE state = 'RUNNING' AND "startedAt" < now() - make_interval(mins => $1)`,
    [STALE_BATCH_MINUTES],
  );
  // raw SQL: staleness judged on the database clock (now() - interval), as createdAt was set
  const { rows } = await deps.pool.query<{ id: number }>(
    `UPDATE "PrecomputeBatch" SET state = 'QUEUED', "jobId" = NULL
     WHERE (state = 'FAILED' AND executions < $1)
        OR (state = 'QUEUED' AND "jobId" IS NULL AND "createdAt" < now() - make_interval(secs => $2))
     RETURNING id`,
    [MAX_BATCH_EXECUTIONS, UNSENT_BATCH_SECONDS],
  );
  for (const { id } of rows) await sendBatch(deps, id);
  return rows.map((r) => r.id);
}

/** A batch taken by a worker: what it computes. */
export interface ClaimedBatch {
  id: number;
  modelVersionId: number;
  headsId: string;
  sampleIds: number[];
}

/** Takes a QUEUED batch for a worker (null when it is not QUEUED: done, running elsewhere, or gone). */
export async function claimBatch(
  pool: pg.Pool,
  batchId: number,
  workerId: string,
): Promise<ClaimedBatch | null> {
  // raw SQL: an atomic claim (UPDATE ... WHERE state = QUEUED RETURNING), startedAt on the database clock
  const { rows } = await pool.query<ClaimedBatch>(
    `UPDATE "PrecomputeBatch" SET state = 'RUNNING', executions = executions + 1, "workerId" = $2,
       "startedAt" = now(), error = NULL
     WHERE id = $1 AND state = 'QUEUED'
     RETURNING id, "modelVersionId", "headsId", "sampleIds"`,
    [batchId, workerId],
  );
  return rows[0] ?? null;
}

/** Gives a batch back (its worker is stopping): QUEUED without a job, so the next check sends it again. */
export async function releaseBatch(prisma: PrismaClient, batchId: number): Promise<void> {
  await prisma.precomputeBatch.updateMany({
    where: { id: batchId, state: 'RUNNING' },
    data: { state: 'QUEUED', jobId: null, workerId: null },
  });
}

/** Records a batch's end: DONE with its counts, or FAILED with the error. */
export async function finishBatch(
  pool: pg.Pool,
  batchId: number,
  outcome: { computed: number; embedded: number } | { error: string },
): Promise<void> {
  // raw SQL (both): finishedAt on the database clock, as claimBatch sets startedAt (a batch's time, and
  // bench:scale's precompute time, is finishedAt - startedAt; Prisma would write this process's clock)
  if ('error' in outcome)
    await pool.query(
      `UPDATE "PrecomputeBatch" SET state = 'FAILED', error = $2, "finishedAt" = now() WHERE id = $1`,
      [batchId, outcome.error.slice(0, 2000)],
    );
  else
    await pool.query(
      `UPDATE "PrecomputeBatch" SET state = 'DONE', computed = $2, embedded = $3, "finishedAt" = now()
       WHERE id = $1`,
      [batchId, outcome.computed, outcome.embedded],
    );
}

/** One sample's stored answer: null when the model cannot read it (or the version has no heads). */
export interface PredictionToStore {
  sampleId: number;
  inputGenes: number;
  prediction: SamplePrediction | null;
}

/** Stores answers (one INSERT; an answer already stored for the sample, version and heads is kept). */
export async function storePredictions(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  batchId: number | null,
  rows: readonly PredictionToStore[],
): Promise<void> {
  if (rows.length === 0) return;
  // raw SQL: bulk: a batch's answers in one statement (unnest, ON CONFLICT DO NOTHING)
  await pool.query(
    `INSERT INTO "SamplePrediction" ("sampleId", "modelVersionId", "headsId", "inputGenes", "predictedType",
       "riskScore", prediction, "batchId")
     SELECT k.sample_id, $1, $2, k.input_genes, k.predicted_type, k.risk, k.prediction, $3
     FROM unnest($4::int[], $5::int[], $6::text[], $7::float8[], $8::jsonb[])
       AS k(sample_id, input_genes, predicted_type, risk, prediction)
     ON CONFLICT DO NOTHING`,
    [
      modelVersionId,
      headsId,
      batchId,
      rows.map((r) => r.sampleId),
      rows.map((r) => r.inputGenes),
      rows.map((r) => r.prediction?.cancerType?.predictedType ?? null),
      rows.map((r) => r.prediction?.risk?.score ?? null),
      rows.map((r) =>
        r.prediction
          ? JSON.stringify({
              heads: r.prediction.heads,
              cancerType: r.prediction.cancerType,
              risk: r.prediction.risk,
            })
          : null,
      ),
    ],
  );
}

/**
 * Stored answers of the samples by a version's heads, with their embeddings: a sample with an answer maps to
 * it, one the model cannot read to null, one not precomputed (yet) is absent.
 */
export async function readStoredPredictions(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  sampleIds: readonly number[],
): Promise<Map<number, SamplePrediction | null>> {
  // raw SQL: bulk: stored answers of thousands of samples (= ANY)
  const { rows } = await pool.query<{
    sampleId: number;
    inputGenes: number;
    prediction: Omit<SamplePrediction, 'embedding' | 'inputGenes'> | null;
    vector: Buffer | null;
  }>(
    `SELECT p."sampleId", p."inputGenes", p.prediction, e.vector
     FROM "SamplePrediction" p LEFT JOIN "SampleEmbedding" e
       ON e."sampleId" = p."sampleId" AND e."modelVersionId" = p."modelVersionId"
     WHERE p."modelVersionId" = $1 AND p."headsId" = $2 AND p."sampleId" = ANY($3::int[])`,
    [modelVersionId, headsId, [...sampleIds]],
  );
  const out = new Map<number, SamplePrediction | null>();
  for (const r of rows) {
    if (!r.prediction) out.set(r.sampleId, null);
    else if (r.vector)
      out.set(r.sampleId, {
        embedding: decodeVector(r.vector),
        inputGenes: r.inputGenes,
        ...r.prediction,
      });
  }
  return out;
}

/**
 * Stored whole-profile risk scores of the samples by a version's heads: the samples whose answer came from
 * the whole-profile heads (not panel-fitted ones) and has a risk score; the rest are absent.
 */
export async function readStoredWholeProfileRisks(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  sampleIds: readonly number[],
): Promise<Map<number, number>> {
  // raw SQL: bulk: stored answers of thousands of samples (= ANY)
  const { rows } = await pool.query<{ sampleId: number; riskScore: number }>(
    `SELECT "sampleId", "riskScore" FROM "SamplePrediction"
     WHERE "modelVersionId" = $1 AND "headsId" = $2 AND "sampleId" = ANY($3::int[])
       AND "riskScore" IS NOT NULL AND (prediction->'heads'->>'panelMatched')::boolean IS NOT TRUE`,
    [modelVersionId, headsId, [...sampleIds]],
  );
  return new Map(rows.map((r) => [r.sampleId, r.riskScore]));
}

/**
 * Stored predicted cancer types of the samples by a version's heads: the type, 'unknown' where the type head
 * answered but flagged the sample out of distribution; samples with no stored type answer are absent.
 */
export async function readStoredPredictedTypes(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  sampleIds: readonly number[],
): Promise<Map<number, string>> {
  // raw SQL: bulk: stored answers of thousands of samples (= ANY)
  const { rows } = await pool.query<{ sampleId: number; type: string }>(
    `SELECT "sampleId", coalesce("predictedType", 'unknown') AS type FROM "SamplePrediction"
     WHERE "modelVersionId" = $1 AND "headsId" = $2 AND "sampleId" = ANY($3::int[])
       AND jsonb_typeof(prediction->'cancerType') = 'object'`,
    [modelVersionId, headsId, [...sampleIds]],
  );
  return new Map(rows.map((r) => [r.sampleId, r.type]));
}

/** A sample's stored embedding with the answer fields a cohort map shows. */
export interface StoredMapPoint {
  sampleId: number;
  vector: Float32Array;
  predictedType: string | null;
  closestType: string | null;
  outOfDistribution: boolean | null;
  risk: number | null;
}

/**
 * Stored embeddings and answers of the samples by a version's heads, reading only what a cohort map shows
 * (not the whole answer): samples without a stored answer and embedding are absent.
 */
export async function readStoredMapPoints(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  sampleIds: readonly number[],
): Promise<Map<number, StoredMapPoint>> {
  // raw SQL: bulk: embeddings and answers of thousands of samples, with JSON paths
  const { rows } = await pool.query<Omit<StoredMapPoint, 'vector'> & { vector: Buffer }>(
    `SELECT p."sampleId", e.vector, p."predictedType", p.prediction->'cancerType'->>'closestType' AS "closestType",
       (p.prediction->'cancerType'->>'outOfDistribution')::boolean AS "outOfDistribution", p."riskScore" AS risk
     FROM "SamplePrediction" p JOIN "SampleEmbedding" e
       ON e."sampleId" = p."sampleId" AND e."modelVersionId" = p."modelVersionId"
     WHERE p."modelVersionId" = $1 AND p."headsId" = $2 AND p."sampleId" = ANY($3::int[])
       AND p.prediction IS NOT NULL`,
    [modelVersionId, headsId, [...sampleIds]],
  );
  return new Map(rows.map((r) => [r.sampleId, { ...r, vector: decodeVector(r.vector) }]));
}

/** How many of the samples have a stored answer row (with or without an answer) by a version's heads. */
export async function storedPredictionCount(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  sampleIds: readonly number[],
): Promise<number> {
  // raw SQL: count over thousands of samples (= ANY)
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "SamplePrediction"
     WHERE "modelVersionId" = $1 AND "headsId" = $2 AND "sampleId" = ANY($3::int[])`,
    [modelVersionId, headsId, [...sampleIds]],
  );
  return rows[0]!.n;
}

/** True when no batch of this version and heads is waiting or running. */
export async function precomputeFinished(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
): Promise<boolean> {
  // raw SQL: EXISTS over the version's batches and samples in one statement
  const { rows } = await pool.query<{ open: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "PrecomputeBatch" WHERE "modelVersionId" = $1 AND "headsId" = $2
       AND state IN ('QUEUED', 'RUNNING')) AS open`,
    [modelVersionId, headsId],
  );
  return !rows[0]!.open;
}

export interface PrecomputeProgress {
  modelVersionId: number;
  headsId: string;
  /** Stored samples the model can read. */
  total: number;
  /** Of them, those with a stored answer by this version and heads. */
  done: number;
  /** Batches by state. */
  queued: number;
  running: number;
  failed: number;
  finished: number;
}

/** How far the precompute of a version (by its current heads) has got. */
export async function precomputeProgress(
  pool: pg.Pool,
  modelVersion: { id: number; heads: unknown },
): Promise<PrecomputeProgress> {
  const headsId =
    modelVersion.heads && typeof modelVersion.heads === 'object'
      ? String((modelVersion.heads as { id?: unknown }).id ?? '')
      : '';
  // raw SQL: counts over three tables in one statement
  const { rows } = await pool.query<Omit<PrecomputeProgress, 'modelVersionId' | 'headsId'>>(
    `SELECT (SELECT count(*)::int FROM (${INPUT_SAMPLES}) k) AS total,
       (SELECT count(*)::int FROM "SamplePrediction" WHERE "modelVersionId" = $2 AND "headsId" = $3) AS done,
       count(*) FILTER (WHERE b.state = 'QUEUED')::int AS queued,
       count(*) FILTER (WHERE b.state = 'RUNNING')::int AS running,
       count(*) FILTER (WHERE b.state = 'FAILED')::int AS failed,
       count(*) FILTER (WHERE b.state = 'DONE')::int AS finished
     FROM "PrecomputeBatch" b WHERE b."modelVersionId" = $2 AND b."headsId" = $3`,
    [INPUT_UNITS, modelVersion.id, headsId],
  );
  return { modelVersionId: modelVersion.id, headsId, ...rows[0]! };
}
