// How far a sample's attributions being computed have got (SampleAttributionProgress): the process computing
// them (an API replica or a worker, through storedSampleAttributions) records how many of the sample's measured
// genes it has occluded, so that any API replica answers the same progress and none starts the same work again.
// The row goes when the computation ends; one not updated for STALE_SECONDS belongs to a process that died.
import type pg from 'pg';

/** Which sample's attributions, by which model version and heads. */
export interface AttributionKey {
  sampleId: number;
  modelVersionId: number;
  headsId: string;
}

export interface AttributionProgress {
  /** Measured genes occluded so far, of `genesTotal` (null until the computation has read the profile). */
  genesDone: number;
  genesTotal: number | null;
  /** Seconds since the computation started (the database's clock, the same for every replica). */
  secondsComputing: number;
}

/** A progress row not updated for this long is a computation whose process died. */
export const STALE_SECONDS = 120;
/** Least time between two progress writes of one computation. */
const WRITE_EVERY_MS = 1000;

const KEY = `"sampleId" = $1 AND "modelVersionId" = $2 AND "headsId" = $3`;
const keyValues = (k: AttributionKey) => [k.sampleId, k.modelVersionId, k.headsId];

/** Records that the attributions are being computed from now (0 genes done); replaces any earlier row. */
export async function startAttributionProgress(pool: pg.Pool, key: AttributionKey): Promise<void> {
  await pool.query(
    `INSERT INTO "SampleAttributionProgress" ("sampleId", "modelVersionId", "headsId")
     SELECT $1, $2, $3
     WHERE EXISTS (SELECT 1 FROM "Sample" WHERE id = $1) AND EXISTS (SELECT 1 FROM "ModelVersion" WHERE id = $2)
     ON CONFLICT ("sampleId", "modelVersionId", "headsId") DO UPDATE
       SET "genesDone" = 0, "genesTotal" = NULL, "startedAt" = now(), "updatedAt" = now()`,
    keyValues(key),
  );
}

/**
 * A progress callback for attributeProfile that writes genes done of genes total, at most once a second
 * (and always the first report and the last gene).
 */
export function attributionProgressWriter(
  pool: pg.Pool,
  key: AttributionKey,
): (genesDone: number, genesTotal: number) => Promise<void> {
  let written = Number.NEGATIVE_INFINITY;
  return async (genesDone, genesTotal) => {
    const now = performance.now();
    if (now - written < WRITE_EVERY_MS && genesDone < genesTotal) return;
    written = now;
    await pool.query(
      `UPDATE "SampleAttributionProgress" SET "genesDone" = $4, "genesTotal" = $5, "updatedAt" = now()
       WHERE ${KEY}`,
      [...keyValues(key), genesDone, genesTotal],
    );
  };
}

/** The computation's progress; null when none is under way (or its process died). */
export async function readAttributionProgress(
  pool: pg.Pool,
  key: AttributionKey,
): Promise<AttributionProgress | null> {
  const { rows } = await pool.query<AttributionProgress>(
    `SELECT "genesDone", "genesTotal",
       extract(epoch FROM (now() - "startedAt"))::float8 AS "secondsComputing"
     FROM "SampleAttributionProgress"
     WHERE ${KEY} AND "updatedAt" > now() - make_interval(secs => $4)`,
    [...keyValues(key), STALE_SECONDS],
  );
  return rows[0] ?? null;
}

/** The computation has ended (stored, failed or stopped). */
export async function endAttributionProgress(pool: pg.Pool, key: AttributionKey): Promise<void> {
  await pool.query(`DELETE FROM "SampleAttributionProgress" WHERE ${KEY}`, keyValues(key));
}
