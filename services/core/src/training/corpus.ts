// Training data for GexBERT: raw counts as a samples x genes matrix, from count files or from a cohort.
import type pg from 'pg';
import { readProfiles } from '../expression/store.ts';
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
  const stored = await readProfiles(
    pool,
    rows.map((r) => r.id),
    'RAW_COUNT',
  );
  const profiles = rows.flatMap((r, i) => (stored[i] ? [{ barcode: r.barcode, profile: stored[i] }] : []));
  if (profiles.length === 0) throw new Error(`cohort "${cohort}" has no raw-count profiles to train on`);
  const shared = sharedGenes(profiles.map((p) => p.profile.genes));
  const values = new Float32Array(profiles.length * shared.length);
  for (const [s, { profile }] of profiles.entries()) {
    const position = new Map(profile.genes.map((g, i) => [g, i]));
    for (let g = 0; g < shared.length; g++)
      values[s * shared.length + g] = profile.values[position.get(shared[g]!)!]!;
  }
  return {
    genes: shared,
    nSamples: profiles.length,
    values,
    unit: 'counts',
    samples: profiles.map((p) => p.barcode),
    description: `${profiles.length} samples x ${shared.length} genes of raw counts from cohort "${cohort}"`,
  };
}

function sharedGenes(lists: readonly (readonly string[])[]): string[] {
  const [first, ...rest] = lists;
  if (!first) return [];
  const sets = rest.map((l) => new Set(l));
  return first.filter((g) => sets.every((s) => s.has(g)));
}
