import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listMigrations, MIGRATIONS_DIR, migrate } from '../../src/db/migrate.ts';
import { createTestDatabase, query } from '../../test-support/database.ts';

describe('migrations', () => {
  it('a migrated database has every table of the schema and Prisma-compatible history', async () => {
    const url = await createTestDatabase('migrate');
    const tables = await query<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    const schema = fs.readFileSync(path.join(MIGRATIONS_DIR, '..', 'schema.prisma'), 'utf8');
    const models = [...schema.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([...models, '_prisma_migrations']),
    );
    const history = await query<{ migration_name: string; checksum: string }>(
      url,
      'SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(history.map((h) => h.migration_name)).toEqual(listMigrations().map((m) => m.name));
    for (const h of history) {
      const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, h.migration_name, 'migration.sql'));
      expect(h.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    }
  });

  it('is idempotent and refuses an edited migration', async () => {
    const url = await createTestDatabase('migrate');
    expect(await migrate(url)).toEqual([]);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-migrations-'));
    fs.cpSync(MIGRATIONS_DIR, copy, { recursive: true });
    const first = listMigrations(copy)[0]!.name;
    fs.appendFileSync(path.join(copy, first, 'migration.sql'), '\n-- edited\n');
    await expect(migrate(url, copy)).rejects.toThrow(/was edited after it was applied/);
    fs.rmSync(copy, { recursive: true });
  });

  it('applies a new migration once', async () => {
    const url = await createTestDatabase('migrate');
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-migrations-'));
    fs.cpSync(MIGRATIONS_DIR, copy, { recursive: true });
    fs.mkdirSync(path.join(copy, '99999999999999_extra'));
    fs.writeFileSync(
      path.join(copy, '99999999999999_extra', 'migration.sql'),
      'CREATE TABLE "Extra" (id int);',
    );
    expect(await migrate(url, copy)).toEqual(['99999999999999_extra']);
    expect(await migrate(url, copy)).toEqual([]);
    expect(await query(url, 'SELECT * FROM "Extra"')).toEqual([]);
    fs.rmSync(copy, { recursive: true });
  });
});
