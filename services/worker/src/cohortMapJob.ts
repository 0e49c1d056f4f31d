// One cohort map job: a cohort made or changed after a model version's precompute gets its map by that version
// placed (PCA and UMAP) and stored from the stored embeddings and answers (core inference/cohortMap.ts), as the
// precompute's last batch stores every cohort's; the worker then queues its gene importance. Members without a
// stored answer are planned for the precompute instead, whose last batch stores the map.

import type { PrismaClient } from '@gexbert/core/db/prisma';
import { cohortFingerprint, readCohortAnswer } from '@gexbert/core/inference/cohortAnswers';
import { mapAnswerKey, mapSamples, storeCohortMaps } from '@gexbert/core/inference/cohortMap';
import {
  planPrecompute,
  storedPredictionCount,
  versionToPrecompute,
} from '@gexbert/core/inference/precompute';
import type { JobQueue } from '@gexbert/core/jobs/queue';
import type pg from 'pg';

export interface CohortMapOutcome {
  cohortId: number;
  modelVersionId: number;
  /** The map was placed and stored. */
  stored: boolean;
  /** Members without a stored answer: planned for the precompute, which stores the map when it finishes. */
  awaitingPrecompute: number;
  /** Why nothing was placed (no such cohort or version, a version that cannot serve, the map stored already, no member with an embedding). */
  skipped?: string;
}

export interface CohortMapContext {
  pool: pg.Pool;
  prisma: PrismaClient;
  queue: JobQueue;
  /** Samples per precompute batch (GEXBERT_PRECOMPUTE_BATCH). */
  batchSize: number;
  log?: (line: string) => void;
}

export async function runCohortMapJob(
  ctx: CohortMapContext,
  cohortId: number,
  modelVersionId: number,
): Promise<CohortMapOutcome> {
  const outcome = { cohortId, modelVersionId, stored: false, awaitingPrecompute: 0 };
  const version = await versionToPrecompute(ctx.pool, modelVersionId);
  if (!version || version.status === 'TRAINING' || version.status === 'FAILED')
    return { ...outcome, skipped: `model version ${modelVersionId} cannot serve` };
  const headsId = version.headsId ?? '';
  const fingerprint = await cohortFingerprint(ctx.pool, cohortId);
  if (fingerprint === null) return { ...outcome, skipped: `cohort ${cohortId} does not exist` };
  const key = mapAnswerKey(modelVersionId, headsId);
  if (await readCohortAnswer(ctx.pool, cohortId, key, fingerprint))
    return { ...outcome, skipped: 'stored already (by a precompute that finished meanwhile)' };
  const ids = (await mapSamples(ctx.pool, cohortId)).map((s) => s.id);
  const missing = ids.length - (await storedPredictionCount(ctx.pool, modelVersionId, headsId, ids));
  if (missing > 0) {
    await planPrecompute(
      { pool: ctx.pool, prisma: ctx.prisma, queue: ctx.queue },
      { modelVersionId, sampleIds: ids, reason: 'COHORT', batchSize: ctx.batchSize },
    );
    return { ...outcome, awaitingPrecompute: missing };
  }
  const stored = await storeCohortMaps(ctx.pool, modelVersionId, headsId, [cohortId], (m) =>
    ctx.log?.(
      `cohort map: cohort ${m.cohortId} (${m.points} samples, PCA and UMAP) placed in ${m.seconds.toFixed(1)} s; ${m.projection} reads better`,
    ),
  );
  return stored.length > 0
    ? { ...outcome, stored: true }
    : { ...outcome, skipped: 'no such cohort, or no member with an embedding' };
}
