// npm run bench:scale [-- --samples 11000 --genes 20000 --types 33 --small 291 --seconds 30 --warmup 10
//                        --out BENCHMARKS.md]
//
// A TCGA-sized platform, measured as an operator runs it (figures and ratios, no pass/fail): a simulated
// cohort from `gexbert simulate` (11,000 samples x 20,000 genes x 33 types with survival by default) is
// ingested by the CLI into a fresh PostgreSQL, then `gexbert start` (API, worker, portal) and a second
// `gexbert worker` precompute every sample's embedding and predictions. Then: the cohort dashboard's first and
// warm load in headless Chromium (the whole cohort and a 300-sample one), one gene's values across all
// samples, single-sample prediction queries at 20 concurrent clients (p50/p99, after a warm-up at the same
// load, whose p99 is reported too), a retraining run over all samples (steps/s), and the peak resident
// memory of every process. The same run at --small samples (291, the size of the six real cohorts; 0 to
// skip) goes beside it. Writes BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createToken } from '@gexbert/core/auth/tokens';
import { createPrisma } from '@gexbert/core/db/prisma';
import pg from 'pg';
import { REPO_ROOT } from '../../services/core/src/config.ts';
import { migrate } from '../../services/core/src/db/migrate.ts';
import { ensureDatabase, startEmbedded } from '../../services/core/src/db/postgres.ts';
import { SHIPPED_CHECKPOINT } from '../../services/core/src/registry/modelVersion.ts';
import { freePort } from '../../services/core/test-support/database.ts';
import { launchBrowser } from '../support/browser.ts';
import {
  type Benchmark,
  benchmarksMarkdown,
  type Failed,
  type Figures,
} from './support/benchmarksMarkdown.ts';
import { graphql } from './support/graphql.ts';
import { PeakMemory } from './support/peakMemory.ts';
import {
  awaitPrecompute,
  dashboardLoads,
  geneAcrossCohort,
  predictionLoad,
  retrainingRun,
} from './support/scaleSteps.ts';
import { runProcess, startStack } from './support/stack.ts';

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '11000' },
    genes: { type: 'string', default: '20000' },
    types: { type: 'string', default: '33' },
    small: { type: 'string', default: '291' },
    clients: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
    'train-steps': { type: 'string', default: '300' },
    out: { type: 'string', default: path.join(REPO_ROOT, 'BENCHMARKS.md') },
  },
});
const GENES = Number(args.genes);
const TYPES = Number(args.types);
const SUBSET = 300;

const seconds = (ms: number) => ms / 1000;

/** A measurement that may fail: the failure is printed and reported in its place, and the run goes on. */
async function measured<T>(what: string, work: () => Promise<T>): Promise<T | Failed> {
  try {
    return await work();
  } catch (error) {
    const failed = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
    console.log(`${what}: failed: ${failed}`);
    return { failed };
  }
}

/** Runs a gexbert command to its end; its wall time in seconds. */
async function gexbert(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = performance.now();
  const run = runProcess(command, env);
  const code = await new Promise<number | null>((resolve) => run.child.once('exit', resolve));
  if (code !== 0) throw new Error(`gexbert ${command.join(' ')} exited ${code}:\n${run.output()}`);
  return seconds(performance.now() - start);
}

async function storeSize(pool: pg.Pool): Promise<{ expressionBytes: number; databaseBytes: number }> {
  const { rows } = await pool.query<{ expression: string; database: string }>(
    `SELECT (pg_total_relation_size('"GeneSlice"') + pg_total_relation_size('"ExpressionProfile"'))::text AS expression,
       pg_database_size(current_database())::text AS database`,
  );
  return { expressionBytes: Number(rows[0]!.expression), databaseBytes: Number(rows[0]!.database) };
}

/** A cohort of `size` samples spread over every type (every k-th sample), created through the API. */
async function subsetCohort(apiUrl: string, token: string, ids: number[], size: number): Promise<string> {
  const step = ids.length / size;
  const sampleIds = Array.from({ length: size }, (_, i) => String(ids[Math.floor(i * step)]));
  const { createCohort } = await graphql<{ createCohort: { id: string } }>(
    apiUrl,
    token,
    'mutation($input: CreateCohortInput!) { createCohort(input: $input) { id } }',
    { input: { name: `${size} samples`, sampleIds } },
  );
  return createCohort.id;
}

function vocabularyGenes(count: number): string[] {
  const all = fs
    .readFileSync(path.join(SHIPPED_CHECKPOINT, 'vocabulary.txt'), 'utf8')
    .split('\n')
    .filter(Boolean);
  return Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count)]!);
}

async function runAtSize(samples: number, memory: PeakMemory): Promise<Figures> {
  console.log(
    `\n== ${samples.toLocaleString('en-US')} samples x ${GENES.toLocaleString('en-US')} genes x ${TYPES} types`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-bench-scale-'));
  fs.chmodSync(dir, 0o755);
  const server = await startEmbedded(path.join(dir, 'pg'), await freePort());
  const pool = new pg.Pool({ connectionString: server.urlFor('bench'), max: 2 });
  const prisma = createPrisma(pool); // shares the pool, which is ended below
  try {
    await ensureDatabase(server.adminUrl, 'bench');
    const url = server.urlFor('bench');
    await migrate(url);
    const env = { DATABASE_URL: url, GEXBERT_RETRAIN_THRESHOLD: '0', GEXBERT_PRECOMPUTE_CHECK_SECONDS: '10' };
    const sim = path.join(dir, 'sim');
    const simulateSeconds = await gexbert(
      [
        'simulate',
        '--samples',
        String(samples),
        '--genes',
        String(GENES),
        '--types',
        String(TYPES),
        '--out',
        sim,
      ],
      {},
    );
    console.log(`simulate: ${simulateSeconds.toFixed(1)} s`);
    const ingestSeconds = await gexbert(
      ['ingest', 'counts', sim, '--cohort', 'TCGA-sized', '--allow-unknown-genes'],
      env,
    );
    await gexbert(['ingest', 'clinical', path.join(sim, 'clinical.tsv')], env);
    const size = await storeSize(pool);
    const values = samples * GENES;
    console.log(
      `ingest: ${ingestSeconds.toFixed(1)} s (${(values / ingestSeconds / 1e6).toFixed(2)} M values/s); expression store ${(size.expressionBytes / values).toFixed(1)} bytes/value`,
    );

    const reader = (await createToken(prisma, 'bench reader', 'READER')).token;
    const admin = (await createToken(prisma, 'bench admin', 'ADMIN')).token;
    const stackStarted = performance.now();
    const stack = await startStack(url, 1, env);
    try {
      const precompute = await awaitPrecompute(pool, stackStarted, 3_600_000);
      console.log(
        `precompute: ${precompute.samples} samples in ${precompute.seconds.toFixed(1)} s (${precompute.workers} workers, ${precompute.batches} batches), then ${precompute.maps} cohort maps in ${precompute.mapSeconds.toFixed(1)} s; ${precompute.wallSeconds.toFixed(1)} s from the stack's start`,
      );
      const ids = (await pool.query<{ id: number }>('SELECT id FROM "Sample" ORDER BY id')).rows.map(
        (r) => r.id,
      );
      const cohortId = (await pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'TCGA-sized'`))
        .rows[0]!.id;
      const subsetId = samples > SUBSET ? await subsetCohort(stack.apiUrl, admin, ids, SUBSET) : null;

      const dashboard = await measured('dashboard', async () => {
        const browser = await launchBrowser();
        try {
          return {
            whole: await dashboardLoads(browser, stack.portalUrl, String(cohortId)),
            subset: subsetId ? await dashboardLoads(browser, stack.portalUrl, subsetId) : null,
          };
        } finally {
          await browser.close();
        }
      });
      if (!('failed' in dashboard))
        console.log(
          `dashboard, whole cohort (until drawn; network idle): first ${seconds(dashboard.whole.firstMs).toFixed(2)} s; ${seconds(dashboard.whole.firstIdleMs).toFixed(2)} s, warm ${seconds(dashboard.whole.warmMs).toFixed(2)} s; ${seconds(dashboard.whole.warmIdleMs).toFixed(2)} s` +
            (dashboard.subset
              ? `; ${SUBSET} samples: first ${seconds(dashboard.subset.firstMs).toFixed(2)} s, warm ${seconds(dashboard.subset.warmMs).toFixed(2)} s`
              : ''),
        );
      const gene = await measured('one gene', () =>
        geneAcrossCohort(stack.apiUrl, reader, String(cohortId), vocabularyGenes(10)),
      );
      if (!('failed' in gene))
        console.log(
          `one gene across ${gene.values} samples: p50 ${gene.p50Ms.toFixed(0)} ms, max ${gene.maxMs.toFixed(0)} ms (${gene.genes} genes)`,
        );
      const load = await measured('prediction queries', () =>
        predictionLoad(
          stack.apiUrl,
          reader,
          ids,
          Number(args.clients),
          Number(args.seconds),
          Number(args.warmup),
        ),
      );
      if (!('failed' in load))
        console.log(
          `prediction queries, ${load.clients} clients: ${load.requests} in ${load.seconds} s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, errors ${load.errors}${load.firstError ? ` (${load.firstError})` : ''}${load.warmup ? `; after a ${load.warmup.seconds} s warm-up (p99 ${load.warmup.p99Ms.toFixed(1)} ms, ${load.warmup.requests} requests)` : ''}`,
        );
      const training = await measured('retraining', () =>
        retrainingRun(stack.apiUrl, admin, Number(args['train-steps'])),
      );
      if (!('failed' in training))
        console.log(
          `retraining: first step after ${training.toFirstStepSeconds.toFixed(1)} s, ${training.stepsPerSecond.toFixed(2)} steps/s over ${training.steps} steps`,
        );
      memory.sample();
      return {
        samples,
        genes: GENES,
        types: TYPES,
        simulateSeconds,
        ingestSeconds,
        expressionBytesPerValue: size.expressionBytes / values,
        databaseMb: size.databaseBytes / 2 ** 20,
        precompute,
        dashboard,
        gene,
        load,
        training,
        memory: [],
      };
    } finally {
      await stack.stop();
    }
  } finally {
    await pool.end();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const sizes = [Number(args.samples), ...(Number(args.small) > 0 ? [Number(args.small)] : [])];
  const runs: Figures[] = [];
  const loadBefore = os.loadavg()[0]!;
  const started = new Date();
  for (const samples of sizes) {
    const memory = new PeakMemory();
    const figures = await runAtSize(samples, memory);
    figures.memory = memory.stop();
    for (const m of figures.memory)
      console.log(`peak RSS ${m.role}: ${m.peakMb.toFixed(0)} MB (${m.processes} processes)`);
    runs.push(figures);
  }
  const benchmark: Benchmark = {
    started,
    loadBefore,
    loadAfter: os.loadavg()[0]!,
    runs,
    command: process.argv.slice(2),
  };
  fs.writeFileSync(args.out!, benchmarksMarkdown(benchmark));
  // the repository's formatter lays out the tables, so the written file passes `npm run lint` as it is
  execFileSync(path.join(REPO_ROOT, 'node_modules/.bin/biome'), ['format', '--write', args.out!], {
    stdio: 'ignore',
  });
  console.log(`\nwrote ${args.out}`);
}

await main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
