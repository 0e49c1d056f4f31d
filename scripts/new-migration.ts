// npm run db:migration -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes the schema as committed
// (git HEAD) to prisma/schema.prisma as it is now. Prisma's diff runs offline through the pg driver adapter,
// against a throwaway embedded PostgreSQL.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../services/core/src/config.ts';
import { startEmbedded } from '../services/core/src/db/postgres.ts';
import { freePort } from '../services/core/test-support/database.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <name>   (lower-case letters, digits and _)');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-migration-'));
fs.chmodSync(tmp, 0o755);
const before = path.join(tmp, 'schema.before.prisma');
fs.writeFileSync(before, execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: REPO_ROOT }));
const server = await startEmbedded(path.join(tmp, 'pg'), await freePort());
try {
  const diff = spawnSync(
    process.execPath,
    [
      path.join(REPO_ROOT, 'scripts/prisma.mjs'),
      'migrate',
      'diff',
      '--from-schema-datamodel',
      before,
      '--to-schema-datamodel',
      path.join(REPO_ROOT, 'prisma/schema.prisma'),
      '--script',
    ],
    { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: server.adminUrl }, encoding: 'utf8' },
  );
  if (diff.status !== 0) throw new Error(diff.stderr || diff.stdout);
  const sql = diff.stdout.trim();
  if (!sql || sql === '-- This is an empty migration.') {
    console.log('prisma/schema.prisma has no changes since HEAD: no migration written');
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(REPO_ROOT, 'prisma/migrations', `${stamp}_${name}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'migration.sql'), `${sql}\n`);
    console.log(`wrote ${path.relative(REPO_ROOT, dir)}/migration.sql`);
  }
} finally {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
