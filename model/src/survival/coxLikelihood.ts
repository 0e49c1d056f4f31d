import { toRows } from './linearAlgebra.ts';
import type { GroupLabel, SurvivalData } from './types.ts';
import {
  checkFinite,
  checkLength,
  checkSurvivalData,
  codeLabels,
  isMissingLabel,
  sortedLevels,
} from './validate.ts';

/** Tie handling in the Cox partial likelihood (R's coxph `ties`). */
export type CoxTies = 'efron' | 'breslow';

/** Covariates by name, one value per subject; the key order is the coefficient order. */
export type Covariates = Readonly<Record<string, ArrayLike<number>>>;

/**
 * Data prepared for repeated partial-likelihood evaluations: subjects sorted by (stratum, time),
 * covariates centred and scaled column by column (x_scaled = (x - mean) * scale).
 * @internal
 */
export interface CoxDesign {
  names: string[];
  /** Number of subjects n and covariates p. */
  n: number;
  p: number;
  /** Sorted position -> original row. */
  order: Int32Array;
  time: Float64Array;
  status: Uint8Array;
  /** 1 for the last subject (in sorted order) of each stratum. */
  strataEnd: Uint8Array;
  /** Column-major p x n centred, scaled covariates in sorted order. */
  x: Float64Array;
  means: Float64Array;
  scale: Float64Array;
}

/**
 * Builds a {@link CoxDesign}. With `rScaling`, centring and scaling follow R's coxfit6: columns with
 * values only in {-1, 0, 1} are left alone (R's nocenter), others get their mean subtracted and are
 * multiplied by n / sum|x - mean|. Otherwise every column is centred and left unscaled. Neither
 * changes the partial likelihood; they only steady the arithmetic.
 * @internal
 */
export function buildCoxDesign(
  data: SurvivalData,
  covariates: Covariates,
  strata: ArrayLike<GroupLabel | null | undefined> | undefined,
  rScaling: boolean,
): CoxDesign {
  const n = checkSurvivalData(data);
  const names = Object.keys(covariates);
  const p = names.length;
  const columns = names.map((name) => {
    const column = covariates[name]!;
    checkLength(`covariate ${name}`, column, n);
    checkFinite(`covariate ${name}`, column);
    return column;
  });
  let strataCode: Int32Array = new Int32Array(n);
  if (strata) {
    checkLength('strata', strata, n);
    for (let i = 0; i < n; i++) {
      if (isMissingLabel(strata[i])) throw new RangeError(`strata[${i}] is missing`);
    }
    strataCode = codeLabels(strata, sortedLevels(strata));
  }
  const sorted = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => strataCode[a]! - strataCode[b]! || data.time[a]! - data.time[b]!,
  );
  const order = Int32Array.from(sorted);
  const time = new Float64Array(n);
  const status = new Uint8Array(n);
  const strataEnd = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    time[k] = data.time[i]!;
    status[k] = data.event[i]!;
    const next = order[k + 1];
    strataEnd[k] = next === undefined || strataCode[next] !== strataCode[i] ? 1 : 0;
  }

  const x = new Float64Array(p * n);
  const means = new Float64Array(p);
  const scale = new Float64Array(p).fill(1);
  columns.forEach((column, v) => {
    let onlyUnitValues = true;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const value = column[i]!;
      sum += value;
      if (value !== 0 && value !== 1 && value !== -1) onlyUnitValues = false;
    }
    const mean = rScaling && onlyUnitValues ? 0 : n > 0 ? sum / n : 0;
    means[v] = mean;
    let absSum = 0;
    for (let k = 0; k < n; k++) {
      const centred = column[order[k]!]! - mean;
      x[v * n + k] = centred;
      absSum += Math.abs(centred);
    }
    if (rScaling && !onlyUnitValues) {
      const s = absSum > 0 ? n / absSum : 1;
      scale[v] = s;
      for (let k = 0; k < n; k++) x[v * n + k]! *= s;
    }
  });
  return { names, n, p, order, time, status, strataEnd, x, means, scale };
}

/** Work space for {@link coxIteration}: score u (p) and information imat (p x p, row-major). @internal */
export interface CoxWork {
  u: Float64Array;
  imat: Float64Array;
  a: Float64Array;
  a2: Float64Array;
  cmat: Float64Array;
  cmat2: Float64Array;
}

/** Allocates the score, information and scratch arrays for {@link coxIteration}. @internal */
export function coxWork(p: number): CoxWork {
  return {
    u: new Float64Array(p),
    imat: new Float64Array(p * p),
    a: new Float64Array(p),
    a2: new Float64Array(p),
    cmat: new Float64Array(p * p),
    cmat2: new Float64Array(p * p),
  };
}

/**
 * Log partial likelihood at `beta` (in the design's scaled coordinates), filling `work.u` with the
 * score and `work.imat` with the full symmetric information matrix. A transcription of R's
 * coxfit6_iter (survival 3.5): subjects are walked from the last time backwards, risk sets are
 * cumulative within each stratum, and tied deaths are handled by Breslow (all d deaths share the
 * full risk set) or Efron (the k-th of d tied deaths sees the risk set minus (k / d) of the deaths' risk).
 * @internal
 */
export function coxIteration(
  design: CoxDesign,
  beta: ArrayLike<number>,
  ties: CoxTies,
  work: CoxWork,
): number {
  const { n, p, time, status, strataEnd, x } = design;
  const { u, imat, a, a2, cmat, cmat2 } = work;
  const efron = ties === 'efron';
  u.fill(0);
  imat.fill(0);
  a2.fill(0);
  cmat2.fill(0);
  let loglik = 0;
  let denom = 0;
  for (let person = n - 1; person >= 0; ) {
    if (strataEnd[person] === 1) {
      denom = 0;
      a.fill(0);
      cmat.fill(0);
    }
    const dtime = time[person]!;
    let ndead = 0;
    let denom2 = 0;
    while (person >= 0 && time[person] === dtime) {
      let zbeta = 0;
      for (let i = 0; i < p; i++) zbeta += beta[i]! * x[i * n + person]!;
      const risk = Math.exp(zbeta);
      if (status[person] === 0) {
        denom += risk;
        for (let i = 0; i < p; i++) {
          const xi = x[i * n + person]!;
          a[i]! += risk * xi;
          for (let j = 0; j <= i; j++) cmat[i * p + j]! += risk * xi * x[j * n + person]!;
        }
      } else {
        ndead++;
        denom2 += risk;
        loglik += zbeta;
        for (let i = 0; i < p; i++) {
          const xi = x[i * n + person]!;
          u[i]! += xi;
          a2[i]! += risk * xi;
          for (let j = 0; j <= i; j++) cmat2[i * p + j]! += risk * xi * x[j * n + person]!;
        }
      }
      person--;
      if (person >= 0 && strataEnd[person] === 1) break; // ties do not cross strata
    }
    if (ndead > 0) {
      if (!efron || ndead === 1) {
        denom += denom2;
        loglik -= ndead * Math.log(denom);
        for (let i = 0; i < p; i++) {
          a[i]! += a2[i]!;
          const mean = a[i]! / denom;
          u[i]! -= ndead * mean;
          for (let j = 0; j <= i; j++) {
            cmat[i * p + j]! += cmat2[i * p + j]!;
            imat[j * p + i]! += (ndead * (cmat[i * p + j]! - mean * a[j]!)) / denom;
          }
        }
      } else {
        for (let k = 0; k < ndead; k++) {
          denom += denom2 / ndead;
          loglik -= Math.log(denom);
          for (let i = 0; i < p; i++) {
            a[i]! += a2[i]! / ndead;
            const mean = a[i]! / denom;
            u[i]! -= mean;
            for (let j = 0; j <= i; j++) {
              cmat[i * p + j]! += cmat2[i * p + j]! / ndead;
              imat[j * p + i]! += (cmat[i * p + j]! - mean * a[j]!) / denom;
            }
          }
        }
      }
      a2.fill(0);
      cmat2.fill(0);
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) imat[i * p + j] = imat[j * p + i]!;
  return loglik;
}

/** Partial likelihood, score and information at given coefficients. */
export interface CoxLikelihood {
  logLik: number;
  score: number[];
  information: number[][];
}

/**
 * Evaluates the Cox log partial likelihood, its gradient (score) and the observed information
 * (minus the Hessian) at the coefficients `beta` (original covariate scale), with Efron or Breslow
 * ties and optional strata. Equals what R's coxph reports with `init = beta, iter.max = 0`.
 */
export function coxPartialLikelihood(
  data: SurvivalData,
  covariates: Covariates,
  beta: ArrayLike<number>,
  options: { ties?: CoxTies; strata?: ArrayLike<GroupLabel | null | undefined> } = {},
): CoxLikelihood {
  const design = buildCoxDesign(data, covariates, options.strata, false);
  checkLength('beta', beta, design.p);
  checkFinite('beta', beta);
  const work = coxWork(design.p);
  const logLik = coxIteration(design, beta, options.ties ?? 'efron', work);
  return { logLik, score: Array.from(work.u), information: toRows(work.imat, design.p) };
}
