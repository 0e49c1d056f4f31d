// A sample's gene attributions stored once computed (SampleAttribution), keyed by sample, model version and
// the heads' id: a second visit of a sample page, another API process and the worker's gene importance
// (geneImportance.ts) read them instead of running one encoder pass per measured gene again (12-17 s for a
// 1,000-gene profile on 2 cores). Heads fitted again have a new id, so their attributions are computed anew;
// a sample whose model input changes loses its rows with its other stored answers (storedAnswers.ts).
import type pg from 'pg';
import type { PrismaClient } from '../db/prisma.ts';
import type { ProfileAttributions } from './attribution.ts';
import {
  type AttributionKey,
  type AttributionProgressReport,
  claimAttributionProgress,
  endAttributionProgress,
  keepAttributionProgress,
  readAttributionProgress,
} from './attributionProgress.ts';

/** The stored attributions of a sample by a version's heads; null when none are stored. */
export async function readSampleAttributions(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  sampleId: number,
): Promise<ProfileAttributions | null> {
  // raw SQL: jsonb as text through pg, so floats come back bit for bit (Prisma's Json path moved a stored map by 1 ulp)
  const { rows } = await pool.query<{ value: Omit<ProfileAttributions, 'ms'>; ms: number }>(
    `SELECT value, ms FROM "SampleAttribution"
     WHERE "sampleId" = $1 AND "modelVersionId" = $2 AND "headsId" = $3`,
    [sampleId, modelVersionId, headsId],
  );
  const row = rows[0];
  return row ? { ...row.value, ms: row.ms } : null;
}

/** True when the sample's attributions by a version's heads are stored. */
export async function sampleAttributionsStored(
  prisma: PrismaClient,
  modelVersionId: number,
  headsId: string,
  sampleId: number,
): Promise<boolean> {
  const found = await prisma.sampleAttribution.findUnique({
    where: { sampleId_modelVersionId_headsId: { sampleId, modelVersionId, headsId } },
    select: { sampleId: true },
  });
  return found !== null;
}

/** Stores a sample's attributions (an answer already stored for the sample, version and heads is kept). */
export async function storeSampleAttributions(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  sampleId: number,
  attributions: ProfileAttributions,
): Promise<void> {
  const { ms, ...value } = attributions;
  // raw SQL: jsonb as text through pg, so floats come back bit for bit (Prisma's Json path moved a stored map by 1 ulp)
  await pool.query(
    `INSERT INTO "SampleAttribution" ("sampleId", "modelVersionId", "headsId", value, ms)
     SELECT $1, $2, $3, $4::jsonb, $5
     WHERE EXISTS (SELECT 1 FROM "Sample" WHERE id = $1) AND EXISTS (SELECT 1 FROM "ModelVersion" WHERE id = $2)
     ON CONFLICT DO NOTHING`,
    [sampleId, modelVersionId, headsId, JSON.stringify(value), ms],
  );
}

/** How often a caller whose sample another process is computing looks whether it is done. */
const WAIT_POLL_MS = 1000;

/**
 * The stored attributions, else `compute(progress)`'s, stored (null, a sample without model input, is not
 * stored: finding that out reads the profile, no encoder pass). Only the caller holding the sample's progress
 * row (attributionProgress.ts) computes, telling `progress` how far it has got; a caller finding another live
 * process computing it (another API replica, a worker) waits for that answer instead, calling `whileWaiting`
 * (which may throw to stop waiting) between looks, and computes only if that process ends without storing it.
 */
export async function storedSampleAttributions(
  pool: pg.Pool,
  prisma: PrismaClient,
  modelVersionId: number,
  headsId: string,
  sampleId: number,
  compute: (progress: AttributionProgressReport) => Promise<ProfileAttributions | null>,
  whileWaiting?: () => void | Promise<void>,
): Promise<ProfileAttributions | null> {
  const key = { sampleId, modelVersionId, headsId };
  for (;;) {
    const stored = await readSampleAttributions(pool, modelVersionId, headsId, sampleId);
    if (stored) return stored;
    const claim = await claimAttributionProgress(pool, key);
    if (claim) return computeClaimed({ pool, prisma }, key, claim.owner, compute);
    // another live process computes them: wait until its row goes (stored, or ended without) or dies
    while (await readAttributionProgress(pool, key)) {
      await whileWaiting?.();
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  }
}

/** Computes and stores the attributions under a claim (owner null: no row to keep, the sample or model is gone). */
async function computeClaimed(
  { pool, prisma }: { pool: pg.Pool; prisma: PrismaClient },
  key: AttributionKey,
  owner: string | null,
  compute: (progress: AttributionProgressReport) => Promise<ProfileAttributions | null>,
): Promise<ProfileAttributions | null> {
  const { modelVersionId, headsId, sampleId } = key;
  const kept = owner ? keepAttributionProgress(pool, key, owner) : null;
  try {
    // stored by a process that ended between the read and the claim
    const stored = await readSampleAttributions(pool, modelVersionId, headsId, sampleId);
    if (stored) return stored;
    const computed = await compute(kept?.report ?? { genes() {}, waiting() {} });
    if (computed) await storeSampleAttributions(pool, modelVersionId, headsId, sampleId, computed);
    return computed;
  } finally {
    await kept?.stop();
    if (owner) await endAttributionProgress(prisma, key, owner);
  }
}
