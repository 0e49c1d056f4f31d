// How far a sample's attributions being computed have got (SampleAttributionProgress). The row is a claim: the
// process computing them (an API replica or a worker, through storedSampleAttributions) takes it atomically, so
// no other process starts the same work, and keeps it alive with a heartbeat (the progress written at most once
// a second) for as long as it lives, whether it occludes genes, waits for its turn on the model behind other
// computations, or loads the model. It records what it is doing (stage) and how many of the sample's measured
// genes it has occluded, so that any API replica answers the same progress. The row goes when the computation
// ends; one not updated for `attributionStaleSeconds` (config) belongs to a process that died and may be taken.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { loadConfig } from '../config.ts';
import type { PrismaClient } from '../db/prisma.ts';

/** Which sample's attributions, by which model version and heads. */
export interface AttributionKey {
  sampleId: number;
  modelVersionId: number;
  headsId: string;
}

/**
 * What the computation is doing: STARTING (reading the sample's values, loading the model), WAITING (for its
 * turn on the model, behind other computations of the same process) or RUNNING (occluding genes).
 */
export type AttributionStage = 'STARTING' | 'WAITING' | 'RUNNING';

export interface AttributionProgress {
  stage: AttributionStage;
  /** Measured genes occluded so far, of `genesTotal` (null until the computation has read the profile). */
  genesDone: number;
  genesTotal: number | null;
  /** While WAITING: the computations ahead of it on the model (the one running included); else null. */
  computationsAhead: number | null;
  /** Seconds since the computation started (the database's clock, the same for every replica). */
  secondsComputing: number;
}

/** What a computation tells its progress row (kept in memory, written by the heartbeat). */
export interface AttributionProgressReport {
  /** Genes occluded of genes total (attributeProfile's onProgress). */
  genes(done: number, total: number): void;
  /** Waiting for the model behind `ahead` computations (0: its turn has come, it runs). */
  waiting(ahead: number): void;
}

/** Least time between two progress writes of one computation. */
const WRITE_EVERY_MS = 1000;

/** Seconds after which a progress row not updated belongs to a dead process (GEXBERT_ATTRIBUTION_STALE_SECONDS). */
function staleSeconds(): number {
  return loadConfig().attributionStaleSeconds;
}

const KEY = `"sampleId" = $1 AND "modelVersionId" = $2 AND "headsId" = $3`;
const keyValues = (k: AttributionKey) => [k.sampleId, k.modelVersionId, k.headsId];

/**
 * Takes the computation of the key's attributions: the claim's owner id when this caller now holds it (a row
 * under no other live computation), `null` when a live computation holds it, or `{ owner: null }` when the
 * sample or model version does not exist (nothing to record, the caller computes without a row).
 */
export async function claimAttributionProgress(
  pool: pg.Pool,
  key: AttributionKey,
): Promise<{ owner: string | null } | null> {
  const owner = randomUUID();
  // raw SQL: an atomic conditional claim (take over only a row stale on the database clock, which every
  // replica judges by), for a sample and version that exist: Prisma cannot express it
  const { rows } = await pool.query<{ owner: string | null; known: boolean }>(
    `WITH claimed AS (
       INSERT INTO "SampleAttributionProgress" ("sampleId", "modelVersionId", "headsId", owner)
       SELECT $1, $2, $3, $4
       WHERE EXISTS (SELECT 1 FROM "Sample" WHERE id = $1) AND EXISTS (SELECT 1 FROM "ModelVersion" WHERE id = $2)
       ON CONFLICT ("sampleId", "modelVersionId", "headsId") DO UPDATE
         SET owner = EXCLUDED.owner, stage = 'STARTING', "genesDone" = 0, "genesTotal" = NULL,
           "computationsAhead" = NULL, "startedAt" = now(), "updatedAt" = now()
         WHERE "SampleAttributionProgress"."updatedAt" <= now() - make_interval(secs => $5)
       RETURNING owner)
     SELECT (SELECT owner FROM claimed) AS owner,
       EXISTS (SELECT 1 FROM "Sample" WHERE id = $1) AND EXISTS (SELECT 1 FROM "ModelVersion" WHERE id = $2) AS known`,
    [...keyValues(key), owner, staleSeconds()],
  );
  const row = rows[0]!;
  if (row.owner) return { owner: row.owner };
  return row.known ? null : { owner: null };
}

/**
 * The heartbeat of a claimed computation: its progress (what `report` hears) written every second until
 * `stop`, so the row stays alive while the computation waits as much as while it runs. A row another process
 * took over (this one was taken for dead) is left alone.
 */
export function keepAttributionProgress(
  pool: pg.Pool,
  key: AttributionKey,
  owner: string,
): { report: AttributionProgressReport; stop(): Promise<void> } {
  const state = {
    stage: 'STARTING' as AttributionStage,
    genesDone: 0,
    genesTotal: null as number | null,
    ahead: null as number | null,
  };
  const write = () =>
    // raw SQL: updatedAt on the database clock, which claims and readAttributionProgress judge staleness by
    pool.query(
      `UPDATE "SampleAttributionProgress"
       SET stage = $5, "genesDone" = $6, "genesTotal" = $7, "computationsAhead" = $8, "updatedAt" = now()
       WHERE ${KEY} AND owner = $4`,
      [...keyValues(key), owner, state.stage, state.genesDone, state.genesTotal, state.ahead],
    );
  let writing: Promise<unknown> = Promise.resolve();
  let busy = false;
  const beat = () => {
    if (busy) return; // the write before has not returned (a loaded database): no pile-up
    busy = true;
    writing = write()
      .catch(() => {}) // a missed beat is retried by the next one
      .finally(() => {
        busy = false;
      });
  };
  const every = Math.min(WRITE_EVERY_MS, (staleSeconds() * 1000) / 4);
  const timer = setInterval(beat, every);
  timer.unref();
  return {
    report: {
      genes(done, total) {
        state.genesDone = done;
        state.genesTotal = total;
        if (state.stage === 'STARTING') state.stage = 'RUNNING';
      },
      waiting(ahead) {
        state.stage = ahead > 0 ? 'WAITING' : 'RUNNING';
        state.ahead = ahead > 0 ? ahead : null;
      },
    },
    async stop() {
      clearInterval(timer);
      await writing;
    },
  };
}

/** attributeProfile's onProgress telling a report the genes done. */
export function genesProgress(report: AttributionProgressReport) {
  return async (done: number, total: number): Promise<void> => report.genes(done, total);
}

/** The computation's progress; null when none is under way (or its process died). */
export async function readAttributionProgress(
  pool: pg.Pool,
  key: AttributionKey,
): Promise<AttributionProgress | null> {
  // raw SQL: staleness and seconds computing on the database clock (now()), the same for every replica
  const { rows } = await pool.query<AttributionProgress>(
    `SELECT stage, "genesDone", "genesTotal", "computationsAhead",
       extract(epoch FROM (now() - "startedAt"))::float8 AS "secondsComputing"
     FROM "SampleAttributionProgress"
     WHERE ${KEY} AND "updatedAt" > now() - make_interval(secs => $4)`,
    [...keyValues(key), staleSeconds()],
  );
  return rows[0] ?? null;
}

/** The claimed computation has ended (stored, failed or stopped): its row goes, unless another process took it. */
export async function endAttributionProgress(
  prisma: PrismaClient,
  key: AttributionKey,
  owner: string,
): Promise<void> {
  await prisma.sampleAttributionProgress.deleteMany({ where: { ...key, owner } });
}
