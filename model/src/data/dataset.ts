/**
 * Expression data sets for evaluation: count tables (genes x samples, as the TCGA files), log2(CPM + 1),
 * gene filtering and seeded random gene panels (standardisation and stratified splits: stats/standardize.ts,
 * stats/split.ts).
 */
import { log2CpmValue } from '../gexbert/inference/normalise.ts';
import { createRandom, sampleWithoutReplacement } from '../random/random.ts';
import { colVariances, type Matrix, selectCols, selectRows, zeros } from '../stats/matrix.ts';

/**
 * A raw count table as stored on disk: genes x samples, row-major (`counts[g * sampleIds.length + s]`).
 * A normalised data set (parseSampleRowsTsv) uses the same layout; its `counts` are then normalised values.
 */
export interface CountMatrix {
  geneIds: string[];
  sampleIds: string[];
  counts: Float64Array;
}

/**
 * An evaluation data set: one row per sample. `values` is samples x genes (row-major);
 * `labels[i]` is the class (cancer type) of sample i.
 */
export interface Dataset {
  sampleIds: string[];
  geneIds: string[];
  labels: string[];
  values: Matrix;
}

/** A numeric TSV as read: the header's ids after its first cell, each line's first cell, the values row-major. */
interface TsvMatrix {
  columnIds: string[];
  rowIds: string[];
  values: Float64Array;
}

/**
 * Parses a TSV whose first header cell is a label (may be empty), the other header cells column ids, and
 * whose lines are a row id and one number per column. `parse` turns a cell into a number or throws the
 * message to report (it is prefixed with the line and column). Blank lines are skipped.
 */
function parseTsvMatrix(
  text: string,
  what: { row: string; column: string; value: string },
  parse: (cell: string) => number,
): TsvMatrix {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t');
  const columnIds = header.slice(1);
  const nCols = columnIds.length;
  const rowIds: string[] = [];
  const chunks: Float64Array[] = [];
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l]!.replace(/\r$/, '');
    if (line === '') continue;
    const cells = line.split('\t');
    if (cells.length !== nCols + 1)
      throw new RangeError(
        `line ${l + 1}: ${cells.length - 1} values for ${nCols} ${what.column}s in the header; every line needs a ${what.row} ID and one tab-separated ${what.value} per ${what.column}`,
      );
    const values = new Float64Array(nCols);
    for (let c = 0; c < nCols; c++) {
      try {
        values[c] = parse(cells[c + 1]!);
      } catch (error) {
        throw new RangeError(`line ${l + 1}, column ${c + 2}: ${(error as Error).message}`);
      }
    }
    rowIds.push(cells[0]!);
    chunks.push(values);
  }
  const values = new Float64Array(rowIds.length * nCols);
  chunks.forEach((chunk, r) => {
    values.set(chunk, r * nCols);
  });
  return { columnIds, rowIds, values };
}

/**
 * Parses a genes x samples TSV (first header cell may be empty; first column = gene id, the rest
 * numbers). Blank lines are skipped.
 */
export function parseCountTsv(text: string): CountMatrix {
  const { columnIds, rowIds, values } = parseTsvMatrix(
    text,
    { row: 'gene', column: 'sample', value: 'count' },
    (cell) => {
      const v = cell.trim() === '' ? Number.NaN : Number(cell);
      if (!(v >= 0))
        throw new RangeError(`"${cell}" is not a count; give raw read counts (non-negative numbers)`);
      return v;
    },
  );
  return { geneIds: rowIds, sampleIds: columnIds, counts: values };
}

/**
 * Parses a samples x genes TSV of normalised expression (header: a sample-id label, then gene ids; each
 * line: a sample id and one value per gene) into the genes x samples layout of a count table. Values may be
 * slightly negative (batch-corrected data); empty cells and NA are missing (NaN).
 */
export function parseSampleRowsTsv(text: string): CountMatrix {
  const { columnIds, rowIds, values } = parseTsvMatrix(
    text,
    { row: 'sample', column: 'gene', value: 'value' },
    (cell) => {
      const t = cell.trim();
      if (t === '' || t === 'NA') return Number.NaN;
      const v = Number(t);
      if (!Number.isFinite(v))
        throw new RangeError(`"${cell}" is not a number; give expression values or NA`);
      return v;
    },
  );
  const nSamples = rowIds.length;
  const nGenes = columnIds.length;
  const counts = new Float64Array(nGenes * nSamples);
  for (let s = 0; s < nSamples; s++)
    for (let g = 0; g < nGenes; g++) counts[g * nSamples + s] = values[s * nGenes + g]!;
  return { geneIds: columnIds, sampleIds: rowIds, counts };
}

/**
 * Concatenates count tables over samples. Genes must appear in the same order in every table
 * (throws otherwise); each table's samples get that table's label.
 */
export function combineCounts(tables: { table: CountMatrix; label: string }[]): {
  counts: CountMatrix;
  labels: string[];
} {
  const first = tables[0]?.table;
  if (!first) throw new RangeError('no count tables');
  const nGenes = first.geneIds.length;
  const sampleIds: string[] = [];
  const labels: string[] = [];
  for (const { table, label } of tables) {
    if (table.geneIds.length !== nGenes || table.geneIds.some((g, i) => g !== first.geneIds[i]))
      throw new RangeError(`gene ids of table "${label}" differ from the first table`);
    sampleIds.push(...table.sampleIds);
    for (let s = 0; s < table.sampleIds.length; s++) labels.push(label);
  }
  const nSamples = sampleIds.length;
  const counts = new Float64Array(nGenes * nSamples);
  let offset = 0;
  for (const { table } of tables) {
    const m = table.sampleIds.length;
    for (let g = 0; g < nGenes; g++)
      counts.set(table.counts.subarray(g * m, (g + 1) * m), g * nSamples + offset);
    offset += m;
  }
  return { counts: { geneIds: first.geneIds, sampleIds, counts }, labels };
}

/**
 * log2(CPM + 1) of a count table (the model's definition, gexbert/normalise log2CpmValue, in double
 * precision), transposed to samples x genes. Library sizes are the column sums over ALL genes of the table,
 * so filter genes afterwards ({@link selectGenes}).
 */
export function log2Cpm(table: CountMatrix, labels: string[]): Dataset {
  const nGenes = table.geneIds.length;
  const nSamples = table.sampleIds.length;
  if (labels.length !== nSamples) throw new RangeError(`${labels.length} labels for ${nSamples} samples`);
  const libSize = new Float64Array(nSamples);
  for (let g = 0; g < nGenes; g++) {
    const base = g * nSamples;
    for (let s = 0; s < nSamples; s++) libSize[s]! += table.counts[base + s]!;
  }
  const values = zeros(nSamples, nGenes);
  for (let g = 0; g < nGenes; g++) {
    const base = g * nSamples;
    for (let s = 0; s < nSamples; s++)
      values.data[s * nGenes + g] = log2CpmValue(table.counts[base + s]!, libSize[s]!);
  }
  return { sampleIds: [...table.sampleIds], geneIds: [...table.geneIds], labels: [...labels], values };
}

/** Indices of the genes whose mean raw count over all samples is at least `minMeanCount`. */
export function genesWithMeanCount(table: CountMatrix, minMeanCount: number): number[] {
  const nSamples = table.sampleIds.length;
  const kept: number[] = [];
  for (let g = 0; g < table.geneIds.length; g++) {
    let sum = 0;
    for (let s = 0; s < nSamples; s++) sum += table.counts[g * nSamples + s]!;
    if (sum / nSamples >= minMeanCount) kept.push(g);
  }
  return kept;
}

/** The data set restricted to the given genes (columns), in that order. */
export function selectGenes(data: Dataset, genes: ArrayLike<number>): Dataset {
  return {
    sampleIds: [...data.sampleIds],
    geneIds: Array.from(genes, (g) => data.geneIds[g]!),
    labels: [...data.labels],
    values: selectCols(data.values, genes),
  };
}

/** The data set restricted to the given samples (rows), in that order. */
export function selectSamples(data: Dataset, samples: ArrayLike<number>): Dataset {
  return {
    sampleIds: Array.from(samples, (s) => data.sampleIds[s]!),
    geneIds: [...data.geneIds],
    labels: Array.from(samples, (s) => data.labels[s]!),
    values: selectRows(data.values, samples),
  };
}

/**
 * Indices of the `k` genes with the largest variance, computed over `samples` only (default all; pass
 * the training rows to avoid looking at test data). Sorted by decreasing variance; ties by index.
 */
export function topVariableGenes(data: Dataset, k: number, samples?: ArrayLike<number>): number[] {
  const m = samples ? selectRows(data.values, samples) : data.values;
  const variance = colVariances(m);
  const order = Array.from({ length: m.cols }, (_, j) => j).sort(
    (a, b) => variance[b]! - variance[a]! || a - b,
  );
  return order.slice(0, Math.min(k, m.cols));
}

/** A random panel of `k` distinct gene indices out of `nGenes` (seeded), sorted ascending. */
export function randomGenePanel(nGenes: number, k: number, seed: number): number[] {
  return sampleWithoutReplacement(nGenes, k, createRandom(seed)).sort((a, b) => a - b);
}
