// Simulated samples in the worker, on real TCGA data plus a simulated cohort (`gexbert simulate` files with
// their SIMULATED marker) in one database: the shipped model's snapshot, a retraining's snapshot and its
// gate's validation set hold real samples only; a run that asks for includeSimulated trains and validates on
// the simulated samples too and its model version says trainedOnSimulated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSimulatedCohort } from '../../services/core/src/demo.ts';
import { ingestClinical, ingestCounts } from '../../services/core/src/ingest/index.ts';
import { ensureActiveModel } from '../../services/core/src/registry/modelVersion.ts';
import { requestRetraining } from '../../services/core/src/training/request.ts';
import { query } from '../../services/core/test-support/database.ts';
import type { GateRecord } from '../../services/worker/src/gate.ts';
import { type RunningWorker, startWorker } from '../../services/worker/src/worker.ts';
import { inValidationSet, TINY, type WorkerTestPlatform, waitFor, workerPlatform } from './support.ts';

describe('simulated samples and retraining', () => {
  let t: WorkerTestPlatform;
  let worker: RunningWorker;
  let root: string;
  let simulated: { id: number; barcode: string }[];
  let real: { id: number; barcode: string }[];

  beforeAll(async () => {
    t = await workerPlatform('simulated', ['CHOL', 'DLBC'], { clinical: true, activate: false });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-worker-sim-'));
    const written = await writeSimulatedCohort(
      { samples: 60, genes: 300, types: 3, seed: 5 },
      path.join(root, 'sim'),
    );
    await ingestCounts(t.platform.pool, written.dir, { cohort: 'sim' });
    await ingestClinical(t.platform.pool, written.clinical);
    await ensureActiveModel(t.platform);
    const rows = await query<{ id: number; barcode: string; simulated: boolean }>(
      t.url,
      `SELECT id, barcode, simulated FROM "Sample" ORDER BY id`,
    );
    simulated = rows.filter((r) => r.simulated);
    real = rows.filter((r) => !r.simulated);
    worker = await startWorker(t.platform, {});
  }, 300_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.platform.close();
    if (t) fs.rmSync(t.modelsDir, { recursive: true, force: true });
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const snapshotOf = async (versionId: number) =>
    (
      await query<{ sampleId: number }>(
        t.url,
        `SELECT "sampleId" FROM "ModelTrainingSample" WHERE "modelVersionId" = $1 ORDER BY 1`,
        [versionId],
      )
    ).map((r) => r.sampleId);

  const retrain = async (includeSimulated: boolean) => {
    const requested = await requestRetraining(
      { prisma: t.platform.prisma, queue: worker.queue },
      {
        reason: 'MANUAL',
        config: { ...TINY, maxSteps: 10 },
        ...(includeSimulated ? { includeSimulated } : {}),
      },
    );
    const run = await waitFor(
      `run ${requested.id}`,
      async () => {
        const r = await t.platform.prisma.trainingRun.findUnique({ where: { id: requested.id } });
        return r && (r.status === 'SUCCEEDED' || r.status === 'FAILED') ? r : undefined;
      },
      300,
    );
    expect(run.status, run.error ?? '').toBe('SUCCEEDED');
    return (await t.platform.prisma.modelVersion.findUnique({ where: { id: run.modelVersionId! } }))!;
  };

  it('snapshots the shipped model on real samples only', async () => {
    expect(simulated).toHaveLength(60);
    const active = (await t.platform.prisma.modelVersion.findFirst({ where: { active: true } }))!;
    expect(active.trainedOnSimulated).toBe(false);
    expect(await snapshotOf(active.id)).toEqual(real.map((r) => r.id));
  });

  it('retrains and gates on real samples only by default', async () => {
    const version = await retrain(false);
    expect(version.trainedOnSimulated).toBe(false);
    expect(await snapshotOf(version.id)).toEqual(
      real.filter((r) => !inValidationSet(r.barcode)).map((r) => r.id),
    );
    const gate = version.gate as unknown as GateRecord;
    expect(gate.validationSamples).toBe(real.filter((r) => inValidationSet(r.barcode)).length);
  }, 400_000);

  it('trains and validates on simulated samples too when the run asks, and says so', async () => {
    const version = await retrain(true);
    expect(version.trainedOnSimulated).toBe(true);
    const all = [...real, ...simulated].sort((a, b) => a.id - b.id);
    expect(await snapshotOf(version.id)).toEqual(
      all.filter((r) => !inValidationSet(r.barcode)).map((r) => r.id),
    );
    const gate = version.gate as unknown as GateRecord;
    expect(gate.validationSamples).toBe(all.filter((r) => inValidationSet(r.barcode)).length);
  }, 400_000);
});
