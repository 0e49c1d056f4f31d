// Progress and heartbeat of a training run, written into its TrainingRun row while the worker trains.
// Writes are conditional on the row still belonging to this worker, so a worker that was declared dead
// (stale heartbeat) and lives on cannot overwrite the run another worker took over. The heartbeat also
// notices a cancel request (cancelTrainingRun sets cancelRequestedAt) and calls `onCancel`.
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { type RunProgress, reportRunProgress, trainingRunById } from '@gexbert/core/training/runs';
import type { EvalInfo, ProgressInfo } from '@gexbert/model/training';

/** This worker was declared dead and the run taken over; it must not touch the run any more. */
export class LostRunError extends Error {
  constructor(runId: number) {
    super(`training run ${runId} was taken over by another worker`);
  }
}

/** An admin cancelled the run; the worker stops it and records it CANCELLED. */
export class CancelledRunError extends Error {
  constructor(runId: number) {
    super(`training run ${runId} was cancelled`);
  }
}

/** Progress is written at most this often. */
const PROGRESS_EVERY_MS = 1000;

export class RunReporter {
  private lastWrite = 0;
  private pending: RunProgress = {};
  private inFlight: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Set when the run no longer belongs to this worker. */
  lost = false;
  /** Set when a cancel of the run was requested. */
  cancelled = false;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly runId: number,
    private readonly workerId: string,
    private readonly totalEpochs: number,
    heartbeatSeconds: number,
    private readonly onCancel: () => void = () => {},
  ) {
    this.timer = setInterval(() => this.write({}), heartbeatSeconds * 1000);
    this.timer.unref();
  }

  progress(p: ProgressInfo): void {
    Object.assign(this.pending, {
      epoch: p.epoch,
      totalEpochs: this.totalEpochs,
      step: p.step,
      totalSteps: p.totalSteps,
      loss: Number.isFinite(p.loss) ? p.loss : null,
      samplesPerSec: Number.isFinite(p.samplesPerSec) ? p.samplesPerSec : null,
      etaSeconds: Number.isFinite(p.etaSeconds) ? p.etaSeconds : null,
    });
    if (Date.now() - this.lastWrite >= PROGRESS_EVERY_MS || p.step === p.totalSteps) this.write({});
  }

  evaluated(e: EvalInfo): void {
    if (e.valLoss !== undefined && Number.isFinite(e.valLoss)) this.pending.valLoss = e.valLoss;
  }

  /** Writes pending progress (and the heartbeat) now, after any write in flight. */
  write(extra: RunProgress): Promise<void> {
    this.lastWrite = Date.now();
    const progress = { ...this.pending, ...extra };
    this.pending = {};
    this.inFlight = this.inFlight
      .then(async () => {
        if (await reportRunProgress(this.prisma, this.runId, this.workerId, progress)) return;
        const run = await trainingRunById(this.prisma, this.runId);
        const ours = run?.workerId === this.workerId && run.status === 'RUNNING';
        if (ours && run.cancelRequestedAt) {
          if (!this.cancelled) {
            this.cancelled = true;
            this.onCancel();
          }
        } else this.lost = true;
      })
      .catch(() => {}); // a missed heartbeat is retried by the next one
    return this.inFlight;
  }

  /**
   * Writes the heartbeat now; throws LostRunError when the run no longer belongs to this worker,
   * CancelledRunError when it was cancelled.
   */
  async assertOwned(): Promise<void> {
    await this.write({});
    if (this.lost) throw new LostRunError(this.runId);
    if (this.cancelled) throw new CancelledRunError(this.runId);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.write({});
  }
}
