// Checkpoints in PostgreSQL: the shipped checkpoint stored as a version's files comes back byte for byte into
// a fresh cache folder (its folder on disk gone), concurrent readers share one complete copy, damaged rows
// are refused, and versions from before (a folder, no files) are stored at start.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.ts';
import {
  checkpointFolder,
  storeCheckpoint,
  storeMissingCheckpoints,
} from '../../src/registry/checkpointStore.ts';
import { registerModelVersion, SHIPPED_CHECKPOINT } from '../../src/registry/modelVersion.ts';
import { createTestDatabase } from '../../test-support/database.ts';

let pool: pg.Pool;
let prisma: PrismaClient;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-store-'));

/** Relative path → sha256 of every visible file under `dir`, read independently of the store. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, tree(dir, name));
    else
      out[name] = createHash('sha256')
        .update(fs.readFileSync(path.join(dir, name)))
        .digest('hex');
  }
  return out;
}

async function version(name: string, checkpointPath: string) {
  const config = JSON.parse(fs.readFileSync(path.join(SHIPPED_CHECKPOINT, 'config.json'), 'utf8')) as object;
  return registerModelVersion(prisma, { name, checkpointPath, status: 'CANDIDATE', config });
}

beforeAll(async () => {
  const url = await createTestDatabase('store');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  prisma = createPrisma(url);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('checkpoints stored in PostgreSQL', () => {
  it('a stored checkpoint comes back byte for byte on a machine without its folder', async () => {
    const copy = path.join(tmp, 'trained-elsewhere');
    fs.cpSync(SHIPPED_CHECKPOINT, copy, { recursive: true });
    fs.mkdirSync(path.join(copy, '.resume'));
    fs.writeFileSync(path.join(copy, '.resume', 'state.bin'), 'not part of the checkpoint');
    const v = await version('stored', copy);
    const digest = await storeCheckpoint(pool, v.id, copy);
    const expected = tree(SHIPPED_CHECKPOINT);
    expect(Object.keys(expected)).toContain('model.onnx');
    expect(Object.keys(expected)).toContain('evaluation/report.json');
    const { rows } = await pool.query<{ n: number; bytes: string }>(
      `SELECT count(*)::int AS n, sum(size) AS bytes FROM "ModelFile" WHERE "modelVersionId" = $1`,
      [v.id],
    );
    expect(rows[0]!.n).toBe(Object.keys(expected).length); // the hidden resume state is not stored
    fs.rmSync(copy, { recursive: true }); // "another machine": the folder is not here
    const stored = (await prisma.modelVersion.findUnique({ where: { id: v.id } }))!;
    expect(stored.checkpointDigest).toBe(digest);
    const cache = path.join(tmp, 'cache-a');
    const [one, two] = await Promise.all([
      checkpointFolder(pool, stored, cache),
      checkpointFolder(pool, stored, cache),
    ]);
    expect(one).toBe(two);
    expect(one.startsWith(cache)).toBe(true);
    expect(tree(one)).toEqual(expected);
    expect(fs.readdirSync(cache)).toEqual([path.basename(one)]); // no temporary folders left behind
  });

  it('two processes storing the same version at once both succeed, with one set of files', async () => {
    const v = await version('raced', SHIPPED_CHECKPOINT);
    const other = new pg.Pool({ connectionString: pool.options.connectionString, max: 2 });
    const otherPrisma = createPrisma(other); // a second process
    try {
      const [a, b] = await Promise.all([
        storeCheckpoint(pool, v.id, SHIPPED_CHECKPOINT),
        storeCheckpoint(other, v.id, SHIPPED_CHECKPOINT),
      ]);
      expect(a).toBe(b);
      const again = await Promise.all([
        storeMissingCheckpoints({ pool, prisma }),
        storeMissingCheckpoints({ pool: other, prisma: otherPrisma }),
      ]);
      expect(again.flat()).not.toContain(v.id);
    } finally {
      await otherPrisma.$disconnect();
      await other.end();
    }
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "ModelFile" WHERE "modelVersionId" = $1`,
      [v.id],
    );
    expect(rows[0]!.n).toBe(Object.keys(tree(SHIPPED_CHECKPOINT)).length);
  });

  it('refuses stored files that were damaged, naming the version', async () => {
    const v = await version('damaged', SHIPPED_CHECKPOINT);
    await storeCheckpoint(pool, v.id, SHIPPED_CHECKPOINT);
    await pool.query(
      `UPDATE "ModelFile" SET content = content || '\\x00'::bytea WHERE "modelVersionId" = $1 AND name = 'weights.bin'`,
      [v.id],
    );
    const stored = (await prisma.modelVersion.findUnique({ where: { id: v.id } }))!;
    const cache = path.join(tmp, 'cache-damaged');
    await expect(checkpointFolder(pool, stored, cache)).rejects.toThrow(
      `model version ${v.id}: stored file weights.bin is corrupt`,
    );
    expect(fs.existsSync(cache) ? fs.readdirSync(cache) : []).toEqual([]);
  });

  it('stores, at start, the versions that only had a folder; one with neither cannot be found', async () => {
    const legacy = await version('legacy', SHIPPED_CHECKPOINT);
    const gone = await version('gone', path.join(tmp, 'no-such-folder'));
    const stored = await storeMissingCheckpoints({ pool, prisma });
    expect(stored).toContain(legacy.id);
    expect(stored).not.toContain(gone.id);
    const legacyRow = (await prisma.modelVersion.findUnique({ where: { id: legacy.id } }))!;
    expect(legacyRow.checkpointDigest).toMatch(/^[0-9a-f]{64}$/);
    const goneRow = (await prisma.modelVersion.findUnique({ where: { id: gone.id } }))!;
    await expect(checkpointFolder(pool, goneRow, path.join(tmp, 'cache-b'))).rejects.toThrow(
      /has no stored checkpoint and no folder/,
    );
  });
});
