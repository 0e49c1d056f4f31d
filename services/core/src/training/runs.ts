// Training runs: as the services read them, and the state the worker writes into them while it holds one
// (services/worker/src/trainingJob.ts runs it, runReporter.ts reports its progress, recovery.ts takes back
// those of dead workers; request.ts queues one, cancel.ts cancels one). Every write by a worker is
// conditional on the run still being its own, so a worker declared dead cannot overwrite its successor.
import { idPage } from '../db/page.ts';
import type { Db, PrismaClient } from '../db/prisma.ts';
import { endRunDiscardingVersion } from './cancel.ts';

export type TrainingRunRecord = Db.TrainingRun;

/** The training runs with these IDs (any order; unknown IDs are absent). */
export function trainingRunsById(prisma: PrismaClient, ids: readonly number[]): Promise<TrainingRunRecord[]> {
  return prisma.trainingRun.findMany({ where: { id: { in: [...ids] } } });
}

/** The training runs of these queue job IDs (any order; jobs that are not training runs are absent). */
export function trainingRunsOfJobs(
  prisma: PrismaClient,
  jobIds: readonly string[],
): Promise<TrainingRunRecord[]> {
  return prisma.trainingRun.findMany({ where: { jobId: { in: [...jobIds] } } });
}

/** Each model version's training runs, oldest first, in the order of `versionIds`. */
export async function trainingRunsOfVersions(
  prisma: PrismaClient,
  versionIds: readonly number[],
): Promise<TrainingRunRecord[][]> {
  const runs = await prisma.trainingRun.findMany({
    where: { modelVersionId: { in: [...versionIds] } },
    orderBy: { id: 'asc' },
  });
  return versionIds.map((id) => runs.filter((r) => r.modelVersionId === id));
}

/**
 * Up to `limit` runs (of `status`, or any) with IDs below `beforeId`, newest first, and how many such runs
 * there are in all.
 */
export function trainingRunPage(
  prisma: PrismaClient,
  status: Db.TrainingRunStatus | null | undefined,
  beforeId: number,
  limit: number,
): Promise<{ rows: TrainingRunRecord[]; total: number }> {
  return idPage(prisma.trainingRun, status ? { status } : {}, { before: beforeId }, limit);
}

/** The newest `limit` runs, newest first (`gexbert runs list`). */
export function newestTrainingRuns(prisma: PrismaClient, limit: number): Promise<TrainingRunRecord[]> {
  return prisma.trainingRun.findMany({ orderBy: { id: 'desc' }, take: limit });
}

export async function trainingRunExists(prisma: PrismaClient, id: number): Promise<boolean> {
  return (await prisma.trainingRun.findUnique({ where: { id }, select: { id: true } })) !== null;
}

export function trainingRunById(prisma: PrismaClient, id: number): Promise<TrainingRunRecord | null> {
  return prisma.trainingRun.findUnique({ where: { id } });
}

/** A run that is QUEUED, RUNNING or INTERRUPTED (one that a new request would join), if any. */
export function pendingTrainingRun(prisma: PrismaClient): Promise<TrainingRunRecord | null> {
  return prisma.trainingRun.findFirst({ where: { status: { in: ['QUEUED', 'RUNNING', 'INTERRUPTED'] } } });
}

/** Marks an unfinished, uncancelled run RUNNING for `workerId` (one attempt more); false when it is not. */
export async function takeTrainingRun(prisma: PrismaClient, id: number, workerId: string): Promise<boolean> {
  const { count } = await prisma.trainingRun.updateMany({
    where: { id, status: { in: ['QUEUED', 'RUNNING', 'INTERRUPTED'] }, cancelRequestedAt: null },
    data: { status: 'RUNNING', workerId, attempts: { increment: 1 }, heartbeatAt: new Date() },
  });
  return count === 1;
}

/** What is decided once, when a run first starts. */
export interface RunStart {
  startedAt?: Date;
  autoPromote?: boolean;
}

export function recordRunStart(
  prisma: PrismaClient,
  id: number,
  start: RunStart,
): Promise<TrainingRunRecord> {
  return prisma.trainingRun.update({ where: { id }, data: start });
}

/** The model version run `id` produces. */
export async function recordRunVersion(
  prisma: PrismaClient,
  id: number,
  modelVersionId: number,
): Promise<void> {
  await prisma.trainingRun.update({ where: { id }, data: { modelVersionId } });
}

/** Progress of a training run as its worker reports it (null: not a finite number). */
export interface RunProgress {
  epoch?: number;
  totalEpochs?: number;
  step?: number;
  totalSteps?: number;
  loss?: number | null;
  valLoss?: number | null;
  samplesPerSec?: number | null;
  etaSeconds?: number | null;
}

/**
 * Writes the progress and the heartbeat of a run `workerId` holds; false (nothing written) when the run is
 * no longer RUNNING for it or a cancel was requested.
 */
export async function reportRunProgress(
  prisma: PrismaClient,
  id: number,
  workerId: string,
  progress: RunProgress,
): Promise<boolean> {
  const { count } = await prisma.trainingRun.updateMany({
    where: { id, workerId, status: 'RUNNING', cancelRequestedAt: null },
    data: { ...progress, heartbeatAt: new Date() },
  });
  return count === 1;
}

/** Records the end of a run `workerId` holds; false when it no longer holds it. */
async function endOwnedRun(
  prisma: PrismaClient,
  id: number,
  workerId: string,
  data: Db.Prisma.TrainingRunUpdateManyMutationInput,
): Promise<boolean> {
  const { count } = await prisma.trainingRun.updateMany({ where: { id, workerId, status: 'RUNNING' }, data });
  return count === 1;
}

export function succeedTrainingRun(prisma: PrismaClient, id: number, workerId: string): Promise<boolean> {
  return endOwnedRun(prisma, id, workerId, {
    status: 'SUCCEEDED',
    finishedAt: new Date(),
    heartbeatAt: new Date(),
    error: null,
  });
}

/** The worker stopped at a step boundary with the resume state saved: INTERRUPTED, for the next worker. */
export function interruptTrainingRun(
  prisma: PrismaClient,
  id: number,
  workerId: string,
  error: string,
): Promise<boolean> {
  return endOwnedRun(prisma, id, workerId, { status: 'INTERRUPTED', workerId: null, error });
}

/** Records a failed run: the run FAILED with the message, its model version FAILED if still TRAINING. */
export async function failTrainingRun(prisma: PrismaClient, id: number, message: string): Promise<void> {
  // (a finished version is kept for inspection; a half-written folder is of no use)
  await endRunDiscardingVersion(
    prisma,
    id,
    () => ({ status: 'FAILED', error: message, finishedAt: new Date() }),
    { unfinished: ['TRAINING'] },
  );
}

/** Records why an attempt of a run that goes back to the queue ended. */
export async function recordAttemptError(prisma: PrismaClient, id: number, error: string): Promise<void> {
  await prisma.trainingRun.update({ where: { id }, data: { error } });
}

/** RUNNING runs whose heartbeat is older than `before` (or missing): their worker is taken for dead. */
export function staleTrainingRuns(prisma: PrismaClient, before: Date): Promise<TrainingRunRecord[]> {
  return prisma.trainingRun.findMany({
    where: { status: 'RUNNING', OR: [{ heartbeatAt: { lt: before } }, { heartbeatAt: null }] },
  });
}

/**
 * Moves a stale run back to QUEUED, only if its heartbeat and worker are still those `run` saw (so one
 * worker recovers it); false when another did, or its worker reported meanwhile.
 */
export async function requeueStaleRun(prisma: PrismaClient, run: TrainingRunRecord): Promise<boolean> {
  const { count } = await prisma.trainingRun.updateMany({
    where: { id: run.id, status: 'RUNNING', heartbeatAt: run.heartbeatAt, workerId: run.workerId },
    data: { status: 'QUEUED', workerId: null },
  });
  return count === 1;
}

export function interruptedTrainingRuns(prisma: PrismaClient): Promise<TrainingRunRecord[]> {
  return prisma.trainingRun.findMany({ where: { status: 'INTERRUPTED' } });
}

/** Moves an INTERRUPTED run back to QUEUED (keeping its old jobId); false when it is no longer INTERRUPTED. */
export async function requeueInterruptedRun(prisma: PrismaClient, id: number): Promise<boolean> {
  const { count } = await prisma.trainingRun.updateMany({
    where: { id, status: 'INTERRUPTED' },
    data: { status: 'QUEUED' },
  });
  return count === 1;
}

/** QUEUED runs created before `before` that never got a queue job. */
export function orphanedTrainingRuns(prisma: PrismaClient, before: Date): Promise<TrainingRunRecord[]> {
  return prisma.trainingRun.findMany({ where: { status: 'QUEUED', jobId: null, createdAt: { lt: before } } });
}
