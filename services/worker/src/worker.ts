// The training worker: takes retraining jobs from the queue one at a time and runs them outside the API
// process; between jobs it recovers runs whose worker died and checks the automatic retraining threshold.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '@gexbert/core/config';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { cohortIds } from '@gexbert/core/inference/cohortAnswers';
import {
  cohortsMissingMaps,
  precomputedActiveVersion,
  queueCohortMap,
} from '@gexbert/core/inference/cohortMapQueue';
import { planPrecompute, precomputeFinished, resendBatches } from '@gexbert/core/inference/precompute';
import {
  COHORT_MAP_JOB,
  COMPARE_JOB,
  GENE_IMPORTANCE_JOB,
  type JobQueue,
  openJobQueue,
  PRECOMPUTE_JOB,
  TRAIN_JOB,
} from '@gexbert/core/jobs/queue';
import { checkpointSource } from '@gexbert/core/registry/checkpointStore';
import { failTrainingRun } from '@gexbert/core/training/runs';
import type pg from 'pg';
import { type CohortMapOutcome, runCohortMapJob } from './cohortMapJob.ts';
import { runComparisonJob } from './comparisonJob.ts';
import { type GeneImportanceOutcome, runGeneImportanceJob } from './geneImportanceJob.ts';
import { type PrecomputeOutcome, runPrecomputeBatch, WorkerRuntimes } from './precomputeJob.ts';
import { recoverStaleRuns } from './recovery.ts';
import { LostRunError, type RunOutcome, runTrainingJob } from './trainingJob.ts';
import { checkRetrainThreshold } from './trigger.ts';

/** Sample attributions one gene-importance job computes (about a minute on 2 cores) before the next job. */
const GENE_IMPORTANCE_SLICE = 4;

/** The jobs a gene-importance job makes way for, between two sample attributions. */
const BEFORE_GENE_IMPORTANCE = [TRAIN_JOB, COMPARE_JOB, PRECOMPUTE_JOB, COHORT_MAP_JOB];

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
  /** Called after each precompute job (skipped ones too). */
  onPrecompute?: (outcome: PrecomputeOutcome | { batchId: number; error: string }) => void;
  /** Called after each cohort map job. */
  onCohortMap?: (outcome: CohortMapOutcome | { cohortId: number; error: string }) => void;
  /** Called after each gene-importance job. */
  onGeneImportance?: (outcome: GeneImportanceOutcome | { cohortId: number; error: string }) => void;
  /** Sample attributions one gene-importance job computes before it sends the next (default 4). */
  geneImportanceSlice?: number;
}

export interface RunningWorker {
  id: string;
  queue: JobQueue;
  /** The model runtimes precompute jobs use (loads counted). */
  runtimes: WorkerRuntimes;
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
  const runtimes = new WorkerRuntimes(checkpointSource(platform));
  const precompute = { pool, prisma, queue };
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
        if (outcome.decision === 'PROMOTED')
          // not the run's failure: the check queues what this could not
          await queuePrecompute('PROMOTION', outcome.modelVersionId).catch((error) =>
            log(`precompute: queuing failed: ${error instanceof Error ? error.message : String(error)}`),
          );
      }
      options.onJob?.(outcome);
    } catch (error) {
      if (stopping || error instanceof LostRunError) return; // the run belongs to someone else now
      const message = error instanceof Error ? error.message : String(error);
      log(`run ${runId}: failed: ${message}`);
      await failTrainingRun(prisma, runId, message);
      await queue.fail(TRAIN_JOB, job.id, { message }, { retry: false });
      options.onJob?.({ runId, error: message });
    } finally {
      current = undefined;
    }
  };

  /** Queues precompute batches for a version's samples no batch has claimed (the active version by default). */
  const queuePrecompute = async (reason: 'PROMOTION' | 'CHECK', modelVersionId?: number) => {
    const plan = await planPrecompute(precompute, {
      reason,
      modelVersionId,
      batchSize: config.precomputeBatch,
    });
    if (plan && plan.batches.length > 0)
      log(
        `precompute: ${plan.samples} samples of model version ${plan.modelVersionId} in ${plan.batches.length} batches queued (${reason.toLowerCase()})`,
      );
  };

  const precomputeWork = async (job: { id: string; data: unknown }) => {
    const batchId = Number((job.data as { batchId?: unknown } | null)?.batchId);
    if (!Number.isInteger(batchId)) {
      await queue.fail(PRECOMPUTE_JOB, job.id, { message: 'job data has no batchId' }, { retry: false });
      return;
    }
    try {
      const outcome = await runPrecomputeBatch(
        { pool, prisma, workerId: id, runtimes, signal: stopSignal.signal, log },
        batchId,
      );
      await queue.complete(PRECOMPUTE_JOB, job.id, outcome);
      if (outcome.maps) {
        log(
          `precompute: model version ${outcome.modelVersionId} done; maps of ${outcome.maps.length} cohorts stored`,
        );
        // then every cohort's gene importance rankings by the version's heads
        for (const cohortId of await cohortIds(prisma))
          await queueGeneImportance(cohortId, outcome.modelVersionId!);
      }
      options.onPrecompute?.(outcome);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`precompute batch ${batchId}: failed: ${message}`);
      await queue.fail(PRECOMPUTE_JOB, job.id, { message }, { retry: false });
      options.onPrecompute?.({ batchId, error: message });
    }
  };

  /** Queues a map job for every cohort missing its map by the active version once its precompute is done. */
  const queueMissingMaps = async () => {
    const version = await precomputedActiveVersion(pool);
    if (!version || !(await precomputeFinished(pool, version.id, version.headsId))) return;
    for (const cohortId of await cohortsMissingMaps(pool, version))
      if (await queueCohortMap(precompute, cohortId, version))
        log(`cohort map: cohort ${cohortId} has no stored map by model version ${version.id}; queued`);
  };

  const cohortMapWork = async (job: { id: string; data: unknown }) => {
    const data = job.data as { cohortId?: unknown; modelVersionId?: unknown } | null;
    const cohortId = Number(data?.cohortId);
    const modelVersionId = Number(data?.modelVersionId);
    if (!Number.isInteger(cohortId) || !Number.isInteger(modelVersionId)) {
      await queue.fail(COHORT_MAP_JOB, job.id, { message: 'job data has no cohortId and modelVersionId' });
      return;
    }
    try {
      const outcome = await runCohortMapJob(
        { pool, prisma, queue, batchSize: config.precomputeBatch, log },
        cohortId,
        modelVersionId,
      );
      await queue.complete(COHORT_MAP_JOB, job.id, outcome);
      // then the cohort's gene importance rankings, as after a precompute
      if (outcome.stored) await queueGeneImportance(cohortId, modelVersionId);
      options.onCohortMap?.(outcome);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`cohort map of cohort ${cohortId}: failed: ${message}`);
      await queue.fail(COHORT_MAP_JOB, job.id, { message });
      options.onCohortMap?.({ cohortId, error: message });
    }
  };

  /** Queues a cohort's gene importance by a version (unless one is waiting already, or it is turned off). */
  const queueGeneImportance = async (cohortId: number, modelVersionId: number) => {
    if (config.geneImportance)
      await queue.sendOnce(
        GENE_IMPORTANCE_JOB,
        { cohortId, modelVersionId },
        `${cohortId}/${modelVersionId}`,
      );
  };

  const geneImportanceWork = async (job: { id: string; data: unknown }) => {
    const data = job.data as { cohortId?: unknown; modelVersionId?: unknown } | null;
    const cohortId = Number(data?.cohortId);
    const modelVersionId = Number(data?.modelVersionId);
    if (!Number.isInteger(cohortId) || !Number.isInteger(modelVersionId)) {
      await queue.fail(GENE_IMPORTANCE_JOB, job.id, {
        message: 'job data has no cohortId and modelVersionId',
      });
      return;
    }
    try {
      const outcome = await runGeneImportanceJob(
        {
          pool,
          prisma,
          runtimes,
          bound: config.attributionSamples,
          slice: options.geneImportanceSlice ?? GENE_IMPORTANCE_SLICE,
          othersWaiting: () => queue.waiting(BEFORE_GENE_IMPORTANCE),
          log,
          signal: stopSignal.signal,
        },
        cohortId,
        modelVersionId,
      );
      await queue.complete(GENE_IMPORTANCE_JOB, job.id, outcome);
      // more to do, or stopped half-way: the next job (of any worker) continues from what is stored
      if (outcome.more || outcome.interrupted) await queueGeneImportance(cohortId, modelVersionId);
      else if (!outcome.interrupted && !outcome.skipped && outcome.stored > 0)
        log(
          `gene importance of cohort ${cohortId} by model version ${modelVersionId}: ${outcome.stored} rankings stored`,
        );
      options.onGeneImportance?.(outcome);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`gene importance of cohort ${cohortId}: failed: ${message}`);
      await queue.fail(GENE_IMPORTANCE_JOB, job.id, { message });
      options.onGeneImportance?.({ cohortId, error: message });
    }
  };

  const loop = async () => {
    let nextRecovery = 0;
    let nextTrigger = 0;
    let nextPrecompute = 0;
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
        if (now >= nextPrecompute && config.precomputeCheckSeconds > 0) {
          // every stored sample gets the active model's answers, whatever activated it or stored the sample
          await resendBatches(precompute);
          await queuePrecompute('CHECK');
          await queueMissingMaps();
          nextPrecompute = now + config.precomputeCheckSeconds * 1000;
        }
        const job = stopping ? null : await queue.fetch(TRAIN_JOB);
        if (job) {
          await work(job);
          continue;
        }
        const comparison = stopping ? null : await queue.fetch(COMPARE_JOB);
        if (comparison) {
          await runComparisonJob(pool, queue, comparison, log);
          continue;
        }
        const batch = stopping ? null : await queue.fetch(PRECOMPUTE_JOB);
        if (batch) {
          await precomputeWork(batch);
          continue;
        }
        const cohortMap = stopping ? null : await queue.fetch(COHORT_MAP_JOB);
        if (cohortMap) {
          await cohortMapWork(cohortMap);
          continue;
        }
        const importance = stopping || !config.geneImportance ? null : await queue.fetch(GENE_IMPORTANCE_JOB);
        if (importance) await geneImportanceWork(importance);
        else if (!stopping) await sleep(config.workerPollSeconds);
      } catch (error) {
        if (stopping) break;
        log(`worker error: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(config.workerPollSeconds);
      }
    }
  };

  const finished = loop().finally(() => runtimes.close());
  return {
    id,
    queue,
    runtimes,
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
