// One gene-importance job: a cohort's rankings by a model version's heads, for every cancer type of its
// members and every attribution target the heads have, computed and stored under the CohortAnswer key the
// API reads (core inference/geneImportance.ts), so the API serves them without running the model. Each
// sample's attributions are stored as they are computed (SampleAttribution): that is the job's progress
// (Cohort.geneImportanceProgress in the API), and a job stopped half-way loses nothing. Rankings stored at
// the cohort's current fingerprint are not computed again. A job computes a few samples' attributions (about a
// minute) and says there is more: the worker sends the next job. Before each sample attribution it asks whether
// other work waits (training, a comparison, a precompute batch: `othersWaiting`) and, if so, ends at once with
// more to do, so new samples' answers wait one sample attribution at most, never a cohort's rankings.
import type { PrismaClient } from '@gexbert/core/db/prisma';
import {
  ATTRIBUTION_TARGETS,
  attributeProfile,
  type ProfileAttributions,
  targetAttributions,
} from '@gexbert/core/inference/attribution';
import { genesProgress } from '@gexbert/core/inference/attributionProgress';
import {
  cohortFingerprint,
  readCohortAnswer,
  storeCohortAnswer,
} from '@gexbert/core/inference/cohortAnswers';
import {
  cohortCancerTypes,
  computeTypeGeneImportance,
  geneImportanceKey,
} from '@gexbert/core/inference/geneImportance';
import { sampleProfiles } from '@gexbert/core/inference/modelRuntime';
import { storedSampleAttributions } from '@gexbert/core/inference/storedAttributions';
import { modelVersionById } from '@gexbert/core/registry/modelVersion';
import type pg from 'pg';
import type { WorkerRuntimes } from './precomputeJob.ts';

export interface GeneImportanceOutcome {
  cohortId: number;
  modelVersionId: number;
  /** Why nothing was computed (no such cohort or version, a version that cannot serve, no heads). */
  skipped?: string;
  /** The worker stopped before the end (what was stored stays). */
  interrupted?: boolean;
  /** Stopped after `slice` sample attributions, or for waiting work, with rankings still to compute: send the next job. */
  more?: boolean;
  /** Ended early because other work was waiting (`othersWaiting`). */
  yielded?: boolean;
  /** Rankings stored by this job, and those found stored already. */
  stored: number;
  alreadyStored: number;
  /** Sample attributions computed by this job. */
  attributed: number;
}

export interface GeneImportanceContext {
  pool: pg.Pool;
  prisma: PrismaClient;
  runtimes: WorkerRuntimes;
  /** Samples per type's ranking (core config attributionSamples). */
  bound: number;
  /** Sample attributions one job computes before it hands over to the next (default: all). */
  slice?: number;
  /** Whether other jobs wait to be taken: checked before each sample attribution, and if so the job ends. */
  othersWaiting?: () => Promise<boolean>;
  log: (line: string) => void;
  signal?: AbortSignal;
}

class Stopped extends Error {}
class SliceDone extends Error {
  constructor(readonly yielded: boolean) {
    super('slice done');
  }
}

/** Computes and stores the cohort's rankings by the version's heads. */
export async function runGeneImportanceJob(
  ctx: GeneImportanceContext,
  cohortId: number,
  modelVersionId: number,
): Promise<GeneImportanceOutcome> {
  const outcome: GeneImportanceOutcome = {
    cohortId,
    modelVersionId,
    stored: 0,
    alreadyStored: 0,
    attributed: 0,
  };
  const version = await modelVersionById(ctx.prisma, modelVersionId);
  if (!version || version.status === 'TRAINING' || version.status === 'FAILED')
    return { ...outcome, skipped: `model version ${modelVersionId} cannot serve` };
  const fingerprint = await cohortFingerprint(ctx.pool, cohortId);
  if (fingerprint === null) return { ...outcome, skipped: `cohort ${cohortId} does not exist` };
  const headsId = (version.heads as { id?: string } | null)?.id;
  if (!headsId) return { ...outcome, skipped: `model version ${modelVersionId} has no heads` };
  // the model is loaded only when a sample's attributions are not stored
  const attributionsOf = (sampleId: number): Promise<ProfileAttributions | null> =>
    storedSampleAttributions(
      ctx.pool,
      ctx.prisma,
      modelVersionId,
      headsId,
      sampleId,
      async (progress) => {
        if (ctx.signal?.aborted) throw new Stopped();
        if (outcome.attributed === ctx.slice) throw new SliceDone(false);
        if (await ctx.othersWaiting?.()) throw new SliceDone(true);
        const runtime = await ctx.runtimes.of(ctx.prisma, modelVersionId);
        const server = runtime.headServer!; // the version has heads
        const [profile] = await sampleProfiles(ctx.pool, runtime.stats, [sampleId]);
        const model = { predictor: runtime.predictor, stats: runtime.stats, server };
        const answer = profile
          ? await attributeProfile(model, profile, { onProgress: genesProgress(progress) })
          : null;
        if (answer) {
          outcome.attributed++;
          ctx.log(
            `gene importance of cohort ${cohortId}: sample ${sampleId} attributed (${outcome.attributed} by this job)`,
          );
        }
        return answer;
      },
      () => {
        // another process computes this sample's attributions: the worker waits for them unless it is stopped
        if (ctx.signal?.aborted) throw new Stopped();
      },
    );
  const types = await cohortCancerTypes(ctx.pool, cohortId);
  try {
    for (const [i, type] of types.entries()) {
      for (const target of ATTRIBUTION_TARGETS) {
        const key = geneImportanceKey(modelVersionId, headsId, target, type, ctx.bound);
        if ((await readCohortAnswer(ctx.pool, cohortId, key, fingerprint)) !== null) {
          outcome.alreadyStored++;
          continue;
        }
        const value = await computeTypeGeneImportance(
          ctx.pool,
          cohortId,
          type,
          target,
          ctx.bound,
          attributionsOf,
          (answer) => targetAttributions(answer, target),
        );
        if (value) {
          await storeCohortAnswer(ctx.pool, cohortId, key, fingerprint, value);
          outcome.stored++;
        }
      }
      ctx.log(
        `gene importance of cohort ${cohortId}: ${type} done (${i + 1} of ${types.length} types, ${outcome.attributed} samples attributed)`,
      );
    }
  } catch (error) {
    if (error instanceof Stopped) return { ...outcome, interrupted: true };
    if (error instanceof SliceDone)
      return { ...outcome, more: true, ...(error.yielded ? { yielded: true } : {}) };
    throw error;
  }
  return outcome;
}
