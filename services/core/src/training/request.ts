// Asking for a retraining: a QUEUED TrainingRun and its job on the queue (a worker trains it).
import { ConfigError, type GexbertConfig, makeConfig, RECIPE_DEFAULTS } from '@gexbert/model/training';
import type { Db, PrismaClient } from '../db/prisma.ts';
import { type JobQueue, TRAIN_JOB } from '../jobs/queue.ts';

export type TrainingRun = Db.TrainingRun;

export interface RetrainingRequest {
  reason: 'MANUAL' | 'THRESHOLD';
  requestedBy?: string;
  /** Overrides of the training recipe (model settings such as width, and maxSteps, vocabularySize, seed). */
  config?: object;
  /**
   * Train (and validate) on simulated samples too. Off by default: simulated samples are used only when a
   * request asks for them; carried to the worker as the run config's `includeSimulated`.
   */
  includeSimulated?: boolean;
}

/** A run's `config` JSON, parsed: run settings, and overrides of the recipe's model settings. */
export interface RetrainingSettings {
  maxSteps?: number;
  vocabularySize?: number;
  seed?: number;
  timeLimitSeconds?: number;
  /** Simulated samples join the training and validation sets (only on an explicit request). */
  includeSimulated?: boolean;
  model: Partial<GexbertConfig>;
}

const RUN_SETTINGS = ['maxSteps', 'vocabularySize', 'seed', 'timeLimitSeconds'] as const;

/**
 * Parses and checks a retraining config: `maxSteps`, `vocabularySize`, `seed`, `timeLimitSeconds`, and any
 * GexBERT model setting (width, heads, encoderLayers, epochs, lr, ...), checked as the recipe will use them.
 */
export function parseRetrainingConfig(json: unknown): RetrainingSettings {
  if (json === undefined || json === null) return { model: {} };
  if (typeof json !== 'object' || Array.isArray(json))
    throw new Error(
      'retraining config must be a JSON object of recipe overrides, e.g. {"width": 32, "maxSteps": 200}',
    );
  const { maxSteps, vocabularySize, seed, timeLimitSeconds, includeSimulated, ...model } = json as Record<
    string,
    unknown
  >;
  if ('vocabSize' in model)
    throw new Error(
      'retraining config: vocabSize follows from the vocabulary; set vocabularySize (genes) instead',
    );
  const out: RetrainingSettings = { model: model as Partial<GexbertConfig> };
  if (includeSimulated !== undefined && includeSimulated !== null) {
    if (typeof includeSimulated !== 'boolean')
      throw new Error(
        `retraining config: includeSimulated must be true or false (got ${JSON.stringify(includeSimulated)})`,
      );
    if (includeSimulated) out.includeSimulated = true;
  }
  const given = { maxSteps, vocabularySize, seed, timeLimitSeconds };
  for (const key of RUN_SETTINGS) {
    const v = given[key];
    if (v === undefined || v === null) continue;
    const ok = typeof v === 'number' && Number.isFinite(v) && (key === 'seed' ? v >= 0 : v > 0);
    if (!ok || (key !== 'timeLimitSeconds' && !Number.isInteger(v)))
      throw new Error(`retraining config: ${key} must be a positive whole number (got ${JSON.stringify(v)})`);
    out[key] = v as number;
  }
  try {
    makeConfig({ ...RECIPE_DEFAULTS, ...out.model, vocabSize: out.vocabularySize ?? 1000 });
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`retraining config: ${error.problems.join('; ')}`);
    throw error;
  }
  return out;
}

/** Serialises requests so two callers cannot both create a run. */
const REQUEST_LOCK = 7402103;

/**
 * Creates a QUEUED TrainingRun and its job. If a run is already QUEUED, RUNNING or INTERRUPTED (to be
 * resumed by the next worker), that run is returned instead (no duplicates).
 */
export async function requestRetraining(
  deps: { prisma: PrismaClient; queue: JobQueue; retryLimit?: number },
  input: RetrainingRequest,
): Promise<TrainingRun> {
  const config = input.includeSimulated
    ? { ...((input.config ?? {}) as object), includeSimulated: true }
    : (input.config ?? {});
  parseRetrainingConfig(config);
  const { run, created } = await deps.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${REQUEST_LOCK})`); // raw SQL: Prisma has no advisory locks
    const pending = await tx.trainingRun.findFirst({
      where: { status: { in: ['QUEUED', 'RUNNING', 'INTERRUPTED'] } },
      orderBy: { id: 'asc' },
    });
    if (pending) return { run: pending, created: false };
    const fresh = await tx.trainingRun.create({
      data: {
        reason: input.reason,
        requestedBy: input.requestedBy ?? null,
        config: config as object,
      },
    });
    return { run: fresh, created: true };
  });
  if (!created) return run;
  return enqueueRun(deps, run.id);
}

/** Sends the job of a QUEUED run that has none yet, and records its id on the run. */
export async function enqueueRun(
  deps: { prisma: PrismaClient; queue: JobQueue; retryLimit?: number },
  runId: number,
): Promise<TrainingRun> {
  try {
    const jobId = await deps.queue.send(
      TRAIN_JOB,
      { runId },
      deps.retryLimit === undefined ? {} : { retryLimit: deps.retryLimit },
    );
    return await deps.prisma.trainingRun.update({ where: { id: runId }, data: { jobId } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deps.prisma.trainingRun.update({
      where: { id: runId },
      data: {
        status: 'FAILED',
        error: `could not queue the training job: ${message}`,
        finishedAt: new Date(),
      },
    });
    throw error;
  }
}
