// The automatic retraining trigger: when the training samples the newest model has not seen reach the
// threshold, and no run is QUEUED, RUNNING or INTERRUPTED, a THRESHOLD run is requested. The newest model is the active
// one unless a later retraining produced a version (held by the gate, or failed): counting from that one
// keeps a held or failing retraining from being requested again and again on the same samples.
import type { PrismaClient } from '@gexbert/core/db/prisma';
import type { JobQueue } from '@gexbert/core/jobs/queue';
import { newestModelVersionId } from '@gexbert/core/registry/modelVersion';
import { requestRetraining, type TrainingRun } from '@gexbert/core/training/request';
import { pendingTrainingRun } from '@gexbert/core/training/runs';
import { newTrainingSampleCount } from '@gexbert/core/training/validationSet';
import type pg from 'pg';

export interface TriggerDeps {
  pool: pg.Pool;
  prisma: PrismaClient;
  queue: JobQueue;
  retryLimit?: number;
}

export interface TriggerResult {
  newSamples: number;
  threshold: number;
  /** The run requested (or the pending one), when the threshold was reached. */
  run: TrainingRun | null;
}

/** Checks the threshold (0 disables the trigger) and requests a retraining when it is reached. */
export async function checkRetrainThreshold(deps: TriggerDeps, threshold: number): Promise<TriggerResult> {
  const newest = await newestModelVersionId(deps.prisma);
  const newSamples = await newTrainingSampleCount(deps.pool, newest);
  // With no model at all there is no training to count from (the first model is the shipped checkpoint,
  // registered by ensureActiveModel); a retraining can still be requested by hand.
  if (newest === null || threshold <= 0 || newSamples < threshold)
    return { newSamples, threshold, run: null };
  if (await pendingTrainingRun(deps.prisma)) return { newSamples, threshold, run: null };
  const run = await requestRetraining(deps, { reason: 'THRESHOLD', requestedBy: 'worker' });
  return { newSamples, threshold, run };
}
