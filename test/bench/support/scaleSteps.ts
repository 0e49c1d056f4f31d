// The measurements of `npm run bench:scale`, one function per figure. Each takes a running platform (its
// database pool, API and portal URLs, tokens) and returns numbers; printing and the report are the caller's.

import { quantile } from '@gexbert/model/stats';
import type pg from 'pg';
import type { Browser } from 'playwright-core';
import { mapAnswerKey } from '../../../services/core/src/inference/cohortMap.ts';
import {
  cohortsMissingMaps,
  type PrecomputedVersion,
} from '../../../services/core/src/inference/cohortMapQueue.ts';
import { precomputeProgress } from '../../../services/core/src/inference/precompute.ts';
import { newContext } from '../../support/browser.ts';
import { graphql, timed } from './graphql.ts';
import { runLoad } from './loadClients.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PrecomputeFigures {
  samples: number;
  /** From the first batch started to the last finished (the database's clock). */
  seconds: number;
  /** From the stack's start until every sample had its answer. */
  wallSeconds: number;
  workers: number;
  batches: number;
  /** Cohorts whose 2-D map (PCA and UMAP) the worker stored after the last batch. */
  maps: number;
  /** From the last batch finished to the last cohort map stored (the database's clock). */
  mapSeconds: number;
}

/**
 * Waits until the active model has a stored answer for every sample and every cohort's map is stored (the
 * worker places the maps after the last batch); prints progress every 15 s.
 */
export async function awaitPrecompute(
  pool: pg.Pool,
  since: number,
  timeoutMs: number,
): Promise<PrecomputeFigures> {
  let lastPrint = 0;
  for (;;) {
    const { rows } = await pool.query<{ id: number; heads: unknown }>(
      'SELECT id, heads FROM "ModelVersion" WHERE active',
    );
    if (rows[0]) {
      const progress = await precomputeProgress(pool, rows[0]);
      if (performance.now() - lastPrint > 15_000) {
        lastPrint = performance.now();
        console.log(
          `  precompute: ${progress.done} of ${progress.total} samples; batches queued ${progress.queued}, running ${progress.running}, done ${progress.finished}, failed ${progress.failed}`,
        );
      }
      if (progress.failed > 0) throw new Error(`precompute: ${progress.failed} batches FAILED`);
      const version = { id: rows[0].id, headsId: (rows[0].heads as { id?: string } | null)?.id ?? '' };
      // the worker's own test of a cohort still waiting for its map (current members, answers stored)
      if (progress.total > 0 && progress.done >= progress.total) {
        if ((await cohortsMissingMaps(pool, version)).length === 0) {
          const maps = await storedMaps(pool, version);
          const span = await pool.query<{ seconds: number; workers: number; batches: number; last: Date }>(
            `SELECT extract(epoch FROM max("finishedAt") - min("startedAt"))::float8 AS seconds,
               count(DISTINCT "workerId")::int AS workers, count(*)::int AS batches, max("finishedAt") AS last
             FROM "PrecomputeBatch" WHERE "modelVersionId" = $1`,
            [rows[0].id],
          );
          const { last, ...batches } = span.rows[0]!;
          return {
            samples: progress.total,
            wallSeconds: (performance.now() - since) / 1000,
            ...batches,
            maps: maps.stored,
            mapSeconds: maps.lastAt ? Math.max(0, (maps.lastAt.getTime() - last.getTime()) / 1000) : 0,
          };
        }
      }
    }
    if (performance.now() - since > timeoutMs) throw new Error(`precompute not done after ${timeoutMs} ms`);
    await sleep(1000);
  }
}

/** How many cohort maps of the version are stored, and when the last was. */
async function storedMaps(pool: pg.Pool, version: PrecomputedVersion) {
  const { rows } = await pool.query<{ stored: number; last_at: Date | null }>(
    `SELECT count(*)::int AS stored, max("computedAt") AS last_at FROM "CohortAnswer" WHERE key = $1`,
    [mapAnswerKey(version.id, version.headsId)],
  );
  return { stored: rows[0]!.stored, lastAt: rows[0]!.last_at };
}

export interface LoadTimes {
  /** Until every panel has drawn (the embedding map included): what a reader waits for. */
  firstMs: number;
  /** Median of three later loads, until every panel has drawn. */
  warmMs: number;
  /** The same loads until the network is idle: Playwright's networkidle, 500 ms without a request. */
  firstIdleMs: number;
  warmIdleMs: number;
}

/** In the page: the embedding map is there, its canvas (if any) drawn, and no panel is still loading. */
const PANELS_DRAWN = `document.querySelector('[data-testid=embedding-map]') !== null
  && document.querySelector('canvas[data-testid=embedding-map-canvas]:not([data-drawn])') === null
  && document.querySelectorAll('p.loading[role=status]').length === 0`;

/**
 * A cohort dashboard in headless Chromium, timed twice per load: until every panel has drawn, and until
 * the network is idle.
 */
export async function dashboardLoads(
  browser: Browser,
  portalUrl: string,
  cohortId: string,
): Promise<LoadTimes> {
  const context = await newContext(browser);
  const load = async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    const started = performance.now();
    await page.goto(`${portalUrl}/cohorts/${cohortId}`, { waitUntil: 'commit', timeout: 300_000 });
    await page.waitForFunction(PANELS_DRAWN, null, { timeout: 300_000, polling: 'raf' });
    const drawn = performance.now() - started;
    await page.waitForLoadState('networkidle', { timeout: 300_000 });
    const idle = performance.now() - started;
    await page.close();
    return { drawn, idle };
  };
  try {
    const first = await load();
    const warm = [await load(), await load(), await load()];
    return {
      firstMs: first.drawn,
      warmMs: quantile(
        warm.map((w) => w.drawn),
        0.5,
      ),
      firstIdleMs: first.idle,
      warmIdleMs: quantile(
        warm.map((w) => w.idle),
        0.5,
      ),
    };
  } finally {
    await context.close();
  }
}

export interface GeneReadTimes {
  genes: number;
  values: number;
  p50Ms: number;
  maxMs: number;
}

/** One gene's values across a cohort through `Cohort.geneValues`, for each of `genes` in turn. */
export async function geneAcrossCohort(
  apiUrl: string,
  token: string,
  cohortId: string,
  genes: readonly string[],
): Promise<GeneReadTimes> {
  const query = `query($id: ID!, $g: String!) { cohort(id: $id) { geneValues(genes: [$g]) { values } } }`;
  type Answer = { cohort: { geneValues: { values: (number | null)[] }[] } };
  const times: number[] = [];
  let values = 0;
  for (const gene of genes) {
    const { value, ms } = await timed(() => graphql<Answer>(apiUrl, token, query, { id: cohortId, g: gene }));
    values = value.cohort.geneValues[0]!.values.length;
    times.push(ms);
  }
  return { genes: genes.length, values, p50Ms: quantile(times, 0.5), maxMs: Math.max(...times) };
}

export interface LoadFigures {
  clients: number;
  seconds: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  firstError: string | null;
  /** The unmeasured run before it at the same load. */
  warmup: { seconds: number; requests: number; p99Ms: number; errors: number } | null;
}

/**
 * Single-sample prediction queries (cancer type with novelty, risk score with percentile) under load, measured
 * after `warmupSeconds` of the same load (the API's runtimes and caches filling; reported beside it).
 */
export async function predictionLoad(
  apiUrl: string,
  token: string,
  sampleIds: readonly number[],
  clients: number,
  seconds: number,
  warmupSeconds = 0,
): Promise<LoadFigures> {
  const query = `query($id: ID) { sample(id: $id) {
    cancerTypePrediction { cancerType closestType probability outOfDistribution }
    riskScore { score percentile } } }`;
  const run = (forSeconds: number) =>
    runLoad({
      url: apiUrl,
      token,
      query,
      expect: 'sample.cancerTypePrediction',
      ids: sampleIds,
      clients,
      seconds: forSeconds,
    });
  const warmup = warmupSeconds > 0 ? await run(warmupSeconds) : null;
  const result = await run(seconds);
  const l = result.latencies;
  return {
    clients,
    seconds,
    requests: l.length,
    p50Ms: quantile(l, 0.5),
    p99Ms: quantile(l, 0.99),
    maxMs: l.at(-1) ?? Number.NaN,
    errors: result.errors,
    firstError: result.firstError,
    warmup: warmup
      ? {
          seconds: warmupSeconds,
          requests: warmup.latencies.length,
          p99Ms: quantile(warmup.latencies, 0.99),
          errors: warmup.errors,
        }
      : null,
  };
}

export interface TrainingFigures {
  /** From the request until the first logged step (queue pick-up, reading the corpus from PostgreSQL). */
  toFirstStepSeconds: number;
  steps: number;
  stepsPerSecond: number;
  samplesPerSecond: number | null;
}

/** A retraining run over every stored sample, through the API and a worker; cancelled once measured. */
export async function retrainingRun(
  apiUrl: string,
  adminToken: string,
  maxSteps: number,
): Promise<TrainingFigures> {
  type Run = {
    id: string;
    status: string;
    step: number | null;
    samplesPerSec: number | null;
    error: string | null;
  };
  const fields = 'id status step samplesPerSec error';
  const started = performance.now();
  const { triggerRetraining: run } = await graphql<{ triggerRetraining: Run }>(
    apiUrl,
    adminToken,
    `mutation($config: JSON) { triggerRetraining(config: $config, includeSimulated: true) { ${fields} } }`,
    { config: { maxSteps } },
  );
  const seen: { t: number; step: number }[] = [];
  let last: Run = run;
  while (performance.now() - started < 1_800_000) {
    await sleep(1000);
    last = (
      await graphql<{ trainingRun: Run }>(
        apiUrl,
        adminToken,
        `query($id: ID!) { trainingRun(id: $id) { ${fields} } }`,
        { id: run.id },
      )
    ).trainingRun;
    if (last.step && last.step !== seen.at(-1)?.step) seen.push({ t: performance.now(), step: last.step });
    if (!['QUEUED', 'RUNNING'].includes(last.status) || (last.step ?? 0) >= maxSteps) break;
  }
  if (last.status === 'RUNNING' || last.status === 'QUEUED')
    await graphql(apiUrl, adminToken, 'mutation($id: ID!) { cancelTrainingRun(id: $id) { id } }', {
      id: run.id,
    });
  if (seen.length < 2)
    throw new Error(`retraining: fewer than two steps seen (${last.status}: ${last.error ?? ''})`);
  const first = seen[0]!;
  const end = seen.at(-1)!;
  return {
    toFirstStepSeconds: (first.t - started) / 1000,
    steps: end.step,
    stepsPerSecond: (end.step - first.step) / ((end.t - first.t) / 1000),
    samplesPerSecond: last.samplesPerSec,
  };
}
