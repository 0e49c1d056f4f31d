// The one place that constructs Prisma: the generated client over node-postgres (no engine binary).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { REPO_ROOT } from '../config.ts';
import { PrismaClient } from './generated/client.ts';

export type { PrismaClient } from './generated/client.ts';
export * as Db from './generated/client.ts';

const SCHEMA = path.join(REPO_ROOT, 'prisma/schema.prisma');
/** Written by `node scripts/prisma.mjs generate`: the sha256 of the schema the client was generated from. */
const STAMP = path.join(REPO_ROOT, 'services/core/src/db/generated/schema.sha256');
let clientChecked = false;

/** Whether `stampFile` holds the sha256 of `schemaFile` (false when it is missing). */
export function stampMatchesSchema(schemaFile: string, stampFile: string): boolean {
  const schema = createHash('sha256').update(readFileSync(schemaFile)).digest('hex');
  try {
    return readFileSync(stampFile, 'utf8').trim() === schema;
  } catch {
    return false;
  }
}

/**
 * Refuses a Prisma client generated from another prisma/schema.prisma than the checkout's (code updated
 * without `npm install`): its queries would fail later with "Unknown argument" errors naming no cause.
 */
export function assertClientMatchesSchema(): void {
  if (clientChecked) return;
  if (!stampMatchesSchema(SCHEMA, STAMP))
    throw new Error(
      "the Prisma client (services/core/src/db/generated) was not generated from this checkout's " +
        'prisma/schema.prisma: run `npm install` (or `npm run prisma generate`) after updating the code',
    );
  clientChecked = true;
}

/** Prisma over its own pool to `url`, or over `pool` (which it then shares and does not end). */
export function createPrisma(urlOrPool: string | pg.Pool): PrismaClient {
  assertClientMatchesSchema();
  const adapter = new PrismaPg(typeof urlOrPool === 'string' ? { connectionString: urlOrPool } : urlOrPool);
  return new PrismaClient({ adapter });
}
