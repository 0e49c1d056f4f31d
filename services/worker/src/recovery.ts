// Finding work whose worker died: a RUNNING run whose heartbeat is older than the stale limit gets its
// job failed on the queue, so pg-boss retries it (a retry resumes from the run's .partial/.resume state)
// or, with no retries left, the run is FAILED. A QUEUED run that never got its job (a crash between the
// two writes of requestRetraining) gets one. An INTERRUPTED run (its worker was stopped with Ctrl-C at a
// step boundary, resume state saved) gets a new job, so the next worker resumes it from that state.
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { type JobQueue, TRAIN_JOB } from '@gexbert/core/jobs/queue';
import { finishCancelledRun } from '@gexbert/core/training/cancel';
import { enqueueRun } from '@gexbert/core/training/request';
import {
  failTrainingRun,
  interruptedTrainingRuns,
  orphanedTrainingRuns,
  recordAttemptError,
  requeueInterruptedRun,
  requeueStaleRun,
  staleTrainingRuns,
} from '@gexbert/core/training/runs';

export interface RecoveryDeps {
  prisma: PrismaClient;
  queue: JobQueue;
  staleSeconds: number;
  retryLimit: number;
  log(line: string): void;
}

/** Recovers stale and orphaned runs; returns the ids of the runs it touched. */
export async function recoverStaleRuns(deps: RecoveryDeps): Promise<number[]> {
  const { prisma, queue } = deps;
  const limit = new Date(Date.now() - deps.staleSeconds * 1000);
  const stale = await staleTrainingRuns(prisma, limit);
  const touched: number[] = [];
  for (const run of stale) {
    // Claim the recovery: only one worker moves the run back (the heartbeat it saw must be unchanged).
    if (!(await requeueStaleRun(prisma, run))) continue;
    touched.push(run.id);
    if (run.cancelRequestedAt) {
      // Cancelled while its worker was dying: nothing to retry.
      await finishCancelledRun({ prisma, queue }, run.id, { note: 'its worker had stopped reporting' });
      deps.log(`run ${run.id}: cancelled (its worker had stopped reporting)`);
      continue;
    }
    const message = `worker ${run.workerId ?? '?'} stopped reporting (no heartbeat for over ${deps.staleSeconds}s)`;
    await requeueOrFail(deps, run.id, run.jobId, run.attempts, message);
  }
  const interrupted = await interruptedTrainingRuns(prisma);
  for (const run of interrupted) {
    // Back to QUEUED keeping its old jobId until the new job is sent (so it is not also taken for an orphan).
    if (!(await requeueInterruptedRun(prisma, run.id))) continue;
    await enqueueRun({ prisma, queue, retryLimit: deps.retryLimit }, run.id);
    touched.push(run.id);
    deps.log(`run ${run.id}: interrupted run queued again (resumes from its saved state)`);
  }
  const orphans = await orphanedTrainingRuns(prisma, limit);
  for (const run of orphans) {
    await enqueueRun({ prisma, queue, retryLimit: deps.retryLimit }, run.id);
    touched.push(run.id);
  }
  return touched;
}

/**
 * Gives a run that was moved back to QUEUED to the queue's retry: fails its active job (pg-boss retries it
 * while it has retries left); with none left, or without a job, the run is FAILED.
 */
export async function requeueOrFail(
  deps: Pick<RecoveryDeps, 'prisma' | 'queue' | 'log'>,
  runId: number,
  jobId: string | null,
  attempt: number,
  message: string,
): Promise<void> {
  const job = jobId ? await deps.queue.job(jobId) : null;
  if (job && job.state === 'active') await deps.queue.fail(TRAIN_JOB, job.id, { message });
  const after = jobId ? await deps.queue.job(jobId) : null;
  if (!after || after.state === 'failed' || after.state === 'cancelled' || after.state === 'completed') {
    await failTrainingRun(deps.prisma, runId, `${message}; no retries left`);
    deps.log(`run ${runId}: ${message}; no retries left, FAILED`);
  } else {
    await recordAttemptError(deps.prisma, runId, `attempt ${attempt}: ${message}`);
    deps.log(`run ${runId}: ${message}; queued again (job ${after.state})`);
  }
}
