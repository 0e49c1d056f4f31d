// gexbert worker: the training worker (retraining jobs from the queue, the automatic threshold trigger);
// gexbert retrain: request a retraining run (a worker trains it).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, modelsDirectory } from '@gexbert/core/config';
import { openJobQueue } from '@gexbert/core/jobs/queue';
import { openPlatform, type Platform } from '@gexbert/core/platform';
import { ensureActiveModel } from '@gexbert/core/registry/modelVersion';
import { requestRetraining } from '@gexbert/core/training/request';
import { type RunningWorker, startWorker } from '@gexbert/worker/index';
import { lowerWorkerPriority } from '@gexbert/worker/priority';
import type { Command } from 'commander';
import { fail, type OutputOptions, report } from '../output.ts';
import { withPlatform } from '../session.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run the worker until Ctrl-C: retraining and precompute jobs from the queue, the threshold trigger',
    )
    .action(async () => {
      let platform: Platform | undefined;
      let worker: RunningWorker | undefined;
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return; // Ctrl-C reaches both `gexbert start` and this child: stop once
        stopping = true;
        process.stderr.write(`worker: ${signal}: stopping at the next training step…\n`);
        // In order: the training lets go (resume state saved, run INTERRUPTED), the queue, then the database.
        // A database that went away first (the embedded server got the Ctrl-C too) is not an error here.
        let note = 'stopped';
        try {
          await worker?.stop();
        } catch (error) {
          note = `stopped (${error instanceof Error ? error.message : String(error)})`;
        }
        await platform?.close().catch(() => {});
        process.stderr.write(`worker: ${note}\n`);
        process.exit(0);
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));
      try {
        const nice = lowerWorkerPriority(loadConfig().workerNice); // before any model thread exists
        platform = await openPlatform();
        const log = (line: string) => process.stderr.write(`worker: ${line}\n`);
        await ensureActiveModel(platform, { log }); // the model retraining starts from and is gated against
        worker = await startWorker(platform, { log });
        const { config } = platform;
        const trigger = config.retrainThreshold > 0 ? `${config.retrainThreshold} new samples` : 'off';
        console.log(
          `worker ${worker.id} ready — models in ${modelsDirectory(config)}, retraining threshold ${trigger}, niceness ${nice}`,
        );
        await worker.finished;
      } catch (error) {
        fail({}, error);
        await worker?.stop().catch(() => {});
        await platform?.close();
        process.exit(1);
      }
    });

  program
    .command('retrain')
    .description('request a retraining run (a running `gexbert worker` trains it)')
    .option(
      '--config <file>',
      'JSON overrides of the recipe (width, epochs, maxSteps, vocabularySize, seed, ...)',
    )
    .option(
      '--include-simulated',
      'train and validate on simulated samples too (from `gexbert simulate` files; excluded by default)',
    )
    .option('--json', 'print the run as JSON')
    .action((flags: OutputOptions & { config?: string; includeSimulated?: boolean }) =>
      withPlatform(flags, async (platform) => {
        const config = flags.config ? JSON.parse(fs.readFileSync(flags.config, 'utf8')) : undefined;
        const queue = await openJobQueue(platform.url);
        try {
          const run = await requestRetraining(
            { prisma: platform.prisma, queue, retryLimit: platform.config.trainingRetries },
            {
              reason: 'MANUAL',
              requestedBy: 'cli',
              ...(config ? { config } : {}),
              ...(flags.includeSimulated ? { includeSimulated: true } : {}),
            },
          );
          report(flags, { ...run }, () => [`training run ${run.id} ${run.status} (job ${run.jobId ?? '-'})`]);
        } finally {
          await queue.close();
        }
      }),
    );
}

export interface WorkerProcess {
  pid: number | undefined;
  /** SIGTERM, then SIGKILL if it has not exited after `graceSeconds` (it stops training at a step boundary). */
  stop(graceSeconds?: number): Promise<void>;
}

const GEXBERT_BIN = fileURLToPath(new URL('../../bin/gexbert.mjs', import.meta.url));

/** Runs `gexbert worker` as a child process on `databaseUrl` (used by `gexbert start`); its log goes to stderr. */
export function spawnWorker(databaseUrl: string): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, [GEXBERT_BIN, 'worker'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      process.stderr.write(`worker: exited (${signal ?? `code ${code}`})\n`);
      resolve();
    }),
  );
  return {
    pid: child.pid,
    async stop(graceSeconds = 60) {
      if (exited) return;
      process.stderr.write(`worker: stopping pid ${child.pid}\n`);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceSeconds * 1000);
      await exit;
      clearTimeout(timer);
    },
  };
}
