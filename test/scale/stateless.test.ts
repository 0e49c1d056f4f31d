// Stateless API processes: two APIs on one database, each with its own empty checkpoint cache, on "machines"
// where no model folder exists (every version's checkpointPath points nowhere). Both serve the active model
// from the files stored in PostgreSQL; a promotion made through one API is served by the other within its
// model-check interval.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApi } from '@gexbert/api/server';
import { createPrisma } from '@gexbert/core/db/prisma';
import { storeCheckpoint } from '@gexbert/core/registry/checkpointStore';
import {
  ensureActiveModel,
  registerModelVersion,
  SHIPPED_CHECKPOINT,
} from '@gexbert/core/registry/modelVersion';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from '../../services/api/test/support.ts';

const CHECK_MS = 500;
const caches = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-stateless-'));
const env = (name: string) => ({
  GEXBERT_CHECKPOINT_CACHE_DIR: path.join(caches, name),
  GEXBERT_API_MODEL_CHECK_MS: String(CHECK_MS),
});
let h: Harness;
let other: { url: string; stop(): Promise<void> };
let otherPool: pg.Pool;
let otherPrisma: ReturnType<typeof createPrisma>;
let sampleId: number;

beforeAll(async () => {
  h = await startHarness(['CHOL'], { env: env('api-1') });
  otherPool = new pg.Pool({ connectionString: h.dbUrl, max: 4 });
  otherPrisma = createPrisma(h.dbUrl);
  other = await startApi({ pool: otherPool, prisma: otherPrisma, port: 0, env: env('api-2') });
  sampleId = (await h.pool.query<{ id: number }>(`SELECT id FROM "Sample" ORDER BY id LIMIT 1`)).rows[0]!.id;
}, 300_000);

afterAll(async () => {
  await other?.stop();
  await otherPrisma?.$disconnect();
  await otherPool?.end();
  await h?.close();
  fs.rmSync(caches, { recursive: true, force: true });
});

async function servedBy(url: string): Promise<{ id: string; name: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tokens.READER}` },
    body: JSON.stringify({
      query: `{ sample(id: "${sampleId}") { embedding { model { id name } dimensions } cancerTypePrediction { closestType } } }`,
    }),
  });
  const body = (await res.json()) as {
    data?: { sample: { embedding: { model: { id: string; name: string }; dimensions: number } } };
    errors?: unknown;
  };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(body.data!.sample.embedding.dimensions).toBeGreaterThan(0);
  return body.data!.sample.embedding.model;
}

it('two APIs serve stored checkpoints with no model folder on disk; a promotion through one reaches the other', async () => {
  const first = await ensureActiveModel({ pool: h.pool, prisma: h.prisma });
  const config = first.config as object;
  const second = await registerModelVersion(h.prisma, {
    name: 'trained on another machine',
    checkpointPath: '/nowhere/trained-on-another-machine',
    status: 'CANDIDATE',
    config,
    parentId: first.id,
  });
  await storeCheckpoint(h.pool, second.id, SHIPPED_CHECKPOINT);
  await h.pool.query(
    `UPDATE "ModelVersion" SET heads = (SELECT heads FROM "ModelVersion" WHERE id = $1) WHERE id = $2`,
    [first.id, second.id],
  );
  await h.pool.query(`UPDATE "ModelVersion" SET "checkpointPath" = '/nowhere/shipped' WHERE id = $1`, [
    first.id,
  ]);

  expect((await servedBy(h.url)).id).toBe(String(first.id));
  expect((await servedBy(other.url)).id).toBe(String(first.id));

  const promoted = await h.gql(
    `mutation { promoteModel(id: "${second.id}") { id status } }`,
    {},
    h.tokens.ADMIN,
  );
  expect(promoted.errors).toBeUndefined();
  const started = Date.now();
  let seen = await servedBy(other.url);
  while (seen.id !== String(second.id) && Date.now() - started < 10 * CHECK_MS)
    seen = await servedBy(other.url);
  const elapsed = Date.now() - started;
  expect(seen).toEqual({ id: String(second.id), name: 'trained on another machine' });
  expect(elapsed).toBeLessThan(10 * CHECK_MS);
  expect((await servedBy(h.url)).id).toBe(String(second.id));
  // The runtimes were loaded from the database into the processes' own caches (no model folder exists);
  // a process that finds a sample's embedding already stored by the other answers without loading one.
  const cached = ['api-1', 'api-2'].flatMap((name) =>
    fs.existsSync(path.join(caches, name)) ? fs.readdirSync(path.join(caches, name)) : [],
  );
  for (const entry of cached) expect(entry).toMatch(/^\d+-[0-9a-f]{16}$/);
  for (const v of [first, second]) expect(cached.some((entry) => entry.startsWith(`${v.id}-`))).toBe(true);
}, 300_000);

it('answers GET /health for load balancers: 200 with its database, 503 without', async () => {
  for (const url of [h.url, other.url]) {
    const res = await fetch(new URL('/health', url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: true });
  }
  const unreachable = new pg.Pool({ connectionString: 'postgresql://nobody:x@127.0.0.1:9/none', max: 1 });
  unreachable.on('error', () => {});
  const orphan = await startApi({ pool: unreachable, prisma: otherPrisma, port: 0, env: env('api-3') });
  try {
    const res = await fetch(new URL('/health', orphan.url));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', database: false });
  } finally {
    await orphan.stop();
    await unreachable.end();
  }
});
