// The one place that constructs Prisma: the generated client over node-postgres (no engine binary).
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/client.ts';

export type { PrismaClient } from './generated/client.ts';
export * as Db from './generated/client.ts';

/** Prisma over its own pool to `url`, or over `pool` (which it then shares and does not end). */
export function createPrisma(urlOrPool: string | pg.Pool): PrismaClient {
  const adapter = new PrismaPg(typeof urlOrPool === 'string' ? { connectionString: urlOrPool } : urlOrPool);
  return new PrismaClient({ adapter });
}
