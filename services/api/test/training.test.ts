// Retraining over GraphQL against a real database (real TCGA cohorts) and the real job queue: triggering
// (admin only, validated, no duplicates), progress as the worker writes it, jobs, pagination, batching, and
// one run trained end to end by the worker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@gexbert/core/config';
import { type JobQueue, openJobQueue, TRAIN_JOB } from '@gexbert/core/jobs/queue';
import { query } from '@gexbert/core/test-support/database';
import { type RunningWorker, startWorker } from '@gexbert/worker/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentDone } from '../src/resolvers/training.ts';
import { retrainingOverrides } from '../src/retrainingConfig.ts';
import { type RunningApi, startApi } from '../src/server.ts';
import { type Data, type GraphQLResponse, type Harness, startHarness } from './support.ts';

let h: Harness;
let queue: JobQueue;
let api: RunningApi;

/** A request to the API started with the job queue (h.gql goes to the harness's API, which has none). */
async function gql(query: string, variables: Record<string, unknown> = {}, token = h.tokens.READER) {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) } as GraphQLResponse;
}

const TRIGGER = `mutation($config: JSON) { triggerRetraining(config: $config) {
  id status reason requestedBy config attempts percent jobId job { id name state trainingRun { id } } } }`;

const runCount = async () =>
  (await query<{ n: number }>(h.dbUrl, `SELECT count(*)::int AS n FROM "TrainingRun"`))[0]!.n;

beforeAll(async () => {
  h = await startHarness(['CHOL']);
  queue = await openJobQueue(h.dbUrl);
  api = await startApi({ pool: h.pool, prisma: h.prisma, queue, port: 0, env: {} });
});
afterAll(async () => {
  await api?.stop();
  await queue?.close();
  await h?.close();
});

describe('the retraining config argument', () => {
  it('accepts GexBERT config keys and training options, and refuses anything else with one message', () => {
    expect(retrainingOverrides(null)).toEqual({});
    expect(retrainingOverrides({ epochs: 2, width: 32, maxSteps: 5, timeLimitSeconds: 60 })).toEqual({
      epochs: 2,
      width: 32,
      maxSteps: 5,
      timeLimitSeconds: 60,
    });
    expect(retrainingOverrides({ seed: 7 })).toEqual({ seed: 7 });
    expect(() => retrainingOverrides({ epoch: 2 })).toThrow(/unknown key "epoch"/);
    expect(() => retrainingOverrides({ width: 30 })).toThrow(/width \(30\) must be divisible by heads \(4\)/);
    expect(() => retrainingOverrides({ maxSteps: 0 })).toThrow(/maxSteps must be a positive whole number/);
    expect(() => retrainingOverrides([1])).toThrow(/must be a JSON object/);
  });

  it('derives percent from steps, then epochs', () => {
    const run = { status: 'RUNNING' as const, step: null, totalSteps: null, epoch: null, totalEpochs: null };
    expect(percentDone({ ...run, status: 'QUEUED' })).toBe(0);
    expect(percentDone(run)).toBeNull();
    expect(percentDone({ ...run, epoch: 1, totalEpochs: 4 })).toBe(25);
    expect(percentDone({ ...run, step: 3, totalSteps: 12, epoch: 3, totalEpochs: 4 })).toBe(25);
    expect(percentDone({ ...run, status: 'SUCCEEDED' })).toBe(100);
  });
});

describe('triggerRetraining', () => {
  it('is refused to readers and curators, and to bad configs, naming the key', async () => {
    for (const role of ['READER', 'CURATOR'] as const) {
      const res = await gql(TRIGGER, {}, h.tokens[role]);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const unknown = await gql(TRIGGER, { config: { epochz: 3 } }, h.tokens.ADMIN);
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.message).toContain('unknown key "epochz"');
    const bad = await gql(TRIGGER, { config: { dropout: 1.5 } }, h.tokens.ADMIN);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toContain('dropout must be < 1 (got 1.5)');
    expect(await runCount()).toBe(0);
    const noQueue = await h.gql(TRIGGER, {}, h.tokens.ADMIN);
    expect(noQueue.errors![0]!.extensions!.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('queues one run with its job as admin; a second trigger returns the same run', async () => {
    const config = { epochs: 2, maxSteps: 3 };
    // two admins at once: one run
    const [first, racer] = await Promise.all([
      gql(TRIGGER, { config }, h.tokens.ADMIN),
      gql(TRIGGER, { config }, h.tokens.ADMIN),
    ]);
    expect(first.errors).toBeUndefined();
    expect(racer.errors).toBeUndefined();
    expect(racer.data!.triggerRetraining.id).toBe(first.data!.triggerRetraining.id);
    // the caller that created the run returns it with its job (the other may see it before the job is sent)
    const run = [first, racer].map((r) => r.data!.triggerRetraining).find((r) => r.jobId !== null);
    expect(run).toBeDefined();
    expect(run).toMatchObject({ status: 'QUEUED', reason: 'MANUAL', requestedBy: 'test ADMIN', percent: 0 });
    expect(run.config).toEqual(config);
    expect(run.job).toEqual({
      id: run.jobId,
      name: 'train-model',
      state: 'CREATED',
      trainingRun: { id: run.id },
    });
    const [row] = await query<{ status: string; jobId: string }>(
      h.dbUrl,
      `SELECT status::text, "jobId" FROM "TrainingRun" WHERE id = $1`,
      [Number(run.id)],
    );
    expect(row).toEqual({ status: 'QUEUED', jobId: run.jobId });

    const again = await gql(TRIGGER, { config: { epochs: 5 } }, h.tokens.ADMIN);
    expect(again.data!.triggerRetraining.id).toBe(run.id);
    expect(await runCount()).toBe(1);

    const jobs = await gql(
      `{ jobs(state: CREATED) { totalCount nodes { id name state retryCount createdOn trainingRun { id status } } } }`,
    );
    expect(jobs.errors).toBeUndefined();
    expect(jobs.data!.jobs.totalCount).toBe(1);
    const [job] = jobs.data!.jobs.nodes;
    expect(job).toMatchObject({ id: run.jobId, name: 'train-model', state: 'CREATED', retryCount: 0 });
    expect(job.trainingRun).toEqual({ id: run.id, status: 'QUEUED' });
    const one = await gql(`query($id: ID!) { job(id: $id) { id trainingRun { id } } }`, { id: run.jobId });
    expect(one.data!.job).toEqual({ id: run.jobId, trainingRun: { id: run.id } });
  });

  it('shows the progress the worker writes, with percent and ETA', async () => {
    const [run] = await query<{ id: number }>(h.dbUrl, `SELECT id FROM "TrainingRun" ORDER BY id LIMIT 1`);
    const heartbeat = new Date('2026-01-02T03:04:05.000Z');
    await query(
      h.dbUrl,
      `UPDATE "TrainingRun" SET status = 'RUNNING', attempts = 1, "workerId" = 'w1', "startedAt" = $2,
         "heartbeatAt" = $2, epoch = 3, "totalEpochs" = 12, step = 45, "totalSteps" = 180, loss = 2.5,
         "valLoss" = 2.75, "samplesPerSec" = 123.5, "etaSeconds" = 90 WHERE id = $1`,
      [run!.id, heartbeat],
    );
    const res = await gql(
      `query($id: ID!) { trainingRun(id: $id) { status attempts workerId epoch totalEpochs step totalSteps
        loss valLoss samplesPerSec etaSeconds percent estimatedFinishAt heartbeatAt startedAt finishedAt } }`,
      { id: String(run!.id) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.trainingRun).toEqual({
      status: 'RUNNING',
      attempts: 1,
      workerId: 'w1',
      epoch: 3,
      totalEpochs: 12,
      step: 45,
      totalSteps: 180,
      loss: 2.5,
      valLoss: 2.75,
      samplesPerSec: 123.5,
      etaSeconds: 90,
      percent: (100 * 45) / 180,
      estimatedFinishAt: new Date(heartbeat.getTime() + 90_000).toISOString(),
      heartbeatAt: heartbeat.toISOString(),
      startedAt: heartbeat.toISOString(),
      finishedAt: null,
    });
    const missing = await gql(`{ trainingRun(id: "999999") { id } }`);
    expect(missing.data!.trainingRun).toBeNull();
  });
});

describe('listings', () => {
  it('pages through training runs newest first, by status, without gaps or repeats', async () => {
    await query(
      h.dbUrl,
      `INSERT INTO "TrainingRun" (reason, status, "createdAt")
       SELECT 'THRESHOLD', (CASE WHEN i % 3 = 0 THEN 'FAILED' ELSE 'SUCCEEDED' END)::"TrainingRunStatus", now()
       FROM generate_series(1, 7) i`,
    );
    const [all] = await query<{ n: number; failed: number }>(
      h.dbUrl,
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'FAILED')::int AS failed FROM "TrainingRun"`,
    );
    const seen: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res: GraphQLResponse = await gql(
        `query($after: String) { trainingRuns(first: 3, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`,
        { after },
      );
      expect(res.data!.trainingRuns.totalCount).toBe(all!.n);
      seen.push(...res.data!.trainingRuns.nodes.map((n: { id: string }) => Number(n.id)));
      if (!res.data!.trainingRuns.pageInfo.hasNextPage) break;
      after = res.data!.trainingRuns.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(all!.n);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const failed = await gql(`{ trainingRuns(status: FAILED) { totalCount nodes { status } } }`);
    expect(failed.data!.trainingRuns.totalCount).toBe(all!.failed);
    expect(failed.data!.trainingRuns.nodes.every((n: { status: string }) => n.status === 'FAILED')).toBe(
      true,
    );
    const tooMany = await gql(`{ trainingRuns(first: 501) { totalCount } }`);
    expect(tooMany.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('pages through jobs', async () => {
    // more jobs on the training queue (no worker runs here, so they stay CREATED)
    for (let i = 0; i < 4; i++) await queue.send(TRAIN_JOB, { page: i });
    const total = (await gql(`{ jobs(first: 0) { totalCount } }`)).data!.jobs.totalCount;
    expect(total).toBe(5); // the training job and these four
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res: GraphQLResponse = await gql(
        `query($after: String) { jobs(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name } } }`,
        { after },
      );
      expect(res.errors).toBeUndefined();
      seen.push(...res.data!.jobs.nodes.map((n: { id: string }) => n.id));
      if (!res.data!.jobs.pageInfo.hasNextPage) break;
      after = res.data!.jobs.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    const bad = await gql(`{ jobs(after: "bm9wZQ") { totalCount } }`);
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('resolves runs’ model versions and versions’ runs with DataLoader (a bounded number of queries)', async () => {
    const versions = await query<{ id: number }>(
      h.dbUrl,
      `INSERT INTO "ModelVersion" (name, "checkpointPath", status, config)
       SELECT 'v' || i, '/nowhere/v' || i, 'CANDIDATE', '{}' FROM generate_series(1, 6) i RETURNING id`,
    );
    await query(
      h.dbUrl,
      `UPDATE "TrainingRun" t SET "modelVersionId" = v.id
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM "ModelVersion") v
       WHERE t.status <> 'RUNNING' AND v.k = 1 + (t.id % $1)`,
      [versions.length],
    );
    const listing = (n: number) =>
      `{ trainingRuns(first: ${n}) { nodes { id modelVersion { name trainingRuns { id } } } } }`;
    const many = await gql(listing(50));
    expect(many.errors).toBeUndefined();
    const forMany = await h.queriesOf(() => gql(listing(50)));
    const nodes = many.data!.trainingRuns.nodes;
    expect(nodes.filter((n: { modelVersion: unknown }) => n.modelVersion).length).toBeGreaterThan(3);
    for (const n of nodes)
      if (n.modelVersion)
        expect(n.modelVersion.trainingRuns.map((r: { id: string }) => r.id)).toContain(n.id);
    expect(await h.queriesOf(() => gql(listing(2)))).toBe(forMany);
    // token check, page + count, model versions, their training runs
    expect(forMany).toBeLessThanOrEqual(5);
  });
});

describe('end to end with the worker', () => {
  let e: Harness;
  let eQueue: JobQueue;
  let eApi: RunningApi;
  let worker: RunningWorker | undefined;
  let modelsDir: string;

  beforeAll(async () => {
    e = await startHarness(['CHOL', 'DLBC']);
    eQueue = await openJobQueue(e.dbUrl);
    eApi = await startApi({ pool: e.pool, prisma: e.prisma, queue: eQueue, port: 0, env: {} });
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-api-models-'));
  });
  afterAll(async () => {
    await worker?.stop();
    await eApi?.stop();
    await eQueue?.close();
    await e?.close();
    if (modelsDir) fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('trains a triggered run in the worker, with progress visible while it runs, into a gated model', async () => {
    const ask = async (q: string, variables: Record<string, unknown> = {}, token = e.tokens.READER) => {
      const res = await fetch(eApi.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: q, variables }),
      });
      return (await res.json()) as GraphQLResponse;
    };
    const tiny = {
      width: 16,
      heads: 2,
      encoderLayers: 1,
      decoderLayers: 1,
      ffnWidth: 32,
      inputGenes: 32,
      queryGenes: 16,
      batchSize: 8,
      epochs: 500,
      warmupSteps: 2,
      vocabularySize: 200,
      // long enough that a quiet machine cannot finish it between two progress reads (200 steps once did)
      maxSteps: 1000,
    };
    const triggered = await ask(TRIGGER, { config: tiny }, e.tokens.ADMIN);
    expect(triggered.errors).toBeUndefined();
    const runId = triggered.data!.triggerRetraining.id;
    const config = loadConfig(
      {},
      { modelsDir, workerPollSeconds: 0.2, workerHeartbeatSeconds: 0.25, retrainThreshold: 0 },
    );
    worker = await startWorker({ url: e.dbUrl, pool: e.pool, prisma: e.prisma, config });
    const seen: { status: string; step: number | null; percent: number | null; etaSeconds: number | null }[] =
      [];
    let last: Data | undefined;
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      const res = await ask(
        `query($id: ID!) { trainingRun(id: $id) { status step totalSteps epoch percent etaSeconds loss error
          modelVersion { id name status gate trainingRuns { id } } job { state } } }`,
        { id: runId },
      );
      last = res.data!.trainingRun;
      if (last!.status === 'RUNNING' && last!.step !== null) seen.push(last as (typeof seen)[number]);
      if (last!.status === 'SUCCEEDED' || last!.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(last!.error).toBeNull();
    expect(last!.status).toBe('SUCCEEDED');
    expect(last!.percent).toBe(100);
    const steps = [...new Set(seen.map((s) => s.step))];
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps).toEqual([...steps].sort((a, b) => a! - b!));
    const percents = seen.map((s) => s.percent!);
    expect(percents.at(-1)!).toBeGreaterThan(percents[0]!);
    expect(seen.at(-1)!.etaSeconds!).toBeLessThan(seen[0]!.etaSeconds!);
    expect(last!.totalSteps).toBe(tiny.maxSteps);
    const version = last!.modelVersion;
    expect(['ACTIVE', 'CANDIDATE']).toContain(version.status);
    expect(version.trainingRuns).toEqual([{ id: runId }]);
    expect(['PROMOTED', 'HELD']).toContain(version.gate.decision);
    expect(version.status === 'ACTIVE').toBe(version.gate.decision === 'PROMOTED');
    const [row] = await query<{ name: string; status: string }>(
      e.dbUrl,
      `SELECT name, status::text FROM "ModelVersion" WHERE id = $1`,
      [Number(version.id)],
    );
    expect(row).toEqual({ name: version.name, status: version.status });
    // the worker completes the job right after the run
    let jobState = last!.job.state;
    for (let i = 0; i < 50 && jobState !== 'COMPLETED'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      jobState = (await ask(`query($id: ID!) { trainingRun(id: $id) { job { state } } }`, { id: runId }))
        .data!.trainingRun.job.state;
    }
    expect(jobState).toBe('COMPLETED');
  }, 300_000);
});
