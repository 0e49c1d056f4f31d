/**
 * The two-group design shared by every test: an expression matrix (genes x samples, gene-major) and
 * one group label per sample, of which exactly two distinct labels take part.
 */

/** Genes x samples values: gene-major Float64Array (gene g, sample j at g * nSamples + j) or rows. */
export type ExpressionValues = Float64Array | ArrayLike<number>[];

export interface ExpressionMatrix {
  /** Gene-major values, `nGenes * nSamples`. */
  data: Float64Array;
  nGenes: number;
  nSamples: number;
}

export interface TwoGroupDesign {
  /** The reference group (its mean is subtracted) and the compared group. */
  reference: string;
  comparison: string;
  /** Indices of the samples in either group, in input order. */
  columns: Int32Array;
  /** Per entry of `columns`: 1 for the compared group, 0 for the reference. */
  inComparison: Uint8Array;
  nReference: number;
  nComparison: number;
}

/** Gene-major matrix from the input; a Float64Array is used as is (its length fixes nGenes). */
export function toMatrix(values: ExpressionValues, nSamples: number): ExpressionMatrix {
  if (values instanceof Float64Array) {
    if (nSamples === 0 || values.length % nSamples !== 0) {
      throw new RangeError(`values (${values.length}) is not a multiple of the ${nSamples} samples`);
    }
    return { data: values, nGenes: values.length / nSamples, nSamples };
  }
  const data = new Float64Array(values.length * nSamples);
  values.forEach((row, g) => {
    if (row.length !== nSamples) throw new RangeError(`gene ${g} has ${row.length} values, not ${nSamples}`);
    for (let j = 0; j < nSamples; j++) data[g * nSamples + j] = row[j]!;
  });
  return { data, nGenes: values.length, nSamples };
}

/**
 * Two groups from per-sample labels: samples labelled null/undefined (or with a third label when
 * `reference` and `comparison` are both given) are left out. Without `reference` the levels are
 * taken in sorted order, the first as reference, as R's factor().
 */
export function twoGroupDesign(
  groups: ArrayLike<string | null | undefined>,
  reference?: string,
  comparison?: string,
): TwoGroupDesign {
  const present = new Set<string>();
  for (let j = 0; j < groups.length; j++) {
    const g = groups[j];
    if (g !== null && g !== undefined) present.add(g);
  }
  let levels = [...present].sort();
  if (reference !== undefined && comparison !== undefined) levels = [reference, comparison];
  else if (reference !== undefined) levels = [reference, ...levels.filter((l) => l !== reference)];
  else if (comparison !== undefined) levels = [...levels.filter((l) => l !== comparison), comparison];
  if (levels.length !== 2) {
    throw new RangeError(`two groups are compared, found ${levels.length}: ${levels.join(', ')}`);
  }
  const [ref, cmp] = levels as [string, string];
  const columns: number[] = [];
  const flags: number[] = [];
  for (let j = 0; j < groups.length; j++) {
    const g = groups[j];
    if (g === ref || g === cmp) {
      columns.push(j);
      flags.push(g === cmp ? 1 : 0);
    }
  }
  const nComparison = flags.reduce((s, f) => s + f, 0);
  const nReference = flags.length - nComparison;
  if (nReference === 0 || nComparison === 0) {
    throw new RangeError(`group ${nReference === 0 ? ref : cmp} has no samples`);
  }
  return {
    reference: ref,
    comparison: cmp,
    columns: Int32Array.from(columns),
    inComparison: Uint8Array.from(flags),
    nReference,
    nComparison,
  };
}

/**
 * The design's samples only, in design order (a copy unless all samples are in the design), with the
 * design re-indexed to it.
 */
export function designColumns(
  matrix: ExpressionMatrix,
  design: TwoGroupDesign,
): { matrix: ExpressionMatrix; design: TwoGroupDesign } {
  const { columns } = design;
  const m = columns.length;
  const compact = { ...design, columns: Int32Array.from({ length: m }, (_, k) => k) };
  if (m === matrix.nSamples && columns.every((j, k) => j === k)) return { matrix, design: compact };
  const { data, nGenes, nSamples } = matrix;
  const out = new Float64Array(nGenes * m);
  for (let g = 0; g < nGenes; g++) {
    for (let k = 0; k < m; k++) out[g * m + k] = data[g * nSamples + columns[k]!]!;
  }
  return { matrix: { data: out, nGenes, nSamples: m }, design: compact };
}
