// Cancelling a training run (cancelTrainingRun, `gexbert runs cancel`). A run no worker holds (QUEUED or
// INTERRUPTED) is CANCELLED at once; a RUNNING run gets a cancel request that its worker sees on its next
// heartbeat: it stops at the next step boundary and records the run CANCELLED (finishCancelledRun). Either
// way the run's model version becomes FAILED (never served), its half-written folder is removed and its
// queue job is cancelled, so nothing retries it.
import fs from 'node:fs';
import type { Db, PrismaClient } from '../db/prisma.ts';
import { type JobQueue, TRAIN_JOB } from '../jobs/queue.ts';
import type { TrainingRun } from './request.ts';

/** The run cannot be cancelled (it does not exist or has already finished). */
export class CancelRefused extends Error {}

/**
 * Marks a model version FAILED when it is unfinished (in one of `unfinished`) and removes its half-written
 * (.partial) folder.
 */
export async function discardUnfinishedVersion(
  prisma: PrismaClient,
  versionId: number | null,
  unfinished: readonly Db.ModelStatus[] = ['TRAINING', 'CANDIDATE'],
): Promise<void> {
  if (versionId === null) return;
  const { count } = await prisma.modelVersion.updateMany({
    where: { id: versionId, status: { in: [...unfinished] } },
    data: { status: 'FAILED' },
  });
  if (count === 0) return;
  const version = await prisma.modelVersion.findUnique({ where: { id: versionId } });
  try {
    if (version?.checkpointPath.endsWith('.partial'))
      fs.rmSync(version.checkpointPath, { recursive: true, force: true });
  } catch {
    // not there or not removable: nothing refers to it any more
  }
}

/** Records a run whose cancel took effect: CANCELLED, its version FAILED, its job cancelled. */
export async function finishCancelledRun(
  deps: { prisma: PrismaClient; queue?: JobQueue | null },
  runId: number,
  note?: string,
): Promise<TrainingRun> {
  const now = new Date();
  const before = await deps.prisma.trainingRun.findUniqueOrThrow({ where: { id: runId } });
  const run = await deps.prisma.trainingRun.update({
    where: { id: runId },
    data: {
      status: 'CANCELLED',
      cancelRequestedAt: before.cancelRequestedAt ?? now,
      cancelledAt: now,
      finishedAt: now,
      workerId: null,
      error: `cancelled by ${before.cancelledBy ?? 'unknown'}${note ? ` (${note})` : ''}`,
    },
  });
  await discardUnfinishedVersion(deps.prisma, run.modelVersionId);
  if (run.jobId && deps.queue) {
    const job = await deps.queue.job(run.jobId);
    if (job && ['created', 'retry', 'active'].includes(job.state))
      await deps.queue.cancel(TRAIN_JOB, run.jobId);
  }
  return run;
}

/**
 * Cancels run `runId` on behalf of `by`: at once when no worker holds it, else at the worker's next step
 * boundary (the run stays RUNNING with `cancelRequestedAt` set until then). Refuses finished runs.
 */
export async function cancelTrainingRun(
  deps: { prisma: PrismaClient; queue?: JobQueue | null },
  runId: number,
  by: string,
): Promise<TrainingRun> {
  const { prisma } = deps;
  const now = new Date();
  const idle = await prisma.trainingRun.updateMany({
    where: { id: runId, status: { in: ['QUEUED', 'INTERRUPTED'] } },
    data: { cancelRequestedAt: now, cancelledBy: by, status: 'CANCELLED', finishedAt: now },
  });
  if (idle.count === 1) return finishCancelledRun(deps, runId);
  const running = await prisma.trainingRun.updateMany({
    where: { id: runId, status: 'RUNNING', cancelRequestedAt: null },
    data: { cancelRequestedAt: now, cancelledBy: by },
  });
  const run = await prisma.trainingRun.findUnique({ where: { id: runId } });
  if (!run) throw new CancelRefused(`training run ${runId} does not exist`);
  if (running.count === 0 && run.status !== 'RUNNING')
    throw new CancelRefused(
      `training run ${runId} is ${run.status}; only a QUEUED, RUNNING or INTERRUPTED run can be cancelled`,
    );
  return run;
}
