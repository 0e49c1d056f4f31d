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

type Tx = Db.Prisma.TransactionClient;

/**
 * Marks a model version FAILED when it is unfinished (in one of `unfinished`), inside the caller's
 * transaction; returns its half-written (.partial) folder to remove once that transaction commits.
 */
async function failUnfinishedVersion(
  tx: Tx,
  versionId: number | null,
  unfinished: readonly Db.ModelStatus[],
): Promise<string | null> {
  if (versionId === null) return null;
  const { count } = await tx.modelVersion.updateMany({
    where: { id: versionId, status: { in: [...unfinished] } },
    data: { status: 'FAILED' },
  });
  if (count === 0) return null;
  const version = await tx.modelVersion.findUnique({ where: { id: versionId } });
  return version?.checkpointPath.endsWith('.partial') ? version.checkpointPath : null;
}

function removeFolder(folder: string | null): void {
  if (!folder) return;
  try {
    fs.rmSync(folder, { recursive: true, force: true });
  } catch {
    // not there or not removable: nothing refers to it any more
  }
}

/**
 * Ends run `runId` with `data` and marks its unfinished model version FAILED in one transaction (nobody
 * sees the run ended with its version still TRAINING), then removes the version's half-written folder.
 * Returns null, having written nothing, when the run does not exist, is not in one of `onlyIf` (when given)
 * or was changed by another writer meanwhile.
 */
export async function endRunDiscardingVersion(
  prisma: PrismaClient,
  runId: number,
  data: (before: TrainingRun) => Db.Prisma.TrainingRunUpdateManyMutationInput,
  options: { unfinished?: readonly Db.ModelStatus[]; onlyIf?: readonly Db.TrainingRunStatus[] } = {},
): Promise<TrainingRun | null> {
  const ended = await prisma.$transaction(async (tx) => {
    const before = await tx.trainingRun.findUnique({ where: { id: runId } });
    if (!before || (options.onlyIf && !options.onlyIf.includes(before.status))) return null;
    const { count } = await tx.trainingRun.updateMany({
      where: { id: runId, status: before.status },
      data: data(before),
    });
    if (count === 0) return null; // (another writer changed it between the read and the write)
    const run = await tx.trainingRun.findUniqueOrThrow({ where: { id: runId } });
    const unfinished = options.unfinished ?? ['TRAINING', 'CANDIDATE'];
    return { run, folder: await failUnfinishedVersion(tx, run.modelVersionId, unfinished) };
  });
  if (!ended) return null;
  removeFolder(ended.folder);
  return ended.run;
}

/**
 * Records a run whose cancel took effect: CANCELLED, its version FAILED, its job cancelled. With `onlyIf`,
 * only a run in one of those statuses (else null, nothing written); `by` names who cancelled when the run
 * does not say so yet; `step` is where training stopped.
 */
export async function finishCancelledRun(
  deps: { prisma: PrismaClient; queue?: JobQueue | null },
  runId: number,
  options: { note?: string; by?: string; step?: number; onlyIf?: readonly Db.TrainingRunStatus[] } = {},
): Promise<TrainingRun | null> {
  const now = new Date();
  const { note, by, step, onlyIf } = options;
  const run = await endRunDiscardingVersion(
    deps.prisma,
    runId,
    (before) => {
      const who = before.cancelledBy ?? by ?? 'unknown';
      return {
        status: 'CANCELLED',
        cancelRequestedAt: before.cancelRequestedAt ?? now,
        cancelledBy: who,
        cancelledAt: now,
        finishedAt: now,
        workerId: null,
        error: `cancelled by ${who}${note ? ` (${note})` : ''}`,
        ...(step === undefined ? {} : { step }), // (the step it stopped at, not the last one reported)
      };
    },
    { onlyIf },
  );
  if (run?.jobId && deps.queue) {
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
  const idle = await finishCancelledRun(deps, runId, { by, onlyIf: ['QUEUED', 'INTERRUPTED'] });
  if (idle) return idle;
  const running = await prisma.trainingRun.updateMany({
    where: { id: runId, status: 'RUNNING', cancelRequestedAt: null },
    data: { cancelRequestedAt: new Date(), cancelledBy: by },
  });
  const run = await prisma.trainingRun.findUnique({ where: { id: runId } });
  if (!run) throw new CancelRefused(`training run ${runId} does not exist`);
  if (running.count === 0 && run.status !== 'RUNNING')
    throw new CancelRefused(
      `training run ${runId} is ${run.status}; only a QUEUED, RUNNING or INTERRUPTED run can be cancelled`,
    );
  return run;
}
