/**
 * Prognostic anchor genes (the paper's survival idea): genes outside a small measured panel whose
 * expression predicts survival, chosen on training patients only, and restored from the panel. This
 * module holds the model-free pieces: univariate Cox screening, the choice of anchors outside a panel
 * and a nearest-neighbour restoration baseline. GexBERT's restoration is in tasks/survivalAnchors.ts.
 */

import { colVariances, type Matrix, row, zeros } from '../stats/matrix.ts';
import { coxph, type GroupLabel, type SurvivalData } from '../survival/index.ts';

/**
 * Wald z of a one-covariate Cox model (Efron ties) per column of `x` (patients x genes), optionally
 * stratified (a separate baseline hazard per stratum). A constant column or a failed fit gives 0.
 */
export function univariateCoxZ(
  x: Matrix,
  data: SurvivalData,
  options: { strata?: ArrayLike<GroupLabel> } = {},
): Float64Array {
  if (x.rows !== data.time.length)
    throw new RangeError(`x has ${x.rows} rows, survival data ${data.time.length}`);
  const variance = colVariances(x);
  const column = new Float64Array(x.rows);
  const z = new Float64Array(x.cols);
  for (let j = 0; j < x.cols; j++) {
    if (!(variance[j]! > 0)) continue;
    for (let i = 0; i < x.rows; i++) column[i] = x.data[i * x.cols + j]!;
    try {
      const fit = coxph(data, { g: column }, options.strata ? { strata: options.strata } : {});
      z[j] = Number.isFinite(fit.z[0]!) ? fit.z[0]! : 0;
    } catch {
      z[j] = 0;
    }
  }
  return z;
}

/**
 * The `m` columns with the largest |z| that are not in `panel` (ties: lower index first), in that order.
 * Throws when fewer than `m` columns lie outside the panel.
 */
export function selectAnchors(z: ArrayLike<number>, panel: ArrayLike<number>, m: number): number[] {
  const inPanel = new Set(Array.from(panel));
  const outside = Array.from({ length: z.length }, (_, j) => j).filter((j) => !inPanel.has(j));
  if (outside.length < m)
    throw new RangeError(`only ${outside.length} genes lie outside the panel; cannot choose ${m} anchors`);
  return outside.sort((a, b) => Math.abs(z[b]!) - Math.abs(z[a]!) || a - b).slice(0, m);
}

/**
 * Nearest-neighbour restoration: for each row of `query` (patients x panel genes), the mean of
 * `refTargets` (reference patients x anchor genes) over its k nearest reference rows by Euclidean distance
 * on the panel genes. With `leaveSelfOut`, query row i is reference row i and is never its own neighbour
 * (restoring the training patients from the other training patients).
 */
export function knnRestore(
  refPanel: Matrix,
  refTargets: Matrix,
  query: Matrix,
  k: number,
  leaveSelfOut = false,
): Matrix {
  if (refPanel.rows !== refTargets.rows) throw new RangeError('reference panel and targets differ in rows');
  if (refPanel.cols !== query.cols) throw new RangeError('reference and query panels differ in genes');
  if (leaveSelfOut && query.rows !== refPanel.rows)
    throw new RangeError('leaveSelfOut needs query = reference');
  const donors = refPanel.rows - (leaveSelfOut ? 1 : 0);
  if (!(Number.isInteger(k) && k >= 1 && k <= donors))
    throw new RangeError(`k must be an integer in [1, ${donors}], got ${k}`);
  const out = zeros(query.rows, refTargets.cols);
  const distance = new Float64Array(refPanel.rows);
  const order = Array.from({ length: refPanel.rows }, (_, r) => r);
  for (let i = 0; i < query.rows; i++) {
    const q = row(query, i);
    for (let r = 0; r < refPanel.rows; r++) {
      const p = row(refPanel, r);
      let d = 0;
      for (let j = 0; j < q.length; j++) d += (q[j]! - p[j]!) ** 2;
      distance[r] = leaveSelfOut && r === i ? Number.POSITIVE_INFINITY : d;
    }
    order.sort((a, b) => distance[a]! - distance[b]! || a - b);
    const target = row(out, i);
    for (let n = 0; n < k; n++) {
      const t = row(refTargets, order[n]!);
      for (let c = 0; c < t.length; c++) target[c]! += t[c]! / k;
    }
  }
  return out;
}
