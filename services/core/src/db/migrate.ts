// Applies prisma/migrations to a database, offline and in-process.
// Bookkeeping is Prisma's own `_prisma_migrations` table (same columns and sha256 checksums), so
// `prisma migrate deploy/status` see the same history; we apply the SQL ourselves because Prisma's CLI
// needs a network-fetched engine or a driver adapter with known bugs (see prisma.config.ts).
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from '../config.ts';

export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'migrations');
const LOCK_KEY = 72707369; // the advisory lock Prisma's migrate takes

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Applies every pending migration, each in its own transaction. Returns the names applied. */
export async function migrate(url: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // raw SQL: administration: migrations run before Prisma may be used (Prisma has no advisory locks)
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await ensureHistoryTable(client);
    const applied = await appliedChecksums(client);
    const done: string[] = [];
    for (const migration of listMigrations(dir)) {
      const checksum = applied.get(migration.name);
      if (checksum === migration.checksum) continue;
      if (checksum !== undefined) {
        throw new Error(
          `prisma/migrations/${migration.name}/migration.sql was edited after it was applied: restore it, and put the change in a new migration`,
        );
      }
      await apply(client, migration);
      done.push(migration.name);
    }
    return done;
  } finally {
    // raw SQL: administration (Prisma has no advisory locks)
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

async function ensureHistoryTable(client: pg.Client): Promise<void> {
  // raw SQL: administration: Prisma's own migration history, kept as `prisma migrate` keeps it
  await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`);
}

async function appliedChecksums(client: pg.Client): Promise<Map<string, string>> {
  // raw SQL: administration: Prisma's own migration history
  const { rows } = await client.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return new Map(rows.map((row) => [row.migration_name, row.checksum]));
}

async function apply(client: pg.Client, migration: Migration): Promise<void> {
  // raw SQL (all below): administration: a migration's own SQL and its history row, in one pg transaction
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`);
  }
}
