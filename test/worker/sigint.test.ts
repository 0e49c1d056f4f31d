// Ctrl-C of a training worker: SIGINT to a `gexbert worker` child process mid-training stops it at a step
// boundary, saves the resume state, records the run INTERRUPTED and exits 0 with no stack trace; a new worker
// resumes the run from that state and finishes it. The worker runs every thread at its niceness.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type JobQueue, openJobQueue } from '../../services/core/src/jobs/queue.ts';
import { requestRetraining } from '../../services/core/src/training/request.ts';
import { startCli } from '../support/cli.ts';
import { TINY, type WorkerTestPlatform, waitFor, workerPlatform } from './support.ts';

let t: WorkerTestPlatform;
let queue: JobQueue;
const children: ReturnType<typeof startCli>[] = [];

beforeAll(async () => {
  t = await workerPlatform('sigint', ['CHOL', 'DLBC', 'UVM']);
  queue = await openJobQueue(t.url);
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await queue?.close();
  await t?.platform.close();
  if (t) fs.rmSync(t.modelsDir, { recursive: true, force: true });
});

/** The niceness of each thread of a process (Linux: field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceness(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

function worker(env: NodeJS.ProcessEnv = {}) {
  const child = startCli(['worker'], { ...t.env, ...env });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

it('SIGINT mid-training exits 0 cleanly and leaves a run that a new worker resumes', async () => {
  const prisma = t.platform.prisma;
  const run = await requestRetraining(
    { prisma, queue },
    { reason: 'MANUAL', requestedBy: 'test', config: { ...TINY, maxSteps: 200 } },
  );
  const first = worker({ GEXBERT_WORKER_NICE: '10' });
  await waitFor('training progress', async () => {
    const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
    if (r?.status === 'FAILED') throw new Error(`run failed: ${r.error}\n${first.stderr()}`);
    return r?.status === 'RUNNING' && (r.step ?? 0) >= 20 ? r : undefined;
  });
  // mid-training, every thread of the worker (onnxruntime's too) runs at its niceness
  const nices = threadNiceness(first.child.pid!);
  expect(nices.length).toBeGreaterThan(3);
  expect(Math.min(...nices), `${nices}`).toBeGreaterThanOrEqual(10);
  expect(Number(/ready .*niceness (\d+)/.exec(first.stdout())?.[1])).toBe(Math.min(...nices));
  first.child.kill('SIGINT');
  const exit = await first.exited;
  expect(exit.code, first.stderr()).toBe(0);
  // No stack trace, no unhandled error: a line saying it stopped.
  expect(first.stderr()).not.toMatch(/\n\s+at |Connection terminated|Unhandled|Error:/);
  expect(first.stderr()).toMatch(/worker: SIGINT: stopping/);
  expect(first.stderr()).toMatch(/interrupted at step \d+; resume state saved/);
  expect(first.stderr().trimEnd().split('\n').at(-1)).toBe('worker: stopped');

  const interrupted = (await prisma.trainingRun.findUnique({ where: { id: run.id } }))!;
  expect(interrupted.status).toBe('INTERRUPTED');
  expect(interrupted.workerId).toBeNull();
  expect(interrupted.error).toMatch(/interrupted at step \d+/);
  expect(interrupted.step!).toBeLessThan(200);
  expect((await queue.job(interrupted.jobId!))?.state).toBe('completed'); // no retry spent
  const version = (await prisma.modelVersion.findUnique({ where: { id: interrupted.modelVersionId! } }))!;
  expect(version.status).toBe('TRAINING');
  expect(version.active).toBeNull();
  expect(fs.existsSync(path.join(version.checkpointPath, '.resume'))).toBe(true);

  // A new worker resumes it from the saved state and finishes it.
  const second = worker();
  const done = await waitFor(
    'the resumed run to finish',
    async () => {
      const r = await prisma.trainingRun.findUnique({ where: { id: run.id } });
      return r && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status) ? r : undefined;
    },
    300,
  ).catch((error) => {
    throw new Error(`${error.message}; the second worker said:\n${second.stderr()}`);
  });
  expect(done.status, `${done.error}\n${second.stderr()}`).toBe('SUCCEEDED');
  expect(done.attempts).toBe(2);
  expect(done.step).toBe(200);
  expect(done.jobId).not.toBe(interrupted.jobId);
  expect(second.stderr()).toMatch(/resumed at step \d+/);
  const trained = (await prisma.modelVersion.findUnique({ where: { id: version.id } }))!;
  const metrics = trained.metrics as { training: { resumedFromStep?: number } };
  expect(metrics.training.resumedFromStep).toBeGreaterThanOrEqual(20);
  second.child.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
}, 480_000);
