#!/usr/bin/env node
// Runs the Prisma CLI offline: no telemetry, no engine downloads (the config uses the JS engine and the
// pg driver adapter). `generate` needs no database; give DATABASE_URL for migrate/diff commands.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

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
process.exit(result.status ?? 1);
