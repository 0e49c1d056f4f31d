// Training data in RSEM units: an expression table (samples or genes as rows, Entrez IDs or symbols mapped
// to Ensembl as `gexbert ingest table` reads it) as a samples x genes matrix of RSEM values, for pretraining
// beside raw counts (the recipe's `rsem` option; its own normalisation statistics).

import type { LabelledCounts } from '@gexbert/model/data';
import { parseExpressionTable } from '../formats/expressionTable.ts';
import { dataFiles } from '../ingest/files.ts';
import type { CountsCorpus } from './corpus.ts';

/** Samples x genes RSEM values (Ensembl IDs), with each sample's patient and cancer type. */
export interface RsemCorpus extends Omit<CountsCorpus, 'unit'> {
  unit: 'rsem';
  patients: string[]; // patient barcodes
  cancerTypes: (string | null)[]; // from the table's attribute columns or its sample sidecar
}

/** The corpus as a labelled data set (genes x samples), for fitting heads; every sample needs a type. */
export function rsemLabelledData(corpus: RsemCorpus): LabelledCounts {
  const n = corpus.nSamples;
  const G = corpus.genes.length;
  const counts = new Float64Array(G * n); // (G x n)
  for (let s = 0; s < n; s++) for (let g = 0; g < G; g++) counts[g * n + s] = corpus.values[s * G + g]!;
  const untyped = corpus.samples.filter((_, i) => !corpus.cancerTypes[i]);
  if (untyped.length > 0)
    throw new Error(
      `${untyped.length} RSEM samples have no cancer type (first ${untyped[0]}); give a sample table`,
    );
  return {
    counts: { geneIds: corpus.genes, sampleIds: corpus.samples, counts },
    labels: corpus.cancerTypes as string[],
    patients: corpus.patients,
    unit: 'rsem',
  };
}

/** The RSEM table of `target` (a file, or the folder's `<name>_expression` table with its sidecar). */
export async function rsemCorpusFromTable(target: string): Promise<RsemCorpus> {
  const [file, ...others] = dataFiles(target, /_expression\./i);
  if (!file || others.length > 0)
    throw new Error(`${target}: expected one expression table, found ${others.length + (file ? 1 : 0)}`);
  const { matrix } = await parseExpressionTable(file, { unit: 'RSEM' });
  const genes = matrix.genes.map((g) => g.ensemblId);
  const n = matrix.samples.length;
  const values = new Float32Array(n * genes.length); // (n x G)
  matrix.rows.forEach((row, g) => {
    for (let s = 0; s < n; s++) values[s * genes.length + g] = row[s]!;
  });
  const types = new Set(matrix.samples.map((s) => s.cancerType ?? matrix.cancerType ?? '?'));
  return {
    genes,
    nSamples: n,
    values,
    unit: 'rsem',
    samples: matrix.samples.map((s) => s.sampleBarcode),
    patients: matrix.samples.map((s) => s.patientBarcode),
    cancerTypes: matrix.samples.map((s) => s.cancerType ?? matrix.cancerType),
    description: `${n} samples x ${genes.length} genes of RSEM values (${types.size} cancer types): ${target}`,
  };
}
