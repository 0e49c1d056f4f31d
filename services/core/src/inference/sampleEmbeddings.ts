// Computing and storing stored samples' embeddings (SampleEmbedding, with the model input z): the one code
// path for the API's cache misses (services/api/src/inference/modelHolder.ts) and the worker's precompute
// jobs (services/worker/src/precomputeJob.ts).
import { embed, profileToZ } from '@gexbert/model/inference';
import type pg from 'pg';
import { type StoredEmbedding, storeEmbeddings } from './embeddingCache.ts';
import { type ModelRuntime, sampleProfiles } from './modelRuntime.ts';

/** Samples per forward pass (the model library's default batch). */
export const PREDICTOR_CHUNK = 32;

export interface EmbedOptions {
  /** Runs one forward pass (e.g. after the predictor's previous work); `samples` is how many it embeds. */
  turn?: <T>(samples: number, work: () => Promise<T>) => Promise<T>;
}

/**
 * Embeds stored samples and stores the embeddings, in chunks of PREDICTOR_CHUNK samples (one forward pass
 * each): the next chunk's profiles are read while the current chunk runs on the predictor. null for a
 * sample without model input or with none of the model's genes.
 */
export async function computeSampleEmbeddings(
  runtime: ModelRuntime,
  pool: pg.Pool,
  versionId: number,
  sampleIds: readonly number[],
  options: EmbedOptions = {},
): Promise<(StoredEmbedding | null)[]> {
  const turn: NonNullable<EmbedOptions['turn']> = options.turn ?? ((_, work) => work());
  const chunks: number[][] = [];
  for (let i = 0; i < sampleIds.length; i += PREDICTOR_CHUNK)
    chunks.push(sampleIds.slice(i, i + PREDICTOR_CHUNK));
  const read = (ids: number[]) => {
    const reading = sampleProfiles(pool, runtime.stats, ids);
    reading.catch(() => {}); // awaited below; a failure then rejects the batch
    return reading;
  };
  const results: (StoredEmbedding | null)[] = [];
  let next = chunks.length > 0 ? read(chunks[0]!) : null;
  for (const [c, chunk] of chunks.entries()) {
    const profiles = await next!;
    if (c + 1 < chunks.length) next = read(chunks[c + 1]!);
    const usable = chunk.flatMap((_, i) => (profiles[i] ? [i] : []));
    const out = await turn(usable.length, () =>
      embed(
        runtime.predictor,
        runtime.stats,
        usable.map((i) => profiles[i]!),
        { batchSize: PREDICTOR_CHUNK },
      ),
    );
    const chunkResults: (StoredEmbedding | null)[] = chunk.map(() => null);
    for (const [k, i] of usable.entries()) {
      const inputGenes = out.reports[k]!.inputGenes;
      const p = profiles[i]!;
      if (inputGenes > 0)
        chunkResults[i] = {
          vector: out.embeddings[k]!,
          inputGenes,
          z: profileToZ(runtime.stats, p.genes, p.values, p.unit).z,
        };
    }
    results.push(...chunkResults);
  }
  await storeEmbeddings(
    pool,
    versionId,
    sampleIds.flatMap((sampleId, i) => (results[i] ? [{ sampleId, ...results[i]! }] : [])),
  );
  return results;
}
