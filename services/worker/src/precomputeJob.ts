// One precompute job: a batch of stored samples (services/core/src/inference/precompute.ts) gets the model
// version's embeddings (the API's code path: computeSampleEmbeddings, stored in SampleEmbedding with the
// model input z) and its heads' answers (SamplePrediction). Embeddings already stored are reused; nothing is
// computed for a batch another worker has taken.
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { cohortIds } from '@gexbert/core/inference/cohortAnswers';
import { storeCohortMaps } from '@gexbert/core/inference/cohortMap';
import { lookupEmbeddings } from '@gexbert/core/inference/embeddingCache';
import {
  type CheckpointSource,
  loadModelRuntime,
  type ModelRuntime,
  sampleProfiles,
} from '@gexbert/core/inference/modelRuntime';
import {
  claimBatch,
  finishBatch,
  type PredictionToStore,
  precomputeFinished,
  releaseBatch,
  storePredictions,
} from '@gexbert/core/inference/precompute';
import { computeSampleEmbeddings } from '@gexbert/core/inference/sampleEmbeddings';
import { modelVersionById } from '@gexbert/core/registry/modelVersion';
import type pg from 'pg';

export interface PrecomputeOutcome {
  batchId: number;
  /** True when the batch was not QUEUED (finished or taken by another worker): nothing was computed. */
  skipped: boolean;
  /** True when the worker stopped before finishing it: it is QUEUED again for the next worker. */
  interrupted?: boolean;
  modelVersionId?: number;
  samples?: number;
  /** Samples the model embedded here (the others had a stored embedding). */
  embedded?: number;
  /** When this batch was the version's last: the cohorts whose maps were placed and stored. */
  maps?: number[];
}

/** The worker's loaded model: one version (with its heads) at a time. */
export class WorkerRuntimes {
  private loaded: { key: string; runtime: Promise<ModelRuntime> } | null = null;
  /** Runtimes loaded by this worker. */
  loads = 0;

  constructor(private readonly source: CheckpointSource) {}

  async of(prisma: PrismaClient, modelVersionId: number): Promise<ModelRuntime> {
    const version = await modelVersionById(prisma, modelVersionId);
    if (!version) throw new Error(`model version ${modelVersionId} does not exist`);
    const heads = version.heads as { id?: string } | null;
    const key = `${version.id}/${version.checkpointDigest}/${heads?.id ?? ''}`;
    if (this.loaded?.key !== key) {
      await this.close();
      const runtime = loadModelRuntime(this.source, version);
      this.loaded = { key, runtime };
      runtime.then(
        () => this.loads++,
        () => {
          if (this.loaded?.runtime === runtime) this.loaded = null;
        },
      );
    }
    return this.loaded!.runtime;
  }

  async close(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded) await (await loaded.runtime.catch(() => null))?.close();
  }
}

export interface PrecomputeContext {
  pool: pg.Pool;
  prisma: PrismaClient;
  workerId: string;
  runtimes: WorkerRuntimes;
  /** The worker is stopping: the batch stops before its next forward pass and is given back (QUEUED). */
  signal?: AbortSignal;
  /** Progress lines (each cohort map placed). */
  log?: (line: string) => void;
}

class PrecomputeStopped extends Error {}

/** Runs one batch if it is still QUEUED; a failure is recorded on the batch and rethrown. */
export async function runPrecomputeBatch(
  ctx: PrecomputeContext,
  batchId: number,
): Promise<PrecomputeOutcome> {
  const batch = await claimBatch(ctx.pool, batchId, ctx.workerId);
  if (!batch) return { batchId, skipped: true };
  const stopping = () => {
    if (ctx.signal?.aborted) throw new PrecomputeStopped();
  };
  try {
    const runtime = await ctx.runtimes.of(ctx.prisma, batch.modelVersionId);
    const ids = batch.sampleIds;
    const lookups = await lookupEmbeddings(ctx.pool, batch.modelVersionId, ids);
    const missing = ids.filter((_, i) => !lookups[i]!.cached);
    const computed = await computeSampleEmbeddings(runtime, ctx.pool, batch.modelVersionId, missing, {
      turn: (_, work) => {
        stopping();
        return work();
      },
    });
    const fresh = new Map(missing.map((id, i) => [id, computed[i]]));
    const embeddings = ids.map((id, i) => lookups[i]!.cached ?? fresh.get(id) ?? null);
    // rows cached before the model input was stored with them read the profile again
    const noZ = ids.filter((_, i) => embeddings[i] && !embeddings[i]!.z);
    const profiles = noZ.length > 0 ? await sampleProfiles(ctx.pool, runtime.stats, noZ) : [];
    const read = new Map(noZ.map((id, i) => [id, profiles[i]]));
    const server = runtime.headServer;
    const headsId = server?.heads.id ?? '';
    const rows: PredictionToStore[] = [];
    for (const [i, sampleId] of ids.entries()) {
      stopping();
      const e = embeddings[i];
      const profile = read.get(sampleId);
      const z = e?.z ?? (profile && server ? server.zOf(profile) : null);
      rows.push({
        sampleId,
        inputGenes: e?.inputGenes ?? 0,
        prediction: e && z && server ? await server.answer(e.vector, z) : null,
      });
    }
    await storePredictions(ctx.pool, batch.modelVersionId, headsId, batch.id, rows);
    const embedded = computed.filter((e) => e !== null).length;
    await finishBatch(ctx.pool, batch.id, { computed: rows.length, embedded });
    // the version's last batch: every cohort's map is placed once here, not by each API request
    const maps = (await precomputeFinished(ctx.pool, batch.modelVersionId, headsId))
      ? await storeCohortMaps(ctx.pool, batch.modelVersionId, headsId, await cohortIds(ctx.prisma), (m) =>
          ctx.log?.(
            `precompute: map of cohort ${m.cohortId} (${m.points} samples, PCA and UMAP) placed in ${m.seconds.toFixed(1)} s; ${m.projection} reads better`,
          ),
        )
      : undefined;
    return {
      batchId,
      skipped: false,
      modelVersionId: batch.modelVersionId,
      samples: ids.length,
      embedded,
      ...(maps ? { maps } : {}),
    };
  } catch (error) {
    if (error instanceof PrecomputeStopped) {
      await releaseBatch(ctx.prisma, batch.id);
      return { batchId, skipped: false, interrupted: true };
    }
    await finishBatch(ctx.pool, batch.id, {
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}
