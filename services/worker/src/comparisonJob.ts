// One compare-groups job: a QUEUED GroupComparison (services/core/src/comparison/store.ts) is computed and
// stored, its progress recorded on the row as it goes; a comparison already taken is left alone.
import { runQueuedComparison } from '@gexbert/core/comparison/store';
import { COMPARE_JOB, type JobQueue } from '@gexbert/core/jobs/queue';
import type pg from 'pg';

export interface ComparisonOutcome {
  comparisonId: number;
  /** False when it was not QUEUED (done, or taken by another worker). */
  computed: boolean;
}

/** Runs the job's comparison and completes (or fails) the job. */
export async function runComparisonJob(
  pool: pg.Pool,
  queue: JobQueue,
  job: { id: string; data: unknown },
  log: (line: string) => void,
): Promise<ComparisonOutcome | null> {
  const comparisonId = Number((job.data as { comparisonId?: unknown } | null)?.comparisonId);
  if (!Number.isInteger(comparisonId)) {
    await queue.fail(COMPARE_JOB, job.id, { message: 'job data has no comparisonId' }, { retry: false });
    return null;
  }
  try {
    const computed = await runQueuedComparison(pool, comparisonId);
    await queue.complete(COMPARE_JOB, job.id, { comparisonId, computed });
    return { comparisonId, computed };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`comparison ${comparisonId}: failed: ${message}`);
    await queue.fail(COMPARE_JOB, job.id, { message }, { retry: false });
    return null;
  }
}
