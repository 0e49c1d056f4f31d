// The model registry: which GexBERT checkpoints the platform knows, and which one serves (exactly one ACTIVE).
// Activation happens only here (promote, rollback, first start), each in one transaction, so a model that is
// still training or failed can never serve.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HEADS_FILE, type ModelHeads, readModelHeads, toStored, withoutPanels } from '@gexbert/model/heads';
import { readVocabulary } from '@gexbert/model/inference';
import type pg from 'pg';
import { REPO_ROOT } from '../config.ts';
import { idPage } from '../db/page.ts';
import type { Db, PrismaClient } from '../db/prisma.ts';
import { storeVocabularyGenes } from '../gene/store.ts';
import { fitHeads, loadModelRuntime, versionHeads } from '../inference/modelRuntime.ts';
import { samplesWithRawCounts } from '../sample/records.ts';
import {
  defaultCheckpointCache,
  storeCheckpoint,
  storeMissingCheckpoints,
  versionWithWeightsOf,
  weightsHash,
} from './checkpointStore.ts';

export type ModelVersion = Db.ModelVersion;
export type ModelStatus = Db.ModelStatus;

/** The checkpoint shipped in the repository (trained on the six real TCGA cohorts). */
export const SHIPPED_CHECKPOINT = path.join(REPO_ROOT, 'model', 'checkpoints', 'tcga-6types');
export const SHIPPED_MODEL_NAME = 'tcga-6types';
/**
 * The second shipped checkpoint: pretrained on the six count cohorts and the PanCanAtlas RSEM extract (33
 * types, its own RSEM normalisation), with heads for the 33 types (model/checkpoints/tcga-33types/MODEL_CARD.md).
 */
export const TCGA_33_CHECKPOINT = path.join(REPO_ROOT, 'model', 'checkpoints', 'tcga-33types');
export const TCGA_33_MODEL_NAME = 'tcga-33types';

export class RegistryError extends Error {}

export function activeModelVersion(prisma: PrismaClient): Promise<ModelVersion | null> {
  return prisma.modelVersion.findFirst({ where: { active: true } });
}

/** A version's ID and its row's version: PostgreSQL's xmin, which every update of the row changes. */
export interface ModelVersionStamp {
  id: number;
  stamp: string;
}

/**
 * The active version's stamp, read without the row's JSON (its heads are megabytes): how a process that
 * holds the active version checks, every second, whether it or its heads changed.
 */
export async function activeModelStamp(pool: pg.Pool): Promise<ModelVersionStamp | null> {
  // raw SQL: xmin is a system column, which Prisma cannot select
  const { rows } = await pool.query<ModelVersionStamp>(
    `SELECT id, xmin::text AS stamp FROM "ModelVersion" WHERE active`,
  );
  return rows[0] ?? null;
}

/** The stamp of the version with this ID (null when there is none). */
export async function modelVersionStamp(pool: pg.Pool, id: number): Promise<string | null> {
  // raw SQL: xmin is a system column, which Prisma cannot select
  const { rows } = await pool.query<{ stamp: string }>(
    `SELECT xmin::text AS stamp FROM "ModelVersion" WHERE id = $1`,
    [id],
  );
  return rows[0]?.stamp ?? null;
}

export function modelVersionById(prisma: PrismaClient, id: number): Promise<ModelVersion | null> {
  return prisma.modelVersion.findUnique({ where: { id } });
}

/** The versions with these IDs (any order; unknown IDs are absent). */
export function modelVersionsById(prisma: PrismaClient, ids: readonly number[]): Promise<ModelVersion[]> {
  return prisma.modelVersion.findMany({ where: { id: { in: [...ids] } } });
}

/** The most recently registered version's ID (null when there is none). */
export async function newestModelVersionId(prisma: PrismaClient): Promise<number | null> {
  const newest = await prisma.modelVersion.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
  return newest?.id ?? null;
}

/** The version's training snapshot: the IDs of the samples it is (being) trained on, ascending. */
export async function trainingSnapshot(prisma: PrismaClient, id: number): Promise<number[]> {
  const rows = await prisma.modelTrainingSample.findMany({
    where: { modelVersionId: id },
    select: { sampleId: true },
    orderBy: { sampleId: 'asc' },
  });
  return rows.map((r) => r.sampleId);
}

/** Up to `limit` versions (of `status`, or any) with IDs above `afterId` (ascending), and how many in all. */
export function modelVersionPage(
  prisma: PrismaClient,
  status: ModelStatus | null | undefined,
  afterId: number,
  limit: number,
): Promise<{ rows: ModelVersion[]; total: number }> {
  return idPage(prisma.modelVersion, status ? { status } : {}, { after: afterId }, limit);
}

export interface NewModelVersion {
  name: string;
  checkpointPath: string;
  status: ModelStatus;
  parentId?: number | null;
  config: object;
  metrics?: object;
  /** The training data snapshot: the samples the model is (being) trained on. */
  sampleIds?: number[];
}

/** Records a model version (never ACTIVE: use promoteModelVersion) with its training snapshot. */
export async function registerModelVersion(
  prisma: PrismaClient,
  input: NewModelVersion,
): Promise<ModelVersion> {
  if (input.status === 'ACTIVE')
    throw new RegistryError('register the model, then promote it to make it active');
  const sampleIds = [...new Set(input.sampleIds ?? [])];
  return prisma.$transaction(async (tx) => {
    const version = await tx.modelVersion.create({
      data: {
        name: input.name,
        checkpointPath: input.checkpointPath,
        status: input.status,
        parentId: input.parentId ?? null,
        config: input.config,
        metrics: input.metrics ?? {},
        trainingSampleCount: sampleIds.length,
      },
    });
    // raw SQL (bulk): one statement whatever the snapshot's size (11,000 rows through createMany outlived the
    // transaction)
    if (sampleIds.length > 0)
      await tx.$executeRaw`INSERT INTO "ModelTrainingSample" ("modelVersionId", "sampleId")
        SELECT ${version.id}, unnest(${sampleIds}::int[])`;
    return version;
  }, SNAPSHOT_TRANSACTION);
}

/** Sets `trainedOnSimulated` from the version's snapshot (true when any of its samples is simulated). */
export async function recordTrainedOnSimulated(prisma: PrismaClient, id: number): Promise<ModelVersion> {
  const simulated = await prisma.modelTrainingSample.findFirst({
    where: { modelVersionId: id, sample: { simulated: true } },
    select: { sampleId: true },
  });
  return prisma.modelVersion.update({ where: { id }, data: { trainedOnSimulated: simulated !== null } });
}

/** A trained checkpoint: where its folder is, its config and its metrics. */
export interface TrainedCheckpoint {
  checkpointPath: string;
  config: object;
  metrics: object;
}

/** Records where a version's trained checkpoint is, with its config and metrics (its status unchanged). */
export function recordTrainedCheckpoint(
  prisma: PrismaClient,
  id: number,
  checkpoint: TrainedCheckpoint,
): Promise<ModelVersion> {
  return prisma.modelVersion.update({ where: { id }, data: { ...checkpoint } });
}

type Platform = { pool: pg.Pool; prisma: PrismaClient };

/** A trained version's gate: its fitted heads, its gate record and its metrics, making it a CANDIDATE. */
export interface GatedVersion {
  heads: object;
  gate: object;
  metrics: object;
}

/**
 * Records a trained version's heads, gate and metrics and makes it a CANDIDATE (promoteModelVersion serves
 * it); the heads are written first, so a CANDIDATE always has them.
 */
export async function recordCandidate(
  platform: Platform,
  id: number,
  { heads, ...gated }: GatedVersion,
): Promise<ModelVersion> {
  await storeHeads(platform.pool, id, heads);
  return platform.prisma.modelVersion.update({ where: { id }, data: { status: 'CANDIDATE', ...gated } });
}

/**
 * Writes a version's heads (their stored form, toStored) bit for bit: served predictions compute with
 * exactly the numbers of the heads fitted, or of the checkpoint's heads.json.
 */
async function storeHeads(pool: pg.Pool, id: number, stored: object): Promise<void> {
  // raw SQL: exact JSON floats: Prisma's Json write keeps 16 significant digits (0.1 + 0.2 is stored as 0.3,
  // 0.036035554414963644 as 0.03603555441496364); pg takes JSON.stringify's text, which reads back exactly
  await pool.query('UPDATE "ModelVersion" SET heads = $2::jsonb WHERE id = $1', [id, JSON.stringify(stored)]);
}

/** storeHeads, then the version as stored (Prisma's Json read is exact). */
async function withHeads(platform: Platform, id: number, heads: ModelHeads): Promise<ModelVersion> {
  await storeHeads(platform.pool, id, toStored(heads));
  return platform.prisma.modelVersion.findUniqueOrThrow({ where: { id } });
}

/** Replaces a version's gate record (a gate decision revised after it ran). */
export function recordGate(prisma: PrismaClient, id: number, gate: object): Promise<ModelVersion> {
  return prisma.modelVersion.update({ where: { id }, data: { gate } });
}

/** A training snapshot of a TCGA-sized database is written in one transaction; a loaded machine is slow. */
const SNAPSHOT_TRANSACTION = { timeout: 120_000, maxWait: 30_000 };

/** Makes `id` the active model; the previously active one becomes RETIRED. `gate` is recorded if given. */
export async function promoteModelVersion(
  prisma: PrismaClient,
  id: number,
  gate?: object,
): Promise<ModelVersion> {
  return prisma.$transaction(async (tx) => {
    // Serialise activations: concurrent promotions would otherwise race on the unique `active` index
    // (raw SQL: Prisma has no advisory locks).
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(7402101)');
    const version = await tx.modelVersion.findUnique({ where: { id } });
    if (!version) throw new RegistryError(`model version ${id} does not exist`);
    if (version.status === 'ACTIVE') return version;
    if (version.status !== 'CANDIDATE' && version.status !== 'RETIRED')
      throw new RegistryError(
        `model version ${id} (${version.name}) is ${version.status}; only a CANDIDATE or RETIRED model can be promoted`,
      );
    const now = new Date();
    await tx.modelVersion.updateMany({
      where: { active: true },
      data: { active: null, status: 'RETIRED', retiredAt: now },
    });
    return tx.modelVersion.update({
      where: { id },
      data: {
        active: true,
        status: 'ACTIVE',
        activatedAt: now,
        retiredAt: null,
        ...(gate ? { gate } : {}),
      },
    });
  });
}

/** Re-activates the most recently retired model; the active one becomes RETIRED. */
export async function rollbackModelVersion(prisma: PrismaClient): Promise<ModelVersion> {
  const previous = await prisma.modelVersion.findFirst({
    where: { status: 'RETIRED', activatedAt: { not: null } },
    orderBy: [{ retiredAt: 'desc' }, { id: 'desc' }],
  });
  if (!previous) throw new RegistryError('there is no previously active model to roll back to');
  return promoteModelVersion(prisma, previous.id);
}

/**
 * A version registered before heads travelled with the model holds heads fitted on whatever the database
 * held then; when its checkpoint carries a heads.json, those replace them (once, logged). Heads.json stored
 * before heads were written exactly (Prisma's Json write rounded a third of its numbers in the last digit)
 * is written again, exactly (once, logged).
 */
async function upgradeHeads(
  platform: Platform,
  version: ModelVersion,
  log?: (line: string) => void,
): Promise<ModelVersion> {
  if (!existsSync(path.join(version.checkpointPath, HEADS_FILE))) return version;
  const stored = versionHeads(version);
  const file = readModelHeads(version.checkpointPath)!;
  if (stored === null) {
    log?.(`model "${version.name}": its stored heads cannot serve; using the checkpoint's heads ${file.id}`);
    return withHeads(platform, version.id, file);
  }
  if (gainsPanels(version.heads, file)) return withPanelsOf(platform, version.id, file, log);
  if (stored.id !== file.id || sameNumbers(version.heads, toStored(file))) return version;
  log?.(
    `model "${version.name}": heads ${file.id} were stored rounded; stored again exactly from heads.json`,
  );
  return withHeads(platform, version.id, file);
}

/**
 * Whether the file's heads are the stored ones with panel head sets added (a heads.json refreshed by
 * `gexbert heads panels`; every other number its own): the version may then take the file's heads.
 */
function gainsPanels(stored: unknown, file: ModelHeads): boolean {
  if (!file.panels?.length || !stored || typeof stored !== 'object') return false;
  if ((stored as { id?: unknown }).id === file.id) return false; // already these heads: no 5 MB comparison at start
  // Their ids are left out: an id is the hash the fit computed, not always recomputable from the file.
  const { id: _stored, ...before } = stored as Record<string, unknown>;
  const { id: _file, ...after } = toStored(withoutPanels(file));
  return sameNumbers(before, after);
}

/** Stores the file's heads, which add panel head sets to the version's (gainsPanels), logged. */
function withPanelsOf(
  platform: Platform,
  id: number,
  file: ModelHeads,
  log?: (line: string) => void,
): Promise<ModelVersion> {
  const names = file.panels!.map((p) => `${p.name} (${p.genes.length} genes)`).join(', ');
  log?.(
    `model version ${id}: heads ${file.id} add the stored panel head sets ${names}; stored from heads.json`,
  );
  return withHeads(platform, id, file);
}

/** Whether two JSON values are equal bit for bit, objects' keys in any order (jsonb keeps its own). */
function sameNumbers(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameNumbers(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) =>
      sameNumbers((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    );
  }
  return a === b;
}

/**
 * The shipped checkpoints every database registers beside the active one, as CANDIDATE versions that answer
 * queries naming them (`model:`): tcga-33types, kept out of the default because it is not better on the six
 * count types on every measure (its MODEL_CARD.md compares the two).
 */
export const COMPANION_CHECKPOINTS: readonly { checkpointPath: string; name: string }[] = [
  { checkpointPath: TCGA_33_CHECKPOINT, name: TCGA_33_MODEL_NAME },
];

/**
 * Registers a shipped checkpoint folder with the heads it carries (its heads.json; never fitted on what the
 * database holds) and stores its files in the database; the stored real samples with raw counts are its snapshot.
 */
async function registerShipped(
  platform: Platform,
  checkpointPath: string,
  name: string,
  log?: (line: string) => void,
): Promise<ModelVersion> {
  const read = (f: string) => JSON.parse(readFileSync(path.join(checkpointPath, f), 'utf8')) as object;
  const sampleIds = await samplesWithRawCounts(platform.prisma); // simulated samples never enter a snapshot
  const version = await registerModelVersion(platform.prisma, {
    name,
    checkpointPath,
    status: 'CANDIDATE',
    config: read('config.json'),
    metrics: existsSync(path.join(checkpointPath, 'metrics.json')) ? read('metrics.json') : {},
    sampleIds,
  });
  // Its files go into the database, so that processes on other machines serve it too.
  await storeCheckpoint(platform.pool, version.id, checkpointPath);
  const heads = readModelHeads(checkpointPath);
  if (!heads) {
    log?.(
      `model "${version.name}" has no heads.json: it embeds and restores, but predicts no cancer type or risk until \`gexbert heads fit\``,
    );
    return version;
  }
  log?.(
    `model "${version.name}": heads ${heads.id} (${heads.summary.samples} samples, ${Object.keys(heads.summary.cancerTypes).join(', ')})`,
  );
  return withHeads(platform, version.id, heads);
}

/**
 * Registers the companion checkpoints (`companions`, by default COMPANION_CHECKPOINTS) that are in the
 * repository and whose weights no registered version has: on a fresh database, on one that predates a
 * companion, and when a shipped companion was retrained (a new checkpoint under the same folder). A registered
 * version keeps its own stored files and heads; the retrained checkpoint becomes another CANDIDATE, named
 * `<name>-<8 hex digits of its weights' hash>` when the name is taken.
 */
async function registerCompanions(
  platform: Platform,
  log?: (line: string) => void,
  companions: readonly { checkpointPath: string; name: string }[] = COMPANION_CHECKPOINTS,
): Promise<void> {
  for (const { checkpointPath, name } of companions) {
    if (!existsSync(path.join(checkpointPath, HEADS_FILE))) continue;
    const registered = await versionWithWeightsOf(platform.prisma, checkpointPath);
    if (registered) {
      await companionPanels(platform, registered.id, checkpointPath, log);
      continue;
    }
    const taken = await platform.prisma.modelVersion.findUnique({ where: { name } });
    const unique = taken ? `${name}-${(weightsHash(checkpointPath) ?? '').slice(0, 8)}` : name;
    if (taken)
      log?.(
        `the shipped ${name} checkpoint (${checkpointPath}) is not the one this database registered as version ${taken.id} "${name}"; registering it as "${unique}" (version ${taken.id} keeps its own files and heads)`,
      );
    await registerShipped(platform, checkpointPath, unique, log);
  }
}

/** A registered companion whose heads.json since gained stored panel head sets gets them. */
async function companionPanels(
  platform: Platform,
  id: number,
  checkpointPath: string,
  log?: (line: string) => void,
): Promise<void> {
  const file = readModelHeads(checkpointPath)!;
  const version = await platform.prisma.modelVersion.findUniqueOrThrow({ where: { id } });
  if (gainsPanels(version.heads, file)) await withPanelsOf(platform, id, file, log);
}

/**
 * Makes sure a model serves: when none is ACTIVE, registers the shipped checkpoint with the heads it
 * carries (its heads.json; never refitted on what the database holds), records the stored real samples
 * with raw counts as its snapshot (so only samples ingested later count towards retraining) and activates
 * it. The companion checkpoints are registered beside it as candidates, on every call: a database that
 * predates one, or whose shipped companion was since retrained, gets it too. Safe to call concurrently.
 */
export async function ensureActiveModel(
  platform: Platform,
  options: {
    checkpointPath?: string;
    name?: string;
    log?: (line: string) => void;
    /** The checkpoints registered beside it (default COMPANION_CHECKPOINTS). */
    companions?: readonly { checkpointPath: string; name: string }[];
  } = {},
): Promise<ModelVersion> {
  // One process at a time, from the first read on: two processes starting together (two `gexbert start`,
  // an API and its worker) storing the same checkpoints or registering the same companions deadlocked.
  const lock = await platform.pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(7402102)'); // raw SQL: Prisma has no advisory locks
    // Versions registered before checkpoints lived in the database: store them from their folders here.
    await storeMissingCheckpoints(platform, options.log);
    const active = await activeModelVersion(platform.prisma);
    const serving = active
      ? await upgradeHeads(platform, active, options.log)
      : await activateShipped(platform, options);
    await registerCompanions(platform, options.log, options.companions);
    await storeShippedGenes(platform, [
      options.checkpointPath ?? SHIPPED_CHECKPOINT,
      ...(options.companions ?? COMPANION_CHECKPOINTS).map((c) => c.checkpointPath),
    ]);
    return serving;
  } finally {
    // raw SQL: Prisma has no advisory locks
    await lock.query('SELECT pg_advisory_unlock(7402102)').catch(() => {});
    lock.release();
  }
}

/** The shipped checkpoints' vocabulary genes, made known to the database (gene/store.ts storeVocabularyGenes). */
async function storeShippedGenes(platform: Platform, folders: readonly string[]): Promise<void> {
  for (const folder of folders)
    if (existsSync(path.join(folder, 'vocabulary.txt')))
      await storeVocabularyGenes(platform.pool, readVocabulary(folder));
}

/** Registers and activates the shipped checkpoint (or promotes the version already registered under its name). */
async function activateShipped(
  platform: Platform,
  options: { checkpointPath?: string; name?: string; log?: (line: string) => void },
): Promise<ModelVersion> {
  const checkpointPath = options.checkpointPath ?? SHIPPED_CHECKPOINT;
  const name = options.name ?? SHIPPED_MODEL_NAME;
  const existing = await platform.prisma.modelVersion.findUnique({ where: { name } });
  if (existing && existing.status !== 'FAILED' && existing.status !== 'TRAINING')
    return await promoteModelVersion(platform.prisma, existing.id);
  const version = await registerShipped(
    platform,
    checkpointPath,
    existing ? `${name}-${Date.now()}` : name,
    options.log,
  );
  return await promoteModelVersion(platform.prisma, version.id);
}

/**
 * Refits a version's heads on the stored real samples with raw counts and a cancer type or overall
 * survival (an explicit, versioned step: admin command or mutation; simulated samples only when asked).
 * The new heads record their samples and types and get a new id.
 */
export async function refitModelHeads(
  platform: { pool: pg.Pool; prisma: PrismaClient },
  id: number,
  options: { includeSimulated?: boolean; log?: (line: string) => void; cacheDir?: string } = {},
): Promise<ModelVersion> {
  const version = await platform.prisma.modelVersion.findUnique({ where: { id } });
  if (!version) throw new RegistryError(`model version ${id} does not exist`);
  if (version.status === 'FAILED' || version.status === 'TRAINING')
    throw new RegistryError(
      `model version ${id} (${version.name}) is ${version.status}; its heads cannot be fitted`,
    );
  const sampleIds = await samplesWithRawCounts(platform.prisma, options);
  const runtime = await loadModelRuntime(
    { pool: platform.pool, cacheDir: options.cacheDir ?? defaultCheckpointCache() },
    { ...version, heads: null },
  );
  try {
    const heads = await fitHeads(runtime, platform.pool, sampleIds, options);
    options.log?.(
      `model "${version.name}": heads ${heads.id} fitted on ${heads.summary.samples} samples (${Object.keys(heads.summary.cancerTypes).join(', ')})`,
    );
    return await withHeads(platform, id, heads);
  } finally {
    await runtime.close();
  }
}
