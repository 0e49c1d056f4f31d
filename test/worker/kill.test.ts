// Killing the worker mid-training: the active model keeps serving, the half-trained version is never active,
// and a new worker finds the run by its stale heartbeat and resumes it from its saved state; stopping that
// worker (SIGTERM) stops it at a step boundary (INTERRUPTED), and a third worker resumes and finishes it.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadModelRuntime, restoreSamples } from '../../services/core/src/inference/modelRuntime.ts';
import { type JobQueue, openJobQueue } from '../../services/core/src/jobs/queue.ts';
import { checkpointSource } from '../../services/core/src/registry/checkpointStore.ts';
import type { GateRecord } from '../../services/worker/src/gate.ts';
import { runCli, startCli } from '../support/cli.ts';
import {
  activeModels,
  splitSamples,
  TINY,
  type WorkerTestPlatform,
  waitFor,
  workerPlatform,
} from './support.ts';

let t: WorkerTestPlatform;
let queue: JobQueue;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await workerPlatform('kill', ['CHOL', 'DLBC', 'UVM']);
  queue = await openJobQueue(t.url);
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await queue?.close();
  await t?.platform.close();
  if (t) fs.rmSync(t.modelsDir, { recursive: true, force: true });
});

function worker(env: NodeJS.ProcessEnv) {
  const child = startCli(['worker'], { ...t.env, ...env });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

it('survives a SIGKILL and a SIGTERM of the worker mid-training; new workers resume and finish the run', async () => {
  const [before] = await activeModels(t.url);
  // Requested through the command line, with a tiny recipe from a JSON file.
  const configFile = path.join(t.modelsDir, 'tiny.json');
  fs.writeFileSync(configFile, JSON.stringify({ ...TINY, maxSteps: 300 }));
  const requested = await runCli(['retrain', '--config', configFile, '--json'], t.env);
  expect(requested.code, requested.stderr).toBe(0);
  const run = JSON.parse(requested.stdout) as { id: number; status: string; reason: string };
  expect(run.status).toBe('QUEUED');
  expect(run.reason).toBe('MANUAL');
  const prisma = t.platform.prisma;

  const first = worker({});
  const running = await waitFor('training progress past the first saved state', async () => {
    const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
    if (r?.status === 'FAILED') throw new Error(`run failed: ${r.error}\n${first.output()}`);
    return r?.status === 'RUNNING' && (r.step ?? 0) >= 60 ? r : undefined;
  });
  expect(running.step!).toBeLessThan(300);
  // Progress while training: epoch, step, loss, rate, ETA and the heartbeat.
  expect(running.totalSteps).toBe(300);
  expect(running.epoch).toBeGreaterThanOrEqual(1);
  expect(running.totalEpochs).toBeGreaterThanOrEqual(running.epoch!);
  expect(Number.isFinite(running.loss)).toBe(true);
  expect(running.samplesPerSec).toBeGreaterThan(0);
  expect(running.etaSeconds).toBeGreaterThan(0);
  expect(Date.now() - running.heartbeatAt!.getTime()).toBeLessThan(10_000);
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');

  // Mid-training state: the new version is TRAINING in its .partial folder, never active; the old model serves.
  const killed = (await prisma.trainingRun.findUnique({ where: { id: run.id } }))!;
  expect(killed.status).toBe('RUNNING');
  const partial = (await prisma.modelVersion.findUnique({ where: { id: killed.modelVersionId! } }))!;
  expect(partial.status).toBe('TRAINING');
  expect(partial.active).toBeNull();
  expect(partial.checkpointPath).toBe(path.join(t.modelsDir, `${partial.name}.partial`));
  expect(fs.existsSync(path.join(partial.checkpointPath, '.resume'))).toBe(true);
  expect(fs.existsSync(path.join(t.modelsDir, partial.name))).toBe(false);
  expect(await activeModels(t.url)).toEqual([before]);
  const activeVersion = (await prisma.modelVersion.findUnique({ where: { id: before!.id } }))!;
  const runtime = await loadModelRuntime(checkpointSource(t.platform), activeVersion);
  try {
    const [sample] = (await splitSamples(t.url)).validation;
    const restored = await restoreSamples(
      runtime,
      t.platform.pool,
      [sample!],
      runtime.stats.genes.slice(0, 3),
    );
    expect(restored.values[0]!.every(Number.isFinite)).toBe(true);
  } finally {
    await runtime.close();
  }

  // A new worker (short stale limit) finds the run by its stale heartbeat and resumes it; Ctrl-C (SIGTERM)
  // on it mid-training stops it at a step boundary and records it INTERRUPTED.
  const second = worker({ GEXBERT_WORKER_STALE_SECONDS: '3' });
  const resumed = await waitFor('the second worker to resume the run', async () => {
    const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
    const other = r?.workerId && r.workerId !== killed.workerId;
    return r?.status === 'RUNNING' && other && (r.step ?? 0) > (running.step ?? 0) ? r : undefined;
  });
  expect(resumed.attempts).toBe(2);
  second.child.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
  expect(second.output()).toMatch(/stopped reporting/);
  expect(second.output()).toMatch(/resumed at step \d+/);
  const handedBack = (await prisma.trainingRun.findUnique({ where: { id: run.id } }))!;
  expect(handedBack.status).toBe('INTERRUPTED');
  expect(handedBack.workerId).toBeNull();
  expect(handedBack.error).toMatch(/was stopped/);
  expect((await queue.job(handedBack.jobId!))?.state).toBe('completed');
  expect((await prisma.modelVersion.findUnique({ where: { id: partial.id } }))?.status).toBe('TRAINING');
  expect(await activeModels(t.url)).toEqual([before]);

  // A third worker (a tolerant gate, so the finished model is promoted) finishes it.
  const third = worker({ GEXBERT_WORKER_STALE_SECONDS: '3', GEXBERT_GATE_TOLERANCE: '100' });
  const done = await waitFor(
    'the resumed run to finish',
    async () => {
      const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
      return r && (r.status === 'SUCCEEDED' || r.status === 'FAILED') ? r : undefined;
    },
    180,
  );
  expect(done.status, `${done.error}\n${third.output()}`).toBe('SUCCEEDED');
  expect(done.attempts).toBe(3);
  expect(done.workerId).not.toBe(killed.workerId);
  expect(done.workerId).not.toBe(resumed.workerId);
  expect(done.step).toBe(300);
  expect(third.output()).toMatch(/resumed at step \d+/);
  const version = (await prisma.modelVersion.findUnique({ where: { id: killed.modelVersionId! } }))!;
  const training = (version.metrics as { training: { resumedFromStep?: number; steps: number } }).training;
  expect(training.resumedFromStep).toBeGreaterThanOrEqual(50);
  expect(version.checkpointPath).toBe(path.join(t.modelsDir, version.name));
  expect(fs.existsSync(path.join(version.checkpointPath, 'model.onnx'))).toBe(true);
  expect(fs.existsSync(path.join(version.checkpointPath, '.resume'))).toBe(false);
  expect(fs.existsSync(`${version.checkpointPath}.partial`)).toBe(false);
  expect((version.gate as unknown as GateRecord).decision).toBe('PROMOTED');
  const after = await activeModels(t.url);
  expect(after.map((m) => m.id)).toEqual([version.id]);
  const retired = await prisma.modelVersion.findUnique({ where: { id: before!.id } });
  expect(retired?.status).toBe('RETIRED');

  third.child.kill('SIGTERM');
  expect((await third.exited).code).toBe(0);
}, 300_000); // three worker processes and the gate; slow when the machine is busy
