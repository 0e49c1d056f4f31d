// The training corpus of a retraining: the raw counts of a snapshot of samples, as a samples x genes matrix.
import {
  genesOfLayout,
  PROFILES_IN_MEMORY,
  profileLayouts,
  readProfiles,
} from '@gexbert/core/expression/store';
import type { ExpressionMatrix } from '@gexbert/model/gexbert/normalise';
import type pg from 'pg';

/**
 * Raw counts of `sampleIds` over the genes every profile has (whole profiles, so CPM library sizes match
 * what inference computes). Samples without raw counts are skipped and reported. Profiles are read a chunk
 * at a time into the matrix, so only the matrix and one chunk are in memory.
 */
export async function countsOfSamples(
  pool: pg.Pool,
  sampleIds: readonly number[],
  cacheKey = '',
): Promise<ExpressionMatrix & { sampleIds: number[] }> {
  const layoutOf = await profileLayouts(pool, sampleIds, 'RAW_COUNT');
  const ids = sampleIds.filter((id) => layoutOf.has(id));
  if (ids.length === 0)
    throw new Error('none of the training samples has raw counts; ingest count matrices first');
  const layouts = new Map<number, readonly string[]>();
  for (const layoutId of new Set(layoutOf.values()))
    layouts.set(layoutId, await genesOfLayout(pool, layoutId, cacheKey));
  const [first, ...rest] = [...layouts.values()];
  const others = rest.map((genes) => new Set(genes));
  const genes = first!.filter((g) => others.every((s) => s.has(g)));
  const G = genes.length;
  const columns = new Map<number, Int32Array>();
  for (const [layoutId, layoutGenes] of layouts) {
    const at = new Map(layoutGenes.map((g, i) => [g, i]));
    columns.set(
      layoutId,
      Int32Array.from(genes, (g) => at.get(g)!),
    );
  }
  const values = new Float32Array(ids.length * G); // (samples x genes)
  for (let start = 0; start < ids.length; start += PROFILES_IN_MEMORY) {
    const chunk = await readProfiles(
      pool,
      ids.slice(start, start + PROFILES_IN_MEMORY),
      'RAW_COUNT',
      cacheKey,
    );
    for (const [k, p] of chunk.entries()) {
      const cols = columns.get(p!.layoutId)!;
      const s = start + k;
      for (let g = 0; g < G; g++) values[s * G + g] = p!.values[cols[g]!]!;
    }
  }
  return { genes, nSamples: ids.length, values, unit: 'counts', sampleIds: ids };
}
