// gexbert start (npm start): the database (embedded unless DATABASE_URL), migrations, a demo cohort on an
// empty database, the services; stops everything cleanly on Ctrl-C.
import { type RunningApi, startApi } from '@gexbert/api/server';
import { seedDemoIfEmpty } from '@gexbert/core/demo';
import { type JobQueue, openJobQueue } from '@gexbert/core/jobs/queue';
import { openPlatform, type Platform } from '@gexbert/core/platform';
import { ensureActiveModel } from '@gexbert/core/registry/modelVersion';
import type { Command } from 'commander';
import { fail } from '../output.ts';
import { type RunningPortal, startPortalBesideApi } from '../portal.ts';
import { progress } from '../progress.ts';
import { redact } from './db.ts';
import { spawnWorker, type WorkerProcess } from './worker.ts';

/**
 * Whether `gexbert start` serves the API in development mode (stack traces, introspection, the query page):
 * only when asked for, by --dev, GEXBERT_DEV=1 or GEXBERT_API_PRODUCTION=false; production otherwise.
 */
export function developmentAsked(dev: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const on = (value: string | undefined) => value !== undefined && /^(1|true|yes)$/i.test(value.trim());
  const off = (value: string | undefined) => value !== undefined && /^(0|false|no)$/i.test(value.trim());
  return Boolean(dev) || on(env.GEXBERT_DEV) || off(env.GEXBERT_API_PRODUCTION);
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start the platform: PostgreSQL (embedded by default), migrations, demo cohort, services')
    .option('--no-demo', 'do not seed the demo cohort into an empty database')
    .option('--no-worker', 'do not start the training worker (gexbert worker) beside the API')
    .option(
      '--dev',
      'serve the API in development mode: stack traces, introspection and the query page (also GEXBERT_DEV=1)',
    )
    .action(async (flags: { demo: boolean; worker: boolean; dev?: boolean }) => {
      let platform: Platform | undefined;
      let api: RunningApi | undefined;
      let worker: WorkerProcess | undefined;
      let queue: JobQueue | undefined;
      let portal: RunningPortal | null = null;
      const shutdown = async (signal: string) => {
        process.stderr.write(`\n${signal}: stopping…\n`);
        await worker?.stop();
        await portal?.stop();
        await api?.stop();
        await queue?.close();
        await platform?.close();
        process.stderr.write('stopped\n');
        process.exit(0);
      };
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
        process.once(signal, () => void shutdown(signal));
      try {
        const log = (line: string) =>
          process.env.GEXBERT_DEBUG && process.stderr.write(`postgres: ${line}\n`);
        platform = await openPlatform(undefined, log);
        if (platform.migrated.length) console.log(`migrations applied: ${platform.migrated.join(', ')}`);
        if (flags.demo) {
          const bar = progress('demo cohort', 'values');
          const seeded = await seedDemoIfEmpty(platform, (done, total) => bar.update(done, total));
          bar.stop();
          if (seeded) console.log(`demo cohort "${seeded.cohort}": ${seeded.samples} simulated samples`);
        }
        const model = await ensureActiveModel(platform, { log: (line) => console.log(line) });
        queue = await openJobQueue(platform.url);
        const dev = developmentAsked(flags.dev);
        // safe by default: production (masked errors, no introspection) unless development is asked for
        api = await startApi({ pool: platform.pool, prisma: platform.prisma, queue, production: !dev });
        console.log(`PostgreSQL  ${redact(platform.url)}${platform.config.databaseUrl ? '' : ' (embedded)'}`);
        console.log(`GraphQL API ${api.url}  (a token: npx gexbert token create --name me --role reader)`);
        console.log(
          dev
            ? 'API mode    development (stack traces, introspection, query page; not for shared hosts)'
            : 'API mode    production (masked errors, no introspection; gexbert start --dev to develop)',
        );
        console.log(`Model       ${model.name} (active; checkpoint ${model.checkpointPath})`);
        if (flags.worker) {
          worker = spawnWorker(platform.url);
          console.log(
            `Worker      pid ${worker.pid} (training jobs, retraining threshold; --no-worker to skip)`,
          );
        }
        portal = await startPortalBesideApi(platform.prisma, api.url);
        console.log('gexbert platform ready — Ctrl-C to stop');
      } catch (error) {
        fail({}, error);
        await worker?.stop();
        await api?.stop();
        await queue?.close();
        await platform?.close();
        process.exit(1);
      }
    });
}
