// Queuing precompute batches from the API (after a promotion, rollback or ingest) and reading their
// progress. Without a job queue nothing is queued here: the workers' periodic check plans what is missing.
import { loadConfig } from '@gexbert/core/config';
import { queueCohortMap } from '@gexbert/core/inference/cohortMapQueue';
import { type PlanOptions, planPrecompute, precomputeProgress } from '@gexbert/core/inference/precompute';
import type { Context } from '../context.ts';
import type { ResolversTypes } from '../generated/graphql.ts';
import type { ModelVersionRow } from './rows.ts';

let batchSize: number | undefined;

/** GEXBERT_PRECOMPUTE_BATCH, as the workers read it. */
function precomputeBatch(): number {
  if (batchSize === undefined) {
    try {
      batchSize = loadConfig().precomputeBatch;
    } catch {
      batchSize = 500;
    }
  }
  return batchSize;
}

/**
 * Queues precompute batches for samples no batch has claimed (a failure is logged, never the caller's: the
 * workers' periodic check queues them later).
 */
export async function queuePrecompute(
  context: Context,
  options: Omit<PlanOptions, 'batchSize'>,
): Promise<void> {
  if (!context.queue) return;
  try {
    await planPrecompute(
      { pool: context.db, prisma: context.prisma, queue: context.queue },
      { ...options, batchSize: precomputeBatch() },
    );
  } catch (error) {
    context.models.log(
      `queuing the precompute (${options.reason.toLowerCase()}) failed: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/**
 * Queues the placing of a cohort's map (and then its gene importance) by the active version once that is
 * precomputed: after a cohort is made or its members change. A failure is logged, never the caller's: the
 * workers' periodic check queues cohorts still missing their map.
 */
export async function queueCohortMapJob(context: Context, cohortId: number): Promise<void> {
  if (!context.queue) return;
  try {
    await queueCohortMap({ pool: context.db, queue: context.queue }, cohortId);
  } catch (error) {
    context.models.log(
      `queuing the map of cohort ${cohortId} failed: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** ModelVersion.precompute. */
export async function precomputeRow(
  context: Context,
  version: ModelVersionRow,
): Promise<ResolversTypes['PrecomputeProgress']> {
  const p = await precomputeProgress(context.db, version);
  return {
    modelVersion: version,
    headsId: p.headsId,
    total: p.total,
    done: p.done,
    queuedBatches: p.queued,
    runningBatches: p.running,
    failedBatches: p.failed,
    finishedBatches: p.finished,
  };
}
