#!/usr/bin/env node
// Runs the Prisma CLI offline: no telemetry, no engine downloads (the config uses the JS engine and the
// pg driver adapter). `generate` needs no database; give DATABASE_URL for migrate/diff commands.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_GENERATE_SKIP_AUTOINSTALL: '1',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://unused@localhost/unused',
};
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
// After `generate`, the client records which schema it was generated from (services/core/src/db/prisma.ts
// refuses a client generated from another one: code updated without `npm install`).
if (result.status === 0 && process.argv[2] === 'generate') {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const schema = readFileSync(path.join(root, 'prisma/schema.prisma'));
  const stamp = path.join(root, 'services/core/src/db/generated/schema.sha256');
  writeFileSync(stamp, `${createHash('sha256').update(schema).digest('hex')}\n`);
}
process.exit(result.status ?? 1);
