// Ctrl-C in the terminal that runs `gexbert start` with its embedded PostgreSQL: the terminal sends SIGINT to
// the whole foreground process group (gexbert start, its worker, its portal). The database runs in a group
// of its own, so it outlives the signal until gexbert stops it last; the worker records its run INTERRUPTED
// (resumable) before that, and nothing prints a stack trace.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../services/core/src/config.ts';
import { startEmbedded } from '../../services/core/src/db/postgres.ts';
import { openJobQueue } from '../../services/core/src/jobs/queue.ts';
import { openPlatform } from '../../services/core/src/platform.ts';
import { requestRetraining } from '../../services/core/src/training/request.ts';
import { freePort, query } from '../../services/core/test-support/database.ts';
import { GEXBERT } from '../support/cli.ts';
import { ingestCohort, TINY, waitFor, workerEnv } from './support.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-ctrlc-'));
fs.chmodSync(dataDir, 0o755);
let start: ChildProcess | undefined;

afterAll(() => {
  if (start?.pid && start.exitCode === null) process.kill(-start.pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** `gexbert start` as a terminal runs it: the leader of its own process group. */
function startInTerminal(env: NodeJS.ProcessEnv): ChildProcess {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete merged.DATABASE_URL;
  return spawn(process.execPath, [GEXBERT, 'start', '--no-demo'], {
    env: merged,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The process group of a running process (field 5 of /proc/<pid>/stat). */
function processGroup(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

it('Ctrl-C to the terminal stops a training run resumably, then the database, with no stack trace', async () => {
  const port = await freePort();
  const url = `postgresql://postgres:gexbert@127.0.0.1:${port}/gexbert`;
  const env = {
    ...workerEnv(url, path.join(dataDir, 'models')),
    GEXBERT_DATA_DIR: dataDir,
    GEXBERT_PG_PORT: String(port),
    GEXBERT_PORTAL: 'off',
  };
  start = startInTerminal(env);
  let stdout = '';
  let stderr = '';
  start.stdout!.on('data', (d) => (stdout += d));
  start.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => start!.on('exit', (code) => resolve(code)));
  await waitFor('gexbert start to be ready', async () => (stdout.includes('ready') ? true : undefined), 180);

  const postgresPid = Number(
    fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  expect(processGroup(start.pid!)).toBe(start.pid);
  expect(processGroup(postgresPid)).not.toBe(start.pid);

  // Samples and a running retraining, put in through the database the platform started.
  const platform = await openPlatform(loadConfig({ ...process.env, ...env, DATABASE_URL: url }));
  const queue = await openJobQueue(url);
  for (const type of ['CHOL', 'DLBC', 'UVM']) await ingestCohort(platform, type);
  const run = await requestRetraining(
    { prisma: platform.prisma, queue },
    { reason: 'MANUAL', requestedBy: 'test', config: { ...TINY, maxSteps: 100_000 } },
  );
  await waitFor('training progress', async () => {
    const r = await platform.prisma.trainingRun.findUnique({ where: { id: run.id } });
    if (r?.status === 'FAILED') throw new Error(`run failed: ${r.error}\n${stderr}`);
    return r?.status === 'RUNNING' && (r.step ?? 0) >= 20 ? r : undefined;
  });
  await queue.close();
  await platform.close();

  process.kill(-start.pid!, 'SIGINT'); // what the terminal does on Ctrl-C
  expect(await exited, `${stdout}\n${stderr}`).toBe(0);
  expect(stderr).not.toMatch(/\n\s+at |Connection terminated|Unhandled|Error:/);
  expect(stderr).toMatch(/interrupted at step \d+; resume state saved/);
  expect(stderr.trimEnd().split('\n').at(-1)).toBe('stopped');
  expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

  // Started again, the database holds the run as INTERRUPTED, for the next worker to resume.
  const server = await startEmbedded(path.join(dataDir, 'pg'), port);
  try {
    const [row] = await query<{ status: string; step: number; workerId: string | null }>(
      url,
      `SELECT status, step, "workerId" FROM "TrainingRun" WHERE id = $1`,
      [run.id],
    );
    expect(row).toMatchObject({ status: 'INTERRUPTED', workerId: null });
    expect(row!.step).toBeGreaterThanOrEqual(20);
  } finally {
    await server.stop();
  }
}, 300_000);
