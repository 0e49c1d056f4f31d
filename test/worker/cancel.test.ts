// Cancelling training runs on real TCGA data: an admin cancels a run mid-training through the API (readers
// and curators are refused); it stops within seconds, is CANCELLED with who and when, its model version is
// FAILED and never active, its job is cancelled, and the worker goes on to the next job. With automatic
// promotion off, a THRESHOLD run that passes the gate stays CANDIDATE. A cancel that arrives after training,
// in the promotion gate, stops the gate too; a worker stopped in the gate leaves the run INTERRUPTED, and the
// next worker runs the gate again on the stored checkpoint without training again. `gexbert runs
// list|cancel` works.
import fs from 'node:fs';
import { createToken } from '@gexbert/core/auth/tokens';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../../services/api/src/server.ts';
import { type JobQueue, openJobQueue } from '../../services/core/src/jobs/queue.ts';
import { cancelTrainingRun } from '../../services/core/src/training/cancel.ts';
import { requestRetraining } from '../../services/core/src/training/request.ts';
import type { GateRecord } from '../../services/worker/src/gate.ts';
import { type RunningWorker, startWorker } from '../../services/worker/src/worker.ts';
import { runCli } from '../support/cli.ts';
import { activeModels, TINY, type WorkerTestPlatform, waitFor, workerPlatform } from './support.ts';

let t: WorkerTestPlatform;
let worker: RunningWorker;
let queue: JobQueue;
let api: RunningApi;
const tokens: Record<string, string> = {};
const logged: string[] = [];
let onLog: ((line: string) => void) | undefined;

beforeAll(async () => {
  t = await workerPlatform('cancel', ['CHOL', 'DLBC', 'UVM']);
  // Automatic promotion off, and a tolerant gate (a tiny candidate passes it).
  const config = { ...t.config, autoPromote: false, gateTolerance: 100 };
  worker = await startWorker(
    { ...t.platform, config },
    {
      log: (line) => {
        logged.push(line);
        onLog?.(line);
      },
    },
  );
  queue = await openJobQueue(t.url);
  api = await startApi({ pool: t.platform.pool, prisma: t.platform.prisma, queue, port: 0, env: {} });
  for (const role of ['READER', 'CURATOR', 'ADMIN'] as const)
    tokens[role] = (await createToken(t.platform.prisma, `cancel ${role.toLowerCase()}`, role)).token;
});
afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await queue?.close();
  await t?.platform.close();
  if (t) fs.rmSync(t.modelsDir, { recursive: true, force: true });
});

async function cancel(id: number, role: string) {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[role]}` },
    body: JSON.stringify({
      query: 'mutation($id: ID!) { cancelTrainingRun(id: $id) { id status cancelRequestedAt cancelledBy } }',
      variables: { id: String(id) },
    }),
  });
  return (await response.json()) as {
    data?: { cancelTrainingRun: { id: string; status: string; cancelRequestedAt: string | null } } | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

it('cancels a run mid-training through the API; the worker goes on to the next job', async () => {
  const prisma = t.platform.prisma;
  const [before] = await activeModels(t.url);
  const run = await requestRetraining(
    { prisma, queue },
    { reason: 'MANUAL', requestedBy: 'test', config: { ...TINY, maxSteps: 5000 } },
  );
  const running = await waitFor('training progress', async () => {
    const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
    if (r?.status === 'FAILED') throw new Error(`run failed: ${r.error}`);
    return r?.status === 'RUNNING' && (r.step ?? 0) >= 20 ? r : undefined;
  });

  for (const role of ['READER', 'CURATOR']) {
    const refused = await cancel(run.id, role);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }
  expect((await prisma.trainingRun.findUnique({ where: { id: run.id } }))?.cancelRequestedAt).toBeNull();

  const asked = Date.now();
  const answer = await cancel(run.id, 'ADMIN');
  expect(answer.errors).toBeUndefined();
  expect(answer.data?.cancelTrainingRun.status).toBe('RUNNING');
  expect(answer.data?.cancelTrainingRun.cancelRequestedAt).toBeTruthy();
  const cancelled = await waitFor(
    'the run to be cancelled',
    async () => {
      const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
      return r?.status === 'CANCELLED' ? r : undefined;
    },
    20,
  );
  expect(Date.now() - asked).toBeLessThan(10_000);
  expect(cancelled.cancelledBy).toBe('cancel admin');
  expect(cancelled.cancelledAt!.getTime()).toBeGreaterThanOrEqual(cancelled.cancelRequestedAt!.getTime());
  expect(cancelled.finishedAt).toBeTruthy();
  expect(cancelled.step!).toBeGreaterThanOrEqual(running.step!);
  expect(cancelled.step!).toBeLessThan(5000);
  // the step it stopped at, as its message says (not the last step a heartbeat reported)
  expect(cancelled.error).toBe(`cancelled by cancel admin (at step ${cancelled.step})`);
  const version = (await prisma.modelVersion.findUnique({ where: { id: cancelled.modelVersionId! } }))!;
  expect(version.status).toBe('FAILED');
  expect(version.active).toBeNull();
  expect(fs.existsSync(version.checkpointPath)).toBe(false);
  // The worker cancels the queue job after it recorded the run CANCELLED: wait for the queue to say so.
  await waitFor(
    'the queue job cancelled',
    async () => ((await queue.job(cancelled.jobId!))?.state === 'cancelled' ? true : undefined),
    20,
  );
  expect(await activeModels(t.url)).toEqual([before]);
  // A finished run cannot be cancelled again.
  expect((await cancel(run.id, 'ADMIN')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

  // The worker takes the next job: a THRESHOLD run that passes the gate, kept CANDIDATE (auto-promote off).
  const next = await requestRetraining(
    { prisma, queue },
    { reason: 'THRESHOLD', requestedBy: 'worker', config: { ...TINY, maxSteps: 20 } },
  );
  expect(next.id).not.toBe(run.id);
  const done = await waitFor('the next run', async () => {
    const r = await prisma.trainingRun.findUnique({ where: { id: next.id } });
    return r && r.status !== 'QUEUED' && r.status !== 'RUNNING' ? r : undefined;
  });
  expect(done.status, done.error ?? '').toBe('SUCCEEDED');
  expect(done.workerId).toBe(worker.id);
  expect(done.autoPromote).toBe(false);
  const candidate = (await prisma.modelVersion.findUnique({ where: { id: done.modelVersionId! } }))!;
  expect(candidate.status).toBe('CANDIDATE');
  const gate = candidate.gate as unknown as GateRecord;
  expect(gate.decision).toBe('HELD');
  expect(gate.reason).toMatch(/passed the gate, but automatic promotion is off/);
  expect(await activeModels(t.url)).toEqual([before]);
}, 120_000);

/**
 * Requests a small MANUAL run and calls `act` once, when the gate has fitted the run's candidate heads
 * (fitting the active model's takes seconds more); resolves with the run once it left QUEUED and RUNNING.
 */
async function actInGate(act: (runId: number) => Promise<unknown>) {
  const prisma = t.platform.prisma;
  const run = await requestRetraining(
    { prisma, queue },
    { reason: 'MANUAL', requestedBy: 'test', config: { ...TINY, maxSteps: 20 } },
  );
  let acted: Promise<unknown> | undefined;
  let trained = false;
  onLog = (line) => {
    trained ||= line.startsWith(`run ${run.id}: trained `);
    if (trained && !acted && line.startsWith('gate: candidate heads fitted')) acted = act(run.id);
  };
  const ended = await waitFor('the run to end', async () => {
    const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
    return r && !['QUEUED', 'RUNNING'].includes(r.status) ? r : undefined;
  });
  onLog = undefined;
  await acted;
  return ended;
}

it('a cancel that arrives in the promotion gate stops the gate: CANCELLED, never a candidate', async () => {
  const prisma = t.platform.prisma;
  const [before] = await activeModels(t.url);
  const ended = await actInGate((id) => cancelTrainingRun({ prisma, queue }, id, 'gate test'));
  const run = { id: ended.id };
  expect(ended.status, ended.error ?? '').toBe('CANCELLED');
  expect(ended.cancelledBy).toBe('gate test');
  expect(ended.error).toBe('cancelled by gate test (in the promotion gate)');
  const lines = logged.filter((l) => l.startsWith(`run ${run.id}:`) || l.startsWith('gate:'));
  expect(lines).toContain(`run ${run.id}: cancelled in the promotion gate; its model version is FAILED`);
  // Stopped while fitting the active model's heads, before the gate could decide.
  const started = logged.findIndex((l) => l.startsWith(`run ${run.id}: trained `));
  expect(logged.slice(started).some((l) => l.startsWith('gate: active heads fitted'))).toBe(false);
  const version = (await prisma.modelVersion.findUnique({ where: { id: ended.modelVersionId! } }))!;
  expect(version.status).toBe('FAILED');
  expect(version.gate).toBeNull();
  expect(version.heads).toBeNull();
  expect(version.active).toBeNull();
  expect(await activeModels(t.url)).toEqual([before]);
}, 120_000);

it('a worker stopped in the promotion gate leaves the run INTERRUPTED; the next one gates it without retraining', async () => {
  const prisma = t.platform.prisma;
  const interrupted = await actInGate(() => worker.stop());
  const run = { id: interrupted.id, modelVersionId: interrupted.modelVersionId };
  expect(interrupted.status, interrupted.error ?? '').toBe('INTERRUPTED');
  expect(interrupted.error).toMatch(
    /^interrupted in the promotion gate: .* the next worker runs the gate again/,
  );
  const stored = (await prisma.modelVersion.findUnique({ where: { id: interrupted.modelVersionId! } }))!;
  expect(stored.status).toBe('TRAINING');
  expect(stored.checkpointDigest).not.toBeNull();

  const from = logged.length;
  worker = await startWorker(
    { ...t.platform, config: { ...t.config, autoPromote: false, gateTolerance: 100 } },
    {
      log: (line) => logged.push(line),
    },
  );
  const done = await waitFor('the resumed run', async () => {
    const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
    return r?.status === 'SUCCEEDED' || r?.status === 'FAILED' ? r : undefined;
  });
  expect(done.status, done.error ?? '').toBe('SUCCEEDED');
  const resumed = logged.slice(from);
  expect(resumed.some((l) => l.startsWith(`run ${run.id}: trained `))).toBe(false);
  expect(resumed.some((l) => l.startsWith('gate: active measured'))).toBe(true);
  const gated = (await prisma.modelVersion.findUnique({
    where: { id: run.modelVersionId ?? done.modelVersionId! },
  }))!;
  expect(gated.id).toBe(stored.id);
  expect(gated.status).toBe('ACTIVE'); // (a MANUAL run promotes; the tolerant gate passes it)
  expect((gated.gate as unknown as GateRecord).decision).toBe('PROMOTED');
  expect(gated.checkpointDigest).toBe(stored.checkpointDigest);
}, 120_000);

it('gexbert runs list and gexbert runs cancel', async () => {
  await worker.stop(); // so the run stays QUEUED
  const run = await requestRetraining(
    { prisma: t.platform.prisma, queue },
    { reason: 'MANUAL', config: { ...TINY, maxSteps: 10 } },
  );
  const list = await runCli(['runs', 'list'], t.env);
  expect(list.code, list.stderr).toBe(0);
  expect(list.stdout).toMatch(new RegExp(`#${run.id} QUEUED`));
  expect(list.stdout).toMatch(/CANCELLED/);
  const cancelled = await runCli(['runs', 'cancel', String(run.id), '--json'], t.env);
  expect(cancelled.code, cancelled.stderr).toBe(0);
  const row = JSON.parse(cancelled.stdout) as { status: string; cancelledBy: string };
  expect(row.status).toBe('CANCELLED');
  expect(row.cancelledBy).toMatch(/^cli:/);
  expect((await queue.job(run.jobId!))?.state).toBe('cancelled');
  const again = await runCli(['runs', 'cancel', String(run.id)], t.env);
  expect(again.code).not.toBe(0);
  expect(again.stderr).toMatch(/is CANCELLED/);
}, 60_000);
