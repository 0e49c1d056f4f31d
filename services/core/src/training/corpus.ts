// Training data for GexBERT: raw counts as a samples x genes matrix, from count files, or from stored samples
// (a cohort's, or a retraining's snapshot).

import type { ExpressionMatrix } from '@gexbert/model/inference';
import type pg from 'pg';
import { genesOfLayout, PROFILES_IN_MEMORY, profileLayouts, readProfiles } from '../expression/store.ts';
import { parseCountsMatrix } from '../formats/index.ts';
import type { ParsedMatrix } from '../formats/types.ts';
import { geneReference } from '../gene/reference.ts';
import { dataFiles } from '../ingest/files.ts';
import type { SampleSetOptions } from './validationSet.ts';

export interface CountsCorpus {
  genes: string[]; // Ensembl IDs
  nSamples: number;
  values: Float32Array; // samples x genes, row-major
  unit: 'counts';
  samples: string[]; // sample barcodes
  description: string;
}

/** Protein-coding genes of GENCODE v36 (Ensembl IDs): the recipe's vocabulary candidates. */
export function proteinCodingGenes(): Set<string> {
  return new Set(
    [...geneReference().all()].filter((g) => g.geneType === 'protein_coding').map((g) => g.ensemblId),
  );
}

/** Count matrices (a file, or a directory's count files); genes are those every file shares. */
export async function corpusFromFiles(target: string): Promise<CountsCorpus> {
  const matrices: ParsedMatrix[] = [];
  for (const file of dataFiles(target, /counts/i)) matrices.push(await parseCountsMatrix(file, {}));
  const shared = sharedGenes(matrices.map((m) => m.genes.map((g) => g.ensemblId)));
  const samples = matrices.flatMap((m) => m.samples.map((s) => s.sampleBarcode));
  const values = new Float32Array(samples.length * shared.length);
  let row = 0;
  for (const m of matrices) {
    const position = new Map(m.genes.map((g, i) => [g.ensemblId, i]));
    const at = shared.map((id) => position.get(id)!);
    for (let s = 0; s < m.samples.length; s++, row++) {
      for (let g = 0; g < shared.length; g++) values[row * shared.length + g] = m.rows[at[g]!]![s]!;
    }
  }
  const types = [...new Set(matrices.map((m) => m.cancerType ?? '?'))].join(', ');
  return {
    genes: shared,
    nSamples: samples.length,
    values,
    unit: 'counts',
    samples,
    description: `${samples.length} samples x ${shared.length} genes of raw counts from ${matrices.length} files (${types}): ${target}`,
  };
}

/**
 * The raw-count profiles of a cohort's samples; genes are those every profile has. Simulated samples are left
 * out unless `includeSimulated` is given.
 */
export async function corpusFromCohort(
  pool: pg.Pool,
  cohort: string,
  options: SampleSetOptions = {},
): Promise<CountsCorpus> {
  // raw SQL: bulk: every member of a training cohort, joined in one statement
  const { rows: all } = await pool.query<{ id: number; barcode: string; simulated: boolean }>(
    `SELECT s.id, s.barcode, s.simulated FROM "Cohort" c JOIN "CohortSample" cs ON cs."cohortId" = c.id
     JOIN "Sample" s ON s.id = cs."sampleId" WHERE c.name = $1 ORDER BY s.id`,
    [cohort],
  );
  if (all.length === 0) throw new Error(`cohort "${cohort}" does not exist or has no samples`);
  // Simulated samples are trained on only when asked for (--include-simulated).
  const rows = options.includeSimulated ? all : all.filter((r) => !r.simulated);
  if (rows.length === 0)
    throw new Error(
      `cohort "${cohort}" holds only simulated samples; pass --include-simulated to train on simulated data`,
    );
  const counts = await countsOfSamples(
    pool,
    rows.map((r) => r.id),
    { source: `cohort "${cohort}"` },
  );
  const barcodes = new Map(rows.map((r) => [r.id, r.barcode]));
  return {
    genes: counts.genes,
    nSamples: counts.nSamples,
    values: counts.values,
    unit: 'counts',
    samples: counts.sampleIds.map((id) => barcodes.get(id)!),
    description: `${counts.nSamples} samples x ${counts.genes.length} genes of raw counts from cohort "${cohort}"`,
  };
}

/**
 * Raw counts of stored samples over the genes every profile has (whole profiles, so CPM library sizes match
 * what inference computes), in the order of `sampleIds`: the one reader of a training corpus from the
 * database (a cohort's, above, and a retraining's snapshot in the worker). Samples without raw counts are
 * skipped (`sampleIds` of the result lists those read). Profiles are read a chunk at a time into the matrix,
 * so only the matrix and one chunk are in memory.
 */
export async function countsOfSamples(
  pool: pg.Pool,
  sampleIds: readonly number[],
  options: { cacheKey?: string; source?: string } = {},
): Promise<ExpressionMatrix & { sampleIds: number[] }> {
  const cacheKey = options.cacheKey ?? '';
  const layoutOf = await profileLayouts(pool, sampleIds, 'RAW_COUNT');
  const ids = sampleIds.filter((id) => layoutOf.has(id));
  if (ids.length === 0)
    throw new Error(
      `${options.source ?? 'the training samples'}: no raw-count profiles to train on; ingest count matrices first`,
    );
  const layouts = new Map<number, readonly string[]>();
  for (const layoutId of new Set(layoutOf.values()))
    layouts.set(layoutId, await genesOfLayout(pool, layoutId, cacheKey));
  const genes = sharedGenes([...layouts.values()]);
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

function sharedGenes(lists: readonly (readonly string[])[]): string[] {
  const [first, ...rest] = lists;
  if (!first) return [];
  const sets = rest.map((l) => new Set(l));
  return first.filter((g) => sets.every((s) => s.has(g)));
}
