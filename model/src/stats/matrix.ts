/** Dense row-major Float64 matrices, the data layout of the evaluation toolkit. */

/** A dense row-major matrix: entry (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** A zero matrix. */
export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Builds a matrix from rows of numbers (all of the same length). */
export function fromRows(rows: ArrayLike<number>[]): Matrix {
  const cols = rows[0]?.length ?? 0;
  const m = zeros(rows.length, cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`row ${i} has ${row.length} values, expected ${cols}`);
    for (let j = 0; j < cols; j++) m.data[i * cols + j] = row[j]!;
  });
  return m;
}

/** Row `i` as a view (no copy). */
export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** The sub-matrix of the given rows (in that order), copied. */
export function selectRows(m: Matrix, rows: ArrayLike<number>): Matrix {
  const out = zeros(rows.length, m.cols);
  for (let r = 0; r < rows.length; r++) out.data.set(row(m, rows[r]!), r * m.cols);
  return out;
}

/** The sub-matrix of the given columns (in that order), copied. */
export function selectCols(m: Matrix, cols: ArrayLike<number>): Matrix {
  const out = zeros(m.rows, cols.length);
  for (let i = 0; i < m.rows; i++) {
    const base = i * m.cols;
    const outBase = i * cols.length;
    for (let c = 0; c < cols.length; c++) out.data[outBase + c] = m.data[base + cols[c]!]!;
  }
  return out;
}

/** Column means. */
export function colMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    const base = i * m.cols;
    for (let j = 0; j < m.cols; j++) mean[j]! += m.data[base + j]!;
  }
  for (let j = 0; j < m.cols; j++) mean[j]! /= Math.max(1, m.rows);
  return mean;
}

/** Column variances with denominator n - 1 (0 for a single row). */
export function colVariances(m: Matrix, mean: Float64Array = colMeans(m)): Float64Array {
  const variance = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    const base = i * m.cols;
    for (let j = 0; j < m.cols; j++) {
      const d = m.data[base + j]! - mean[j]!;
      variance[j]! += d * d;
    }
  }
  for (let j = 0; j < m.cols; j++) variance[j] = m.rows > 1 ? variance[j]! / (m.rows - 1) : 0;
  return variance;
}
