// Retraining through the queue and the worker, on real TCGA data: a tiny run trains to completion and is
// promoted or held by the gate (its record complete and consistent), a 1-step model is held, a bad config
// fails the run without activating anything.
import fs from 'node:fs';
import path from 'node:path';
import { parseModelHeads } from '@gexbert/model/heads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRuntime, restoreSamples } from '../../services/core/src/inference/modelRuntime.ts';
import { checkpointSource } from '../../services/core/src/registry/checkpointStore.ts';
import { requestRetraining } from '../../services/core/src/training/request.ts';
import { query } from '../../services/core/test-support/database.ts';
import type { GateRecord } from '../../services/worker/src/gate.ts';
import { type RunningWorker, startWorker } from '../../services/worker/src/worker.ts';
import {
  activeModels,
  splitSamples,
  TINY,
  type WorkerTestPlatform,
  waitFor,
  workerPlatform,
} from './support.ts';

describe('retraining through the queue and the worker', () => {
  let t: WorkerTestPlatform;
  let worker: RunningWorker;

  beforeAll(async () => {
    t = await workerPlatform('retrain', ['CHOL', 'DLBC', 'UVM'], { clinical: true });
    // GEXBERT_DEBUG=1 shows the worker's log (with the time each phase takes).
    const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
    worker = await startWorker(t.platform, process.env.GEXBERT_DEBUG ? { log } : {});
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.platform.close();
    if (t) fs.rmSync(t.modelsDir, { recursive: true, force: true });
  });

  const finished = (runId: number) =>
    waitFor(`run ${runId}`, async () => {
      const run = await t.platform.prisma.trainingRun.findUnique({ where: { id: runId } });
      return run && (run.status === 'SUCCEEDED' || run.status === 'FAILED') ? run : undefined;
    });

  it('trains a tiny model to completion and gates it against the active model', async () => {
    const [before] = await activeModels(t.url);
    const requested = await requestRetraining(
      { prisma: t.platform.prisma, queue: worker.queue },
      { reason: 'MANUAL', requestedBy: 'test', config: { ...TINY, maxSteps: 40 } },
    );
    expect(requested.status).toBe('QUEUED');
    expect(requested.jobId).toBeTruthy();
    // A second request while the first is pending returns the same run.
    const again = await requestRetraining(
      { prisma: t.platform.prisma, queue: worker.queue },
      { reason: 'MANUAL' },
    );
    expect(again.id).toBe(requested.id);

    const run = await finished(requested.id);
    expect(run.status, run.error ?? '').toBe('SUCCEEDED');
    expect(run.step).toBe(40);
    expect(run.totalSteps).toBe(40);
    expect(Number.isFinite(run.loss)).toBe(true);
    expect(run.attempts).toBe(1);
    expect(run.workerId).toBe(worker.id);
    // the queue records the job completed just after the run is recorded SUCCEEDED
    await waitFor('the queue job completed', async () =>
      (await worker.queue.job(run.jobId!))?.state === 'completed' ? true : undefined,
    );

    const version = (await t.platform.prisma.modelVersion.findUnique({
      where: { id: run.modelVersionId! },
    }))!;
    expect(version.parentId).toBe(before!.id);
    expect(version.checkpointPath).toBe(path.join(t.modelsDir, version.name));
    expect(fs.existsSync(path.join(version.checkpointPath, 'model.onnx'))).toBe(true);
    expect(fs.existsSync(`${version.checkpointPath}.partial`)).toBe(false);

    // The snapshot: every training sample with raw counts, no validation sample.
    const split = await splitSamples(t.url);
    const snapshot = await query<{ sampleId: number }>(
      t.url,
      `SELECT "sampleId" FROM "ModelTrainingSample" WHERE "modelVersionId" = $1 ORDER BY 1`,
      [version.id],
    );
    expect(snapshot.map((r) => r.sampleId)).toEqual(split.training);
    expect(version.trainingSampleCount).toBe(split.training.length);

    // The gate record is complete and its decision follows from its numbers.
    const gate = version.gate as unknown as GateRecord;
    expect(gate.comparedWith).toEqual({ id: before!.id, name: before!.name });
    expect(gate.validationSamples).toBe(split.validation.length);
    expect(gate.maskedValues).toBeGreaterThan(split.validation.length);
    for (const side of [gate.candidate, gate.active!]) {
      expect(side.restorationLoss).toBeGreaterThan(0);
      expect(side.cancerTypeAccuracy).toBeGreaterThanOrEqual(0);
      expect(side.cancerTypeAccuracy).toBeLessThanOrEqual(1);
    }
    const metrics = gate.checks.map((c) => c.metric);
    expect(metrics).toContain('restorationLoss');
    expect(metrics).toContain('cancerTypeAccuracy');
    const worse =
      gate.candidate.restorationLoss! > gate.active!.restorationLoss! ||
      gate.candidate.cancerTypeAccuracy! < gate.active!.cancerTypeAccuracy! ||
      (gate.active!.riskConcordance !== null &&
        (gate.candidate.riskConcordance ?? -1) < gate.active!.riskConcordance!);
    expect(gate.decision).toBe(worse ? 'HELD' : 'PROMOTED');
    expect(version.status).toBe(worse ? 'CANDIDATE' : 'ACTIVE');
    // the candidate's heads: versioned, fitted on its real training samples, with their reference recorded
    const heads = parseModelHeads(version.heads);
    expect(heads.full.cancerType).toBeDefined();
    expect(heads.simulated).toBe(false);
    expect(heads.source).toMatch(/^database: \d+ stored samples$/);

    const active = await activeModels(t.url);
    expect(active).toHaveLength(1);
    expect(active[0]!.id).toBe(worse ? before!.id : version.id);
  });

  it('holds a clearly worse model (1 step) as a CANDIDATE; the active model keeps serving', async () => {
    const [before] = await activeModels(t.url);
    const requested = await requestRetraining(
      { prisma: t.platform.prisma, queue: worker.queue },
      { reason: 'MANUAL', config: { ...TINY, maxSteps: 1 } },
    );
    const run = await finished(requested.id);
    expect(run.status, run.error ?? '').toBe('SUCCEEDED');
    const version = (await t.platform.prisma.modelVersion.findUnique({
      where: { id: run.modelVersionId! },
    }))!;
    const gate = version.gate as unknown as GateRecord;
    expect(gate.decision).toBe('HELD');
    expect(gate.reason).toMatch(/restorationLoss/);
    expect(gate.candidate.restorationLoss!).toBeGreaterThan(gate.active!.restorationLoss!);
    expect(version.status).toBe('CANDIDATE');
    expect(version.active).toBeNull();
    expect(await activeModels(t.url)).toEqual([before]);

    // The active model still restores genes.
    const activeVersion = (await t.platform.prisma.modelVersion.findUnique({ where: { id: before!.id } }))!;
    const runtime = await loadModelRuntime(checkpointSource(t.platform), activeVersion);
    try {
      const [sample] = (await splitSamples(t.url)).validation;
      const restored = await restoreSamples(
        runtime,
        t.platform.pool,
        [sample!],
        runtime.stats.genes.slice(0, 3),
      );
      expect(restored.values[0]!.every(Number.isFinite)).toBe(true);
    } finally {
      await runtime.close();
    }
  });

  it('refuses an invalid config up front, and fails a run that breaks while training', async () => {
    const deps = { prisma: t.platform.prisma, queue: worker.queue };
    const runs = await t.platform.prisma.trainingRun.count();
    await expect(
      requestRetraining(deps, { reason: 'MANUAL', config: { ...TINY, width: -4 } }),
    ).rejects.toThrow(/retraining config: width must be >= 1/);
    await expect(requestRetraining(deps, { reason: 'MANUAL', config: { widht: 8 } })).rejects.toThrow(
      /unknown key "widht"/,
    );
    await expect(requestRetraining(deps, { reason: 'MANUAL', config: { vocabSize: 50 } })).rejects.toThrow(
      /set vocabularySize/,
    );
    await expect(requestRetraining(deps, { reason: 'MANUAL', config: { maxSteps: 2.5 } })).rejects.toThrow(
      /maxSteps must be a positive whole number/,
    );
    expect(await t.platform.prisma.trainingRun.count()).toBe(runs);

    // The models folder cannot be written (a file stands in its place): the run fails with the reason.
    const [before] = await activeModels(t.url);
    fs.rmSync(t.modelsDir, { recursive: true, force: true });
    fs.writeFileSync(t.modelsDir, 'not a folder');
    const requested = await requestRetraining(deps, { reason: 'MANUAL', config: { ...TINY, maxSteps: 5 } });
    const run = await finished(requested.id);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/ENOTDIR|EEXIST/);
    expect(run.error).toContain(t.modelsDir);
    const version = await t.platform.prisma.modelVersion.findUnique({ where: { id: run.modelVersionId! } });
    expect(version?.status).toBe('FAILED');
    expect(version?.active).toBeNull();
    expect(await activeModels(t.url)).toEqual([before]);
    await waitFor('the queue job failed', async () =>
      (await worker.queue.job(run.jobId!))?.state === 'failed' ? true : undefined,
    );
  });
});
