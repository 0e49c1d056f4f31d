// A model version's checkpoint lives in PostgreSQL (ModelFile rows: one per file, bytea), so that any API or
// worker process on any machine serves and trains the same versions. Local folders are caches: a process
// reads a version's files once into `<cache>/<version id>-<digest>/` (written to a temporary folder, then
// renamed: a cache folder is complete or absent) and loads the model from there.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/prisma.ts';

/** Where a process caches checkpoints unless configured (GEXBERT_CHECKPOINT_CACHE_DIR). */
export function defaultCheckpointCache(): string {
  const user = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(os.tmpdir(), `gexbert-checkpoints-${user}`);
}

/** Where a platform process finds checkpoints: its database and its configured (or default) cache folder. */
export function checkpointSource(platform: { pool: pg.Pool; config: Config }): {
  pool: pg.Pool;
  cacheDir: string;
} {
  return { pool: platform.pool, cacheDir: platform.config.checkpointCacheDir ?? defaultCheckpointCache() };
}

/** What the checkpoint of a version needs to be found: stored files (digest) or, before that, a folder. */
export interface CheckpointRef {
  id: number;
  name: string;
  checkpointPath: string;
  checkpointDigest: string | null;
}

interface StoredFile {
  name: string;
  content: Buffer;
  sha256: string;
}

/** Advisory lock class of checkpoint writes (the second key is the version id). */
const CHECKPOINT_LOCK = 0x67786370;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The checkpoint's files, relative paths in sorted order; hidden entries (resume state) are not part of it. */
function checkpointFiles(dir: string, prefix = ''): string[] {
  const names: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) names.push(...checkpointFiles(dir, name));
    else if (entry.isFile()) names.push(name);
  }
  return names.sort();
}

/** One digest over every file's name and content hash: the checkpoint's identity. */
function digestOf(files: readonly { name: string; sha256: string }[]): string {
  return sha256(files.map((f) => `${f.name}\t${f.sha256}\n`).join(''));
}

/** The checkpoint file whose content is the model's weights: two folders with the same one are the same model. */
const WEIGHTS_FILE = 'weights.bin';

/** The sha256 of the folder's weights file (null: it has none). */
export function weightsHash(dir: string): string | null {
  const file = path.join(dir, WEIGHTS_FILE);
  return fs.existsSync(file) ? sha256(fs.readFileSync(file)) : null;
}

/**
 * The registered version whose stored checkpoint has the same weights as the folder `dir` (its other files,
 * card, heads or evaluation, may differ), or null: whether a shipped checkpoint is already in the database.
 */
export async function versionWithWeightsOf(
  prisma: PrismaClient,
  dir: string,
): Promise<{ id: number; name: string } | null> {
  const hash = weightsHash(dir);
  if (!hash) return null;
  const stored = await prisma.modelFile.findFirst({
    where: { name: WEIGHTS_FILE, sha256: hash },
    select: { modelVersion: { select: { id: true, name: true } } },
    orderBy: { modelVersionId: 'asc' },
  });
  return stored?.modelVersion ?? null;
}

/**
 * Stores the checkpoint folder `dir` as version `versionId`'s files (replacing any stored before) and
 * records its digest, in one transaction; returns the digest.
 */
export async function storeCheckpoint(pool: pg.Pool, versionId: number, dir: string): Promise<string> {
  const names = checkpointFiles(dir);
  if (!names.includes('config.json'))
    throw new Error(`${dir} is not a checkpoint folder (no config.json); nothing was stored`);
  const files: StoredFile[] = names.map((name) => {
    const content = fs.readFileSync(path.join(dir, name));
    return { name, content, sha256: sha256(content) };
  });
  const digest = digestOf(files);
  const client = await pool.connect();
  // raw SQL (BEGIN, COMMIT, ROLLBACK): the pg transaction of the advisory lock and the bytea writes below
  try {
    await client.query('BEGIN');
    // One writer per version at a time (two processes starting on one database store the same versions);
    // a writer that finds the same files already stored leaves them.
    // raw SQL: Prisma has no advisory locks
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [CHECKPOINT_LOCK, versionId]);
    // raw SQL: in the pg transaction that holds the advisory lock above
    const { rows } = await client.query<{ digest: string | null }>(
      `SELECT "checkpointDigest" AS digest FROM "ModelVersion" WHERE id = $1`,
      [versionId],
    );
    if (rows[0]?.digest === digest) {
      await client.query('COMMIT');
      return digest;
    }
    // raw SQL: in the pg transaction that holds the advisory lock above
    await client.query(`DELETE FROM "ModelFile" WHERE "modelVersionId" = $1`, [versionId]);
    // raw SQL: megabytes of bytea, in the pg transaction that holds the advisory lock above
    for (const file of files)
      await client.query(
        `INSERT INTO "ModelFile" ("modelVersionId", name, content, sha256, size) VALUES ($1, $2, $3, $4, $5)`,
        [versionId, file.name, file.content, file.sha256, file.content.length],
      );
    // raw SQL: in the pg transaction that holds the advisory lock above
    await client.query(`UPDATE "ModelVersion" SET "checkpointDigest" = $2 WHERE id = $1`, [
      versionId,
      digest,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return digest;
}

/**
 * A local folder holding `version`'s checkpoint: the cached copy of its stored files (fetched on first
 * use, each file checked against its hash), or, for a version whose files are not stored (yet), the folder
 * it was written to when that exists on this machine.
 */
export async function checkpointFolder(
  pool: pg.Pool,
  version: CheckpointRef,
  cacheDir: string,
): Promise<string> {
  if (!version.checkpointDigest) {
    if (fs.existsSync(version.checkpointPath)) return version.checkpointPath;
    throw new Error(
      `model version ${version.id} (${version.name}) has no stored checkpoint and no folder at ${version.checkpointPath} on this machine`,
    );
  }
  const dir = path.join(cacheDir, `${version.id}-${version.checkpointDigest.slice(0, 16)}`);
  if (fs.existsSync(dir)) return dir;
  // raw SQL: bulk: the checkpoint's files, megabytes of bytea
  const { rows } = await pool.query<StoredFile>(
    `SELECT name, content, sha256 FROM "ModelFile" WHERE "modelVersionId" = $1 ORDER BY name`,
    [version.id],
  );
  if (digestOf(rows) !== version.checkpointDigest)
    throw new Error(
      `model version ${version.id} (${version.name}): its stored files do not match its checkpoint digest; store the checkpoint again`,
    );
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const file of rows) {
      if (sha256(file.content) !== file.sha256)
        throw new Error(`model version ${version.id}: stored file ${file.name} is corrupt (sha256 mismatch)`);
      const target = path.join(tmp, file.name);
      if (!target.startsWith(`${tmp}${path.sep}`))
        throw new Error(`stored file name ${file.name} leaves the folder`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.content);
    }
    try {
      fs.renameSync(tmp, dir); // another process may have cached it meanwhile: then theirs is kept
    } catch (error) {
      if (!fs.existsSync(dir)) throw error;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Stores the files of versions registered before checkpoints lived in the database, from their folders
 * where those exist on this machine; returns the versions stored.
 */
export async function storeMissingCheckpoints(
  { pool, prisma }: { pool: pg.Pool; prisma: PrismaClient },
  log: (line: string) => void = () => {},
): Promise<number[]> {
  const versions = await prisma.modelVersion.findMany({
    where: { checkpointDigest: null, status: { notIn: ['TRAINING', 'FAILED'] } },
    select: { id: true, name: true, checkpointPath: true },
    orderBy: { id: 'asc' },
  });
  const stored: number[] = [];
  for (const version of versions) {
    if (!fs.existsSync(path.join(version.checkpointPath, 'config.json'))) continue;
    await storeCheckpoint(pool, version.id, version.checkpointPath);
    log(`model "${version.name}": checkpoint stored in the database (from ${version.checkpointPath})`);
    stored.push(version.id);
  }
  return stored;
}
