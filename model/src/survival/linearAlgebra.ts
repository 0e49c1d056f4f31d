/**
 * Small dense symmetric linear algebra for the Cox information matrix, following the routines of R's
 * `survival` package (cholesky2.c, chsolve2.c, chinv2.c): a generalised Cholesky factorisation
 * A = F D F' (F unit lower triangular, D diagonal) that tolerates singular matrices by zeroing the
 * pivots of redundant columns. Matrices are n x n, row-major, in a Float64Array.
 */

/** Default tolerance for a pivot to count as zero, relative to the largest diagonal: R's toler.chol. */
export const CHOLESKY_TOLERANCE = Number.EPSILON ** 0.75;

/**
 * In-place F D F' factorisation (R's cholesky2): the lower triangle receives F, the diagonal D; the
 * upper triangle is left as it was (so it still holds A). A pivot below `toler` times the largest
 * diagonal (or not finite) is set to 0 and its column treated as redundant.
 * Returns the rank, negated when the matrix is not non-negative definite.
 */
export function cholesky2(m: Float64Array, n: number, toler = CHOLESKY_TOLERANCE): number {
  let eps = 0;
  for (let i = 0; i < n; i++) {
    const d = m[i * n + i]!;
    if (d > eps) eps = d;
    for (let j = i + 1; j < n; j++) m[j * n + i] = m[i * n + j]!;
  }
  eps = eps === 0 ? toler : eps * toler;
  let rank = 0;
  let nonneg = 1;
  for (let i = 0; i < n; i++) {
    const pivot = m[i * n + i]!;
    if (!Number.isFinite(pivot) || pivot < eps) {
      m[i * n + i] = 0;
      if (pivot < -8 * eps) nonneg = -1;
    } else {
      rank++;
      for (let j = i + 1; j < n; j++) {
        const temp = m[j * n + i]! / pivot;
        m[j * n + i] = temp;
        m[j * n + j] = m[j * n + j]! - temp * temp * pivot;
        for (let k = j + 1; k < n; k++) m[k * n + j] = m[k * n + j]! - temp * m[k * n + i]!;
      }
    }
  }
  return rank * nonneg;
}

/**
 * Solves A b = y in place given the factorisation from {@link cholesky2} (R's chsolve2). Components
 * for redundant columns (zero pivot) are set to 0, which gives a generalised inverse.
 */
export function chsolve2(m: Float64Array, n: number, y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let temp = y[i]!;
    for (let j = 0; j < i; j++) temp -= y[j]! * m[i * n + j]!;
    y[i] = temp;
  }
  for (let i = n - 1; i >= 0; i--) {
    const d = m[i * n + i]!;
    if (d === 0) {
      y[i] = 0;
    } else {
      let temp = y[i]! / d;
      for (let j = i + 1; j < n; j++) temp -= y[j]! * m[j * n + i]!;
      y[i] = temp;
    }
  }
}

/**
 * Turns the factorisation from {@link cholesky2} into the (generalised) inverse of A, in place and
 * symmetric (R's chinv2 followed by copying the upper triangle down). Rows and columns of redundant
 * columns are 0.
 */
export function chinv2(m: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    if (m[i * n + i]! > 0) {
      m[i * n + i] = 1 / m[i * n + i]!;
      for (let j = i + 1; j < n; j++) {
        m[j * n + i] = -m[j * n + i]!;
        for (let k = 0; k < i; k++) m[j * n + k] = m[j * n + k]! + m[j * n + i]! * m[i * n + k]!;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (m[i * n + i] === 0) {
      for (let j = 0; j < i; j++) m[j * n + i] = 0;
      for (let j = i; j < n; j++) m[i * n + j] = 0;
    } else {
      for (let j = i + 1; j < n; j++) {
        const temp = m[j * n + i]! * m[j * n + j]!;
        m[i * n + j] = temp;
        for (let k = i; k < j; k++) m[i * n + k] = m[i * n + k]! + temp * m[j * n + k]!;
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) m[i * n + j] = m[j * n + i]!;
}

/** Solves the symmetric system A x = b (A non-negative definite; generalised solution if singular). */
export function solveSymmetric(
  a: ArrayLike<number>,
  n: number,
  b: ArrayLike<number>,
  toler = CHOLESKY_TOLERANCE,
): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  cholesky2(m, n, toler);
  chsolve2(m, n, x);
  return x;
}

/** (Generalised) inverse of a symmetric non-negative definite matrix; returns a new array. */
export function invertSymmetric(a: ArrayLike<number>, n: number, toler = CHOLESKY_TOLERANCE): Float64Array {
  const m = Float64Array.from(a);
  cholesky2(m, n, toler);
  chinv2(m, n);
  return m;
}

/** Quadratic form x' A^- x, with A^- the generalised inverse, e.g. a score or Wald statistic. */
export function inverseQuadraticForm(
  a: ArrayLike<number>,
  n: number,
  x: ArrayLike<number>,
  toler = CHOLESKY_TOLERANCE,
): number {
  const solved = solveSymmetric(a, n, x, toler);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]! * solved[i]!;
  return sum;
}

/** Rows of an n x n row-major matrix as nested arrays. */
export function toRows(m: ArrayLike<number>, n: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from({ length: n }, (_, j) => m[i * n + j]!));
  return rows;
}
