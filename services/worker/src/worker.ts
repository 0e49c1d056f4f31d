// The training worker: takes retraining jobs from the queue one at a time and runs them outside the API
// process; between jobs it recovers runs whose worker died and checks the automatic retraining threshold.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '@gexbert/core/config';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { type JobQueue, openJobQueue, TRAIN_JOB } from '@gexbert/core/jobs/queue';
import type pg from 'pg';
import { recoverStaleRuns } from './recovery.ts';
import { failRun, LostRunError, type RunOutcome, runTrainingJob } from './trainingJob.ts';
import { checkRetrainThreshold } from './trigger.ts';

export interface WorkerPlatform {
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
  config: Config;
}

export interface WorkerOptions {
  log?: (line: string) => void;
  /** Called after each finished job. */
  onJob?: (outcome: RunOutcome | { runId: number; error: string }) => void;
}

export interface RunningWorker {
  id: string;
  queue: JobQueue;
  /**
   * Stops taking jobs. A training in progress stops at its next step boundary with its resume state saved;
   * its run is recorded INTERRUPTED (the next worker resumes it) and its model version stays TRAINING, never
   * active. Resolves once the job has let go and the queue is closed (the database is the caller's).
   */
  stop(): Promise<void>;
  /** Resolves when the loop has ended. */
  finished: Promise<void>;
}

export async function startWorker(
  platform: WorkerPlatform,
  options: WorkerOptions = {},
): Promise<RunningWorker> {
  const { config, prisma, pool } = platform;
  const log = options.log ?? (() => {});
  const id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const queue = await openJobQueue(platform.url, { worker: true });
  const recovery = {
    prisma,
    queue,
    staleSeconds: config.workerStaleSeconds,
    retryLimit: config.trainingRetries,
    log,
  };
  let stopping = false;
  const stopSignal = new AbortController();
  let wake: () => void = () => {};
  let current: { runId: number } | undefined;

  const sleep = (seconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const work = async (job: { id: string; data: unknown }) => {
    const runId = Number((job.data as { runId?: unknown } | null)?.runId);
    if (!Number.isInteger(runId)) {
      await queue.fail(TRAIN_JOB, job.id, { message: 'job data has no runId' }, { retry: false });
      return;
    }
    current = { runId };
    try {
      const outcome = await runTrainingJob(
        { pool, prisma, config, workerId: id, log, signal: stopSignal.signal },
        runId,
      );
      if (outcome.decision === 'CANCELLED') {
        // never retried; the job's state says so
        await queue.cancel(TRAIN_JOB, job.id);
        log(`run ${runId}: cancelled (model version ${outcome.modelVersionId} FAILED)`);
      } else {
        // An INTERRUPTED run's job is done too: the next worker gives the run a new job (recovery.ts)
        // instead of spending one of its retries.
        await queue.complete(TRAIN_JOB, job.id, outcome);
        if (outcome.decision !== 'INTERRUPTED')
          log(`run ${runId}: finished (${outcome.decision}, model version ${outcome.modelVersionId})`);
      }
      options.onJob?.(outcome);
    } catch (error) {
      if (stopping || error instanceof LostRunError) return; // the run belongs to someone else now
      const message = error instanceof Error ? error.message : String(error);
      log(`run ${runId}: failed: ${message}`);
      await failRun(prisma, runId, message);
      await queue.fail(TRAIN_JOB, job.id, { message }, { retry: false });
      options.onJob?.({ runId, error: message });
    } finally {
      current = undefined;
    }
  };

  const loop = async () => {
    let nextRecovery = 0;
    let nextTrigger = 0;
    while (!stopping) {
      try {
        const now = Date.now();
        if (now >= nextRecovery) {
          await recoverStaleRuns(recovery);
          nextRecovery = now + Math.min(30, config.workerStaleSeconds / 2) * 1000;
        }
        if (now >= nextTrigger && config.retrainThreshold > 0) {
          const t = await checkRetrainThreshold(
            { pool, prisma, queue, retryLimit: config.trainingRetries },
            config.retrainThreshold,
          );
          if (t.run)
            log(`${t.newSamples} new training samples (threshold ${t.threshold}): run ${t.run.id} requested`);
          nextTrigger = now + config.retrainCheckSeconds * 1000;
        }
        const job = stopping ? null : await queue.fetch(TRAIN_JOB);
        if (job) await work(job);
        else if (!stopping) await sleep(config.workerPollSeconds);
      } catch (error) {
        if (stopping) break;
        log(`worker error: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(config.workerPollSeconds);
      }
    }
  };

  const finished = loop();
  return {
    id,
    queue,
    async stop() {
      if (stopping) return finished.then(() => queue.close());
      stopping = true;
      if (current) log(`run ${current.runId}: stopping at the next step boundary`);
      stopSignal.abort();
      wake();
      await finished; // the job in progress lets go at its next step boundary
      await queue.close();
    },
    finished,
  };
}
