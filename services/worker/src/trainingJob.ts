// One retraining run, start to finish: claim the run, snapshot the training samples, train into
// <models>/<name>.partial (resumable from its .resume state), rename it to <models>/<name> (atomic), fit
// the heads, evaluate the promotion gate, promote or keep the CANDIDATE. Every step is safe to repeat after
// a crash: a retry continues from the furthest durable point (state saved, folder renamed, gate recorded).
// A cancel request (seen by the heartbeat) stops training at the next step boundary and records the run
// CANCELLED with its version FAILED; the worker's stop signal (Ctrl-C) stops it there too, with its resume
// state saved, and records it INTERRUPTED for the next worker to resume.
import fs from 'node:fs';
import path from 'node:path';
import { type Config, modelsDirectory } from '@gexbert/core/config';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import {
  loadModelRuntime,
  type ModelRuntime,
  RuntimeStopped,
  stoppable,
} from '@gexbert/core/inference/modelRuntime';
import { checkpointSource, storeCheckpoint } from '@gexbert/core/registry/checkpointStore';
import {
  activeModelVersion,
  type ModelVersion,
  modelVersionById,
  promoteModelVersion,
  recordCandidate,
  recordGate,
  recordTrainedCheckpoint,
  recordTrainedOnSimulated,
  registerModelVersion,
  trainingSnapshot,
} from '@gexbert/core/registry/modelVersion';
import { finishCancelledRun } from '@gexbert/core/training/cancel';
import { countsOfSamples, proteinCodingGenes } from '@gexbert/core/training/corpus';
import { parseRetrainingConfig } from '@gexbert/core/training/request';
import {
  interruptTrainingRun,
  type RunStart,
  recordRunStart,
  recordRunVersion,
  succeedTrainingRun,
  type TrainingRunRecord,
  takeTrainingRun,
  trainingRunById,
  trainingRunsOfVersions,
} from '@gexbert/core/training/runs';
import { trainingSampleIds, validationSampleIds } from '@gexbert/core/training/validationSet';
import { toStored } from '@gexbert/model/heads';
import {
  RECIPE_DEFAULTS,
  type RecipeOptions,
  TrainingStopped,
  trainCheckpoint,
} from '@gexbert/model/training';
import type pg from 'pg';
import { evaluateGate, type GateRecord } from './gate.ts';
import { CancelledRunError, LostRunError, RunReporter } from './runReporter.ts';

export { CancelledRunError, LostRunError };

/** Fewer training samples than this is refused (the recipe needs a validation split and batches). */
export const MIN_TRAINING_SAMPLES = 10;

export interface TrainingContext {
  pool: pg.Pool;
  prisma: PrismaClient;
  config: Config;
  workerId: string;
  log(line: string): void;
  /** The worker is stopping: training stops at the next step boundary and the run is INTERRUPTED. */
  signal?: AbortSignal;
}

export interface RunOutcome {
  runId: number;
  modelVersionId: number;
  decision: GateRecord['decision'] | 'ALREADY_FINISHED' | 'CANCELLED' | 'INTERRUPTED';
}

function stamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

/** Marks the run RUNNING for this worker; null when it is already finished (or was cancelled). */
async function claim(ctx: TrainingContext, runId: number): Promise<TrainingRunRecord | null> {
  const taken = await takeTrainingRun(ctx.prisma, runId, ctx.workerId);
  const run = await trainingRunById(ctx.prisma, runId);
  if (!run) throw new Error(`training run ${runId} does not exist`);
  if (!taken) {
    // Cancelled while its worker was gone: record it now.
    if (run.cancelRequestedAt && ['QUEUED', 'RUNNING', 'INTERRUPTED'].includes(run.status))
      await finishCancelledRun({ prisma: ctx.prisma }, runId);
    return null;
  }
  const first: RunStart = {};
  if (!run.startedAt) first.startedAt = new Date();
  // Decided once per run: a THRESHOLD run promotes a passing candidate only with GEXBERT_AUTO_PROMOTE.
  if (run.autoPromote === null) first.autoPromote = run.reason !== 'THRESHOLD' || ctx.config.autoPromote;
  if (Object.keys(first).length) return recordRunStart(ctx.prisma, runId, first);
  return run;
}

/** The run's model version: the one a previous attempt created, or a new TRAINING version. */
async function versionFor(ctx: TrainingContext, run: TrainingRunRecord): Promise<ModelVersion> {
  if (run.modelVersionId !== null) {
    const existing = await modelVersionById(ctx.prisma, run.modelVersionId);
    if (existing && existing.status !== 'FAILED') return existing;
  }
  const active = await activeModelVersion(ctx.prisma);
  // Simulated samples only when the run asked for them (retrain --include-simulated / includeSimulated).
  const { includeSimulated } = parseRetrainingConfig(run.config);
  const sampleIds = await trainingSampleIds(ctx.pool, { includeSimulated });
  if (sampleIds.length < MIN_TRAINING_SAMPLES)
    throw new Error(
      `only ${sampleIds.length} training samples with raw counts (at least ${MIN_TRAINING_SAMPLES} needed); ingest more count matrices`,
    );
  const name = `gexbert-run${run.id}-${stamp()}`;
  const version = await registerModelVersion(ctx.prisma, {
    name,
    checkpointPath: path.join(modelsDirectory(ctx.config), `${name}.partial`),
    status: 'TRAINING',
    parentId: active?.id ?? null,
    config: (run.config ?? {}) as object,
    sampleIds,
  });
  const recorded = await recordTrainedOnSimulated(ctx.prisma, version.id);
  await recordRunVersion(ctx.prisma, run.id, version.id);
  return recorded;
}

/** Trains the version into its .partial folder and renames it into place; returns the final folder. */
async function train(
  ctx: TrainingContext,
  run: TrainingRunRecord,
  version: ModelVersion,
  reporter: RunReporter,
  signal: AbortSignal,
): Promise<string> {
  const dir = modelsDirectory(ctx.config);
  const final = path.join(dir, version.name);
  // Trained and stored by a worker that was stopped in the gate (here or on another machine).
  if (version.checkpointPath === final && version.checkpointDigest !== null) return final;
  if (fs.existsSync(path.join(final, 'model.onnx'))) {
    // Trained and renamed before a crash: record the folder if that did not happen yet.
    if (version.checkpointPath !== final || version.checkpointDigest === null) {
      await storeCheckpoint(ctx.pool, version.id, final);
      const read = (file: string) => JSON.parse(fs.readFileSync(path.join(final, file), 'utf8')) as object;
      await recordTrainedCheckpoint(ctx.prisma, version.id, {
        checkpointPath: final,
        config: read('config.json'),
        metrics: { training: read('metrics.json') },
      });
    }
    return final;
  }
  const partial = `${final}.partial`;
  const resumeDir = path.join(partial, '.resume');
  if (fs.existsSync(partial) && !fs.existsSync(resumeDir))
    fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const settings = parseRetrainingConfig(run.config);
  const readStart = Date.now();
  const corpus = await countsOfSamples(ctx.pool, await trainingSnapshot(ctx.prisma, version.id));
  ctx.log(`run ${run.id}: read ${corpus.nSamples} training profiles in ${(Date.now() - readStart) / 1000} s`);
  const resuming = fs.existsSync(resumeDir);
  ctx.log(
    `run ${run.id}: training ${version.name} on ${corpus.nSamples} samples${resuming ? ` (resuming from ${resumeDir})` : ''}`,
  );
  let phaseStart = Date.now();
  const options: RecipeOptions = {
    out: partial,
    resumeDir,
    vocabularySize: settings.vocabularySize ?? 1000,
    allowedGenes: proteinCodingGenes(),
    config: settings.model,
    dataDescription: `Retrained by training run ${run.id} on ${corpus.nSamples} database samples (raw counts, fixed validation set excluded${settings.includeSimulated ? ', simulated samples included' : ', simulated samples excluded'}).`,
    onProgress: (p) => reporter.progress(p),
    onEval: (e) => reporter.evaluated(e),
    onResume: (from) => ctx.log(`run ${run.id}: resumed at step ${from.step} of ${from.totalSteps}`),
    // Each preparation step holds the event loop (no timer heartbeat meanwhile): report one after each, so
    // a run at TCGA size is not taken for dead (GEXBERT_WORKER_STALE_SECONDS) by another worker, and a
    // cancel during the preparation stops it.
    onPhase: async (phase) => {
      ctx.log(`run ${run.id}: ${phase} ready in ${(Date.now() - phaseStart) / 1000} s`);
      phaseStart = Date.now();
      await reporter.assertOwned();
    },
    signal,
    engine: ctx.config.trainEngine,
    ...(settings.seed === undefined ? {} : { seed: settings.seed }),
    ...(settings.maxSteps === undefined ? {} : { maxSteps: settings.maxSteps }),
    ...(settings.timeLimitSeconds === undefined ? {} : { timeLimitSeconds: settings.timeLimitSeconds }),
  };
  const trainStart = Date.now();
  const result = await trainCheckpoint(corpus, options);
  ctx.log(`run ${run.id}: trained ${result.metrics.steps} steps in ${(Date.now() - trainStart) / 1000} s`);
  await reporter.assertOwned();
  fs.rmSync(resumeDir, { recursive: true, force: true }); // (the recipe removes its state; the folder too)
  fs.renameSync(partial, final); // atomic: the checkpoint folder appears complete or not at all
  await storeCheckpoint(ctx.pool, version.id, final); // the database holds it for every other machine
  await recordTrainedCheckpoint(ctx.prisma, version.id, {
    checkpointPath: final,
    config: result.config as object,
    metrics: { training: result.metrics } as object,
  });
  return final;
}

async function withRuntime<T>(
  ctx: TrainingContext,
  version: ModelVersion | null,
  use: (r: ModelRuntime | null) => Promise<T>,
): Promise<T> {
  const runtime = version ? await loadModelRuntime(checkpointSource(ctx), version) : null;
  try {
    return await use(runtime);
  } finally {
    await runtime?.close();
  }
}

/** Fits the heads and evaluates the gate; records them and the CANDIDATE status; promotes if it passed. */
async function gateAndPromote(
  ctx: TrainingContext,
  versionId: number,
  reporter: RunReporter,
  autoPromote: boolean,
  signal: AbortSignal,
): Promise<GateRecord['decision']> {
  let version = (await modelVersionById(ctx.prisma, versionId))!;
  let gate = version.gate as GateRecord | null;
  if (!gate) {
    const active = await activeModelVersion(ctx.prisma);
    const trainingIds = await trainingSnapshot(ctx.prisma, version.id);
    // The gate validates on real samples only, unless the run asked for simulated ones.
    const [run] = (await trainingRunsOfVersions(ctx.prisma, [version.id]))[0]!;
    const { includeSimulated } = parseRetrainingConfig(run?.config);
    const validationIds = await validationSampleIds(ctx.pool, { includeSimulated });
    const gateStart = Date.now();
    // A cancel or a worker stop ends the gate at the model's next batch (RuntimeStopped).
    const evaluated = await withRuntime(ctx, version, (candidate) =>
      withRuntime(ctx, active, (current) =>
        evaluateGate({
          pool: ctx.pool,
          prisma: ctx.prisma,
          candidate: stoppable(candidate!, signal),
          active: current && stoppable(current, signal),
          trainingSampleIds: trainingIds,
          validationSampleIds: validationIds,
          tolerance: ctx.config.gateTolerance,
          includeSimulated,
          log: ctx.log,
        }),
      ),
    );
    gate = evaluated.gate;
    if (gate.decision === 'PROMOTED' && !autoPromote)
      gate = {
        ...gate,
        decision: 'HELD',
        reason: `passed the gate, but automatic promotion is off (GEXBERT_AUTO_PROMOTE=false): an admin may promote it; ${gate.reason}`,
      };
    await reporter.assertOwned();
    version = await recordCandidate(ctx, version.id, {
      heads: toStored(evaluated.candidateHeads) as object,
      gate: gate as object,
      metrics: { ...((version.metrics ?? {}) as object), validation: gate.candidate } as object,
    });
    ctx.log(
      `gate for ${version.name} in ${(Date.now() - gateStart) / 1000} s: ${gate.decision} (${gate.reason})`,
    );
  }
  if (gate.decision === 'PROMOTED' && version.status === 'CANDIDATE') {
    await reporter.assertOwned();
    const current = await activeModelVersion(ctx.prisma);
    if ((current?.id ?? null) !== (gate.comparedWith?.id ?? null)) {
      // Someone promoted or rolled back meanwhile: the comparison no longer holds.
      const held: GateRecord = {
        ...gate,
        decision: 'HELD',
        reason: `the active model changed to ${current?.name ?? 'none'} while the gate ran; ${gate.reason}`,
      };
      await recordGate(ctx.prisma, version.id, held as object);
      return 'HELD';
    }
    await promoteModelVersion(ctx.prisma, version.id, gate);
  }
  return gate.decision;
}

/** Runs (or continues) training run `runId` to its end. */
export async function runTrainingJob(ctx: TrainingContext, runId: number): Promise<RunOutcome> {
  const run = await claim(ctx, runId);
  if (!run) {
    const done = await trainingRunById(ctx.prisma, runId);
    return { runId, modelVersionId: done?.modelVersionId ?? 0, decision: 'ALREADY_FINISHED' };
  }
  // The heartbeat runs for the whole job (training, heads, gate), progress only while training; it also
  // notices a cancel request, which stops training at the next step boundary (as the worker's stop does).
  const epochs = parseRetrainingConfig(run.config).model.epochs ?? RECIPE_DEFAULTS.epochs ?? 1;
  const stop = new AbortController();
  const stopTraining = () => stop.abort();
  ctx.signal?.addEventListener('abort', stopTraining, { once: true });
  if (ctx.signal?.aborted) stop.abort();
  const reporter = new RunReporter(
    ctx.prisma,
    runId,
    ctx.workerId,
    epochs,
    ctx.config.workerHeartbeatSeconds,
    () => {
      ctx.log(`run ${runId}: cancel requested; stopping at the next step`);
      stop.abort();
    },
  );
  let versionId: number | null = run.modelVersionId;
  try {
    const version = await versionFor(ctx, run);
    versionId = version.id;
    await reporter.assertOwned(); // (a cancel that arrived before training started)
    if (version.status === 'TRAINING') await train(ctx, run, version, reporter, stop.signal);
    const decision = await gateAndPromote(ctx, version.id, reporter, run.autoPromote !== false, stop.signal);
    await reporter.stop();
    if (!(await succeedTrainingRun(ctx.prisma, runId, ctx.workerId))) throw new LostRunError(runId);
    return { runId, modelVersionId: version.id, decision };
  } catch (error) {
    if (reporter.lost) throw error instanceof LostRunError ? error : new LostRunError(runId);
    const stopped = error instanceof TrainingStopped || error instanceof RuntimeStopped;
    const where = error instanceof TrainingStopped ? `at step ${error.step}` : 'in the promotion gate';
    if (error instanceof CancelledRunError || (stopped && reporter.cancelled)) {
      await reporter.stop();
      await finishCancelledRun({ prisma: ctx.prisma }, runId, {
        note: stopped ? where : undefined,
        step: error instanceof TrainingStopped ? error.step : undefined,
      });
      ctx.log(`run ${runId}: cancelled${stopped ? ` ${where}` : ''}; its model version is FAILED`);
      return { runId, modelVersionId: versionId ?? 0, decision: 'CANCELLED' };
    }
    if (stopped && ctx.signal?.aborted) {
      await reporter.stop();
      const resumes =
        error instanceof TrainingStopped
          ? 'the next worker resumes it from its saved state'
          : 'the next worker runs the gate again on the stored checkpoint';
      const interrupted = await interruptTrainingRun(
        ctx.prisma,
        runId,
        ctx.workerId,
        `interrupted ${where}: worker ${ctx.workerId} was stopped; ${resumes}`,
      );
      if (!interrupted) throw new LostRunError(runId);
      const saved = error instanceof TrainingStopped ? 'resume state saved' : 'checkpoint stored';
      ctx.log(`run ${runId}: interrupted ${where}; ${saved}`);
      return { runId, modelVersionId: versionId ?? 0, decision: 'INTERRUPTED' };
    }
    throw error;
  } finally {
    ctx.signal?.removeEventListener('abort', stopTraining);
    await reporter.stop();
  }
}
