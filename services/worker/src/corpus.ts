// The training corpus of a retraining: the raw counts of a snapshot of samples, as a samples x genes matrix.
import { readProfiles } from '@gexbert/core/expression/store';
import type { ExpressionMatrix } from '@gexbert/model/gexbert/normalise';
import type pg from 'pg';

/**
 * Raw counts of `sampleIds` over the genes every profile has (whole profiles, so CPM library sizes match
 * what inference computes). Samples without raw counts are skipped and reported.
 */
export async function countsOfSamples(
  pool: pg.Pool,
  sampleIds: readonly number[],
  cacheKey = '',
): Promise<ExpressionMatrix & { sampleIds: number[] }> {
  const profiles = (await readProfiles(pool, sampleIds, 'RAW_COUNT', cacheKey)).filter((p) => p !== null);
  if (profiles.length === 0)
    throw new Error('none of the training samples has raw counts; ingest count matrices first');
  const layouts = new Map(profiles.map((p) => [p.layoutId, p.genes]));
  const [first, ...rest] = [...layouts.values()];
  const others = rest.map((genes) => new Set(genes));
  const genes = first!.filter((g) => others.every((s) => s.has(g)));
  const G = genes.length;
  const values = new Float32Array(profiles.length * G); // (samples x genes)
  const columns = new Map<number, Int32Array>();
  for (const [layoutId, layoutGenes] of layouts) {
    const at = new Map(layoutGenes.map((g, i) => [g, i]));
    columns.set(
      layoutId,
      Int32Array.from(genes, (g) => at.get(g)!),
    );
  }
  for (const [s, p] of profiles.entries()) {
    const cols = columns.get(p.layoutId)!;
    for (let g = 0; g < G; g++) values[s * G + g] = p.values[cols[g]!]!;
  }
  return {
    genes,
    nSamples: profiles.length,
    values,
    unit: 'counts',
    sampleIds: profiles.map((p) => p.sampleId),
  };
}
