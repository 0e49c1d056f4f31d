// A version's heads are stored bit for bit: the shipped heads.json's numbers come back from the database
// exactly, so served predictions compute with the checkpoint's own heads. Prisma's Json write keeps 16
// significant digits, which moves about half of these numbers by an ulp or more; the test shows that too,
// so it would fail if the heads went through that path.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HEADS_FILE, readModelHeads, toStored } from '@gexbert/model/heads';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.ts';
import {
  ensureActiveModel,
  recordCandidate,
  registerModelVersion,
  SHIPPED_CHECKPOINT,
} from '../../src/registry/modelVersion.ts';
import { createTestDatabase } from '../../test-support/database.ts';

let pool: pg.Pool;
let prisma: PrismaClient;

beforeAll(async () => {
  const url = await createTestDatabase('heads');
  pool = new pg.Pool({ connectionString: url });
  prisma = createPrisma(url);
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
  await pool.end();
});

/** Every number in a JSON value, objects' keys in sorted order (jsonb stores them in its own order). */
function numbersOf(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) for (const v of value) numbersOf(v, out);
  else if (value && typeof value === 'object')
    for (const k of Object.keys(value).sort()) numbersOf((value as Record<string, unknown>)[k], out);
  return out;
}

/** Positions where two number lists differ in any bit (Object.is: -0 and NaN too). */
function differing(a: number[], b: number[]): number {
  expect(b.length).toBe(a.length);
  return a.filter((x, i) => !Object.is(x, b[i])).length;
}

const shipped = () => toStored(readModelHeads(SHIPPED_CHECKPOINT)!);

it('the shipped heads.json has numbers that Prisma would round (the hazard is real)', async () => {
  const file = JSON.parse(readFileSync(path.join(SHIPPED_CHECKPOINT, HEADS_FILE), 'utf8'));
  const version = await registerModelVersion(prisma, {
    name: 'through-prisma',
    checkpointPath: SHIPPED_CHECKPOINT,
    status: 'CANDIDATE',
    config: {},
  });
  await prisma.modelVersion.update({ where: { id: version.id }, data: { heads: file } });
  const back = await prisma.modelVersion.findUniqueOrThrow({ where: { id: version.id } });
  expect(differing(numbersOf(file), numbersOf(back.heads))).toBeGreaterThan(0);
}, 120_000);

it('the active shipped model serves its heads.json bit for bit', async () => {
  const active = await ensureActiveModel({ pool, prisma });
  const expected = numbersOf(shipped());
  expect(expected.length).toBeGreaterThan(1000);
  expect(differing(expected, numbersOf(active.heads))).toBe(0);
  // and read again, as a serving process does
  const again = await prisma.modelVersion.findUniqueOrThrow({ where: { id: active.id } });
  expect(differing(expected, numbersOf(again.heads))).toBe(0);
}, 300_000);

it('a database that stored the shipped heads rounded gets them exactly at the next start', async () => {
  const active = await ensureActiveModel({ pool, prisma });
  const file = JSON.parse(readFileSync(path.join(SHIPPED_CHECKPOINT, HEADS_FILE), 'utf8'));
  await prisma.modelVersion.update({ where: { id: active.id }, data: { heads: file } }); // as before the fix
  const rounded = await prisma.modelVersion.findUniqueOrThrow({ where: { id: active.id } });
  expect(differing(numbersOf(shipped()), numbersOf(rounded.heads))).toBeGreaterThan(0);
  const lines: string[] = [];
  const again = await ensureActiveModel({ pool, prisma }, { log: (line) => lines.push(line) });
  expect(differing(numbersOf(shipped()), numbersOf(again.heads))).toBe(0);
  expect(lines.join('\n')).toMatch(/stored rounded; stored again exactly/);
  // and only once
  lines.length = 0;
  await ensureActiveModel({ pool, prisma }, { log: (line) => lines.push(line) });
  expect(lines.join('\n')).not.toMatch(/stored rounded/);
}, 300_000);

it('a trained candidate keeps its fitted heads bit for bit', async () => {
  const version = await registerModelVersion(prisma, {
    name: 'candidate',
    checkpointPath: SHIPPED_CHECKPOINT,
    status: 'TRAINING',
    config: {},
  });
  const heads = shipped();
  const recorded = await recordCandidate({ pool, prisma }, version.id, {
    heads,
    gate: { decision: 'HELD' },
    metrics: {},
  });
  expect(recorded.status).toBe('CANDIDATE');
  expect(differing(numbersOf(heads), numbersOf(recorded.heads))).toBe(0);
}, 120_000);
