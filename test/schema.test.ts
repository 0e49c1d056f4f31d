// The committed migrations and prisma/schema.prisma describe the same database: a database built by the
// migrations and one built from Prisma's SQL for the schema have the same tables, columns, types, defaults,
// constraints, indexes and enums.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../services/core/src/config.ts';
import { createTestDatabase, query } from '../services/core/test-support/database.ts';

const CATALOG = {
  columns: `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
            ORDER BY 1, 2`,
  indexes: `SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`,
  constraints: `SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
                ORDER BY 1, 2`,
  enums: `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels FROM pg_type t
          JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY 1 ORDER BY 1`,
};

async function catalog(url: string) {
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(CATALOG)) out[name] = await query(url, sql);
  return out;
}

it('the migrations produce exactly the schema in prisma/schema.prisma', async () => {
  const migrated = await createTestDatabase('drift');
  const fromSchema = await createTestDatabase('drift');
  const diff = spawnSync(
    process.execPath,
    [
      path.join(REPO_ROOT, 'scripts/prisma.mjs'),
      'migrate',
      'diff',
      '--from-empty',
      '--to-schema-datamodel',
      path.join(REPO_ROOT, 'prisma/schema.prisma'),
      '--script',
    ],
    { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: fromSchema }, encoding: 'utf8' },
  );
  expect(diff.status, diff.stderr).toBe(0);
  // Start the second database from nothing, then build it with Prisma's own SQL for the schema.
  await query(fromSchema, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await query(fromSchema, diff.stdout);
  const [a, b] = [await catalog(migrated), await catalog(fromSchema)];
  expect(a.columns!.length).toBeGreaterThan(40);
  expect(a).toEqual(b);
});
