// The automatic retraining trigger: it requests a THRESHOLD run once the training samples ingested since the
// active model reach the threshold, not before, and never a second run while one is pending.
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type JobQueue, openJobQueue } from '../../services/core/src/jobs/queue.ts';
import { query } from '../../services/core/test-support/database.ts';
import { checkRetrainThreshold } from '../../services/worker/src/trigger.ts';
import { ingestCohort, inValidationSet, type WorkerTestPlatform, workerPlatform } from './support.ts';

let t: WorkerTestPlatform;
let queue: JobQueue;

beforeAll(async () => {
  // CHOL is in the database when the shipped model is activated: its samples are the model's snapshot.
  t = await workerPlatform('threshold', ['CHOL']);
  queue = await openJobQueue(t.url);
});
afterAll(async () => {
  await queue?.close();
  await t?.platform.close();
  if (t) fs.rmSync(t.modelsDir, { recursive: true, force: true });
});

/** Training samples (outside the validation set) of a cancer type, counted here from the barcodes. */
async function trainingSamplesOf(type: string): Promise<number> {
  const rows = await query<{ barcode: string }>(
    t.url,
    `SELECT s.barcode FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE p."cancerType" = $1`,
    [type],
  );
  expect(rows.length).toBeGreaterThan(0);
  return rows.filter((r) => !inValidationSet(r.barcode)).length;
}

it('requests a retraining when enough new samples arrived, and not before', async () => {
  const deps = { pool: t.platform.pool, prisma: t.platform.prisma, queue };
  expect((await checkRetrainThreshold(deps, 1)).newSamples).toBe(0);

  await ingestCohort(t.platform, 'DLBC');
  const dlbc = await trainingSamplesOf('DLBC');
  const threshold = dlbc + 1;
  const below = await checkRetrainThreshold(deps, threshold);
  expect(below).toEqual({ newSamples: dlbc, threshold, run: null });
  expect(await t.platform.prisma.trainingRun.count()).toBe(0);

  await ingestCohort(t.platform, 'KICH');
  const kich = await trainingSamplesOf('KICH');
  const reached = await checkRetrainThreshold(deps, threshold);
  expect(reached.newSamples).toBe(dlbc + kich);
  expect(reached.run?.reason).toBe('THRESHOLD');
  expect(reached.run?.status).toBe('QUEUED');
  const job = await queue.job(reached.run!.jobId!);
  expect(job?.state).toBe('created');
  expect(job?.data).toEqual({ runId: reached.run!.id });

  // While that run is pending, no second one.
  expect((await checkRetrainThreshold(deps, threshold)).run).toBeNull();
  expect(await t.platform.prisma.trainingRun.count()).toBe(1);
  // A threshold of 0 turns the trigger off.
  expect((await checkRetrainThreshold(deps, 0)).run).toBeNull();
});
