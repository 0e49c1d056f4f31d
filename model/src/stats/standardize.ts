/** Per-gene standardisation: centring and scaling fitted on training rows only, applied to any rows. */
import { colMeans, colVariances, type Matrix, selectRows, zeros } from './matrix.ts';

/** Per-gene centring and scaling fitted on training data. */
export interface Standardizer {
  mean: Float64Array;
  /** Standard deviation (n - 1), replaced by 1 where it is 0 so constant genes map to 0. */
  sd: Float64Array;
}

/** Fits per-gene mean and standard deviation on the given rows (default all rows). */
export function fitStandardizer(values: Matrix, rows?: ArrayLike<number>): Standardizer {
  const m = rows ? selectRows(values, rows) : values;
  const mean = colMeans(m);
  const variance = colVariances(m, mean);
  const sd = variance.map((v) => (v > 0 ? Math.sqrt(v) : 1));
  return { mean, sd };
}

/** (x - mean) / sd per gene, as a new matrix. */
export function applyStandardizer(values: Matrix, standardizer: Standardizer): Matrix {
  if (standardizer.mean.length !== values.cols)
    throw new RangeError(`standardizer has ${standardizer.mean.length} genes, data ${values.cols}`);
  const out = zeros(values.rows, values.cols);
  for (let i = 0; i < values.rows; i++) {
    const base = i * values.cols;
    for (let j = 0; j < values.cols; j++)
      out.data[base + j] = (values.data[base + j]! - standardizer.mean[j]!) / standardizer.sd[j]!;
  }
  return out;
}
