// Training runs as the services read them (the worker writes them: services/worker/src/trainingJob.ts;
// request.ts queues one, cancel.ts cancels one).
import { idPage } from '../db/page.ts';
import type { Db, PrismaClient } from '../db/prisma.ts';

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

export async function trainingRunExists(prisma: PrismaClient, id: number): Promise<boolean> {
  return (await prisma.trainingRun.findUnique({ where: { id }, select: { id: true } })) !== null;
}
