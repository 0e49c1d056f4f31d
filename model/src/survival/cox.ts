import { type ConcordanceResult, concordance } from './concordance.ts';
import { buildCoxDesign, type Covariates, type CoxTies, coxIteration, coxWork } from './coxLikelihood.ts';
import { chiSquareSurvival, normalSurvival } from './distributions.ts';
import {
  CHOLESKY_TOLERANCE,
  chinv2,
  cholesky2,
  chsolve2,
  inverseQuadraticForm,
  toRows,
} from './linearAlgebra.ts';
import type { ChiSquareTest, GroupLabel, SurvivalData } from './types.ts';
import { checkFinite, checkLength } from './validate.ts';

/** Options for {@link coxph}. Defaults are R's coxph.control. */
export interface CoxOptions {
  /** Tie handling, default "efron" (R's default). */
  ties?: CoxTies;
  /** Strata: each stratum has its own baseline hazard (risk sets never cross strata). No missing labels. */
  strata?: ArrayLike<GroupLabel | null | undefined>;
  /**
   * Ridge penalty lambda >= 0 (default 0): maximises loglik(beta) - lambda/2 * sum(beta^2), the
   * coefficients on the covariates' original scale. This is R's `ridge(..., theta = lambda,
   * scale = FALSE)`; R's default `scale = TRUE` would weight each beta^2 by the covariate's variance.
   */
  ridge?: number;
  /** Maximum Newton-Raphson iterations (default 20). */
  maxIter?: number;
  /** Convergence: |1 - loglik_old / loglik_new| <= eps (default 1e-9). */
  eps?: number;
  /** Relative pivot tolerance of the Cholesky factorisation (default .Machine$double.eps^0.75). */
  tolerChol?: number;
  /** Starting coefficients (default all 0). The score test is evaluated there. */
  init?: ArrayLike<number>;
}

/** A fitted Cox proportional hazards model. */
export interface CoxFit {
  names: string[];
  /** Estimates; NaN for a covariate found linearly redundant (R's NA). */
  coefficients: number[];
  /** sqrt(diag(variance)). */
  standardErrors: number[];
  /** Wald z = coef / se and its two-sided p-value, per covariate. */
  z: number[];
  pValues: number[];
  /** Inverse of the (penalised) information at the estimate (R's `var`). */
  variance: number[][];
  /** Log partial likelihood at `init` (R's loglik[1]) and at the estimate (loglik[2], unpenalised). */
  logLikNull: number;
  logLik: number;
  /** logLik - lambda/2 sum(beta^2): the function maximised (equals logLik without ridge). */
  penalizedLogLik: number;
  /** Wald test beta' var^-1 beta (R's `wald.test`, unrounded). */
  waldTest: ChiSquareTest;
  /** 2 (logLik - logLikNull). */
  likelihoodRatioTest: ChiSquareTest;
  /** u' I^-1 u at `init` (R's `score`). */
  scoreTest: ChiSquareTest;
  /** trace(var x I): the effective number of parameters (= the number of coefficients without ridge). */
  effectiveDf: number;
  /** Harrell's C of the linear predictor (reverse = TRUE, within strata), as coxph reports it. */
  concordance: ConcordanceResult;
  iterations: number;
  converged: boolean;
  n: number;
  nEvent: number;
  ties: CoxTies;
  ridge: number;
  /** Centring values used for the linear predictor (R's `means`: 0 for columns of only -1/0/1). */
  means: number[];
  /** (x - means) . beta per subject, in input order (R's `linear.predictors`). */
  linearPredictors: number[];
}

/**
 * Fits a Cox proportional hazards model by Newton-Raphson as R's coxph does (survival 3.5, coxfit6):
 * start at `init` (0), take Newton steps; when the log-likelihood decreases (or is not finite) step
 * back towards the last good point, the h-th consecutive time to (new + h old) / (h + 1) (halving
 * first); stop when |1 - loglik_old / loglik_new| <= 1e-9, at most 20 iterations. Covariates are
 * centred and scaled internally like R. Ties: Efron (default) or Breslow. Optional strata (separate
 * baseline hazard per stratum) and ridge penalty lambda/2 sum(beta^2) (see {@link CoxOptions.ridge}).
 *
 * Standard errors come from the inverse information at the estimate (penalised information with
 * ridge). Wald, likelihood-ratio and score tests are chi-square on the number of non-redundant
 * coefficients; with ridge they use that nominal df too (see `effectiveDf`).
 * Covariate values must be finite (drop incomplete rows first, as R's na.omit would).
 */
export function coxph(data: SurvivalData, covariates: Covariates, options: CoxOptions = {}): CoxFit {
  const ties = options.ties ?? 'efron';
  const lambda = options.ridge ?? 0;
  const maxIter = options.maxIter ?? 20;
  const eps = options.eps ?? 1e-9;
  const toler = options.tolerChol ?? CHOLESKY_TOLERANCE;
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`ridge must be a finite number >= 0`);
  const design = buildCoxDesign(data, covariates, options.strata, true);
  const { n, p, scale } = design;
  if (p === 0) throw new RangeError('coxph needs at least one covariate');
  if (options.init) {
    checkLength('init', options.init, p);
    checkFinite('init', options.init);
  }
  const work = coxWork(p);
  const { u, imat } = work;

  // Everything below is in the scaled coordinates beta_s = beta / scale (R's coxfit6).
  const penaltyWeight = Float64Array.from(scale, (s) => lambda * s * s);
  const evaluate = (b: Float64Array): { penalized: number; logLik: number } => {
    const logLik = coxIteration(design, b, ties, work);
    let penalty = 0;
    for (let i = 0; i < p; i++) {
      penalty += (penaltyWeight[i]! * b[i]! * b[i]!) / 2;
      u[i]! -= penaltyWeight[i]! * b[i]!;
      imat[i * p + i]! += penaltyWeight[i]!;
    }
    return { penalized: logLik - penalty, logLik };
  };

  const beta = new Float64Array(p);
  for (let i = 0; i < p; i++) beta[i] = (options.init?.[i] ?? 0) / scale[i]!;
  const start = evaluate(beta);
  const logLikNull = start.logLik;
  const step = Float64Array.from(u);
  cholesky2(imat, p, toler);
  chsolve2(imat, p, step);
  let scoreStatistic = 0;
  for (let i = 0; i < p; i++) scoreStatistic += u[i]! * step[i]!;

  let best = start;
  let iterations = 0;
  let converged = false;
  if (maxIter === 0 || !Number.isFinite(start.penalized)) {
    chinv2(imat, p);
  } else {
    const newBeta = Float64Array.from(beta, (b, i) => b + step[i]!);
    let halving = 0;
    for (iterations = 1; iterations <= maxIter; iterations++) {
      const trial = evaluate(newBeta);
      cholesky2(imat, p, toler);
      const finite =
        Number.isFinite(trial.penalized) && u.every(Number.isFinite) && imat.every(Number.isFinite);
      if (finite && Math.abs(1 - best.penalized / trial.penalized) <= eps) {
        best = trial;
        beta.set(newBeta);
        chinv2(imat, p);
        converged = true;
        break;
      }
      if (!finite || trial.penalized < best.penalized) {
        halving++;
        for (let i = 0; i < p; i++) newBeta[i] = (newBeta[i]! + halving * beta[i]!) / (halving + 1);
      } else {
        halving = 0;
        best = trial;
        chsolve2(imat, p, u);
        for (let i = 0; i < p; i++) {
          beta[i] = newBeta[i]!;
          newBeta[i] = newBeta[i]! + u[i]!;
        }
      }
    }
    if (!converged) {
      // Out of iterations: report the last accepted point.
      iterations = maxIter;
      best = evaluate(beta);
      cholesky2(imat, p, toler);
      chinv2(imat, p);
    }
  }

  // Back to the original scale.
  const variance = new Float64Array(p * p);
  const coefficients: number[] = [];
  for (let i = 0; i < p; i++) {
    coefficients.push(beta[i]! * scale[i]!);
    for (let j = 0; j < p; j++) variance[i * p + j] = imat[i * p + j]! * scale[i]! * scale[j]!;
  }
  const redundant = coefficients.map((_, i) => variance[i * p + i] === 0);
  const standardErrors = coefficients.map((_, i) =>
    redundant[i] ? Number.NaN : Math.sqrt(variance[i * p + i]!),
  );
  const estimable = coefficients.map((_, i) => i).filter((i) => !redundant[i]);
  const df = estimable.length;

  // Wald test as R's coxph.wtest: beta' var^- beta over the estimable coefficients.
  const m = estimable.length;
  const subVariance = new Float64Array(m * m);
  estimable.forEach((i, a) => {
    estimable.forEach((j, b) => {
      subVariance[a * m + b] = variance[i * p + j]!;
    });
  });
  const waldStatistic = inverseQuadraticForm(
    subVariance,
    m,
    estimable.map((i) => coefficients[i]!),
    toler,
  );

  // effective df = trace(var x unpenalised information), the information recomputed at the estimate.
  let effectiveDf = df;
  if (lambda > 0) {
    coxIteration(design, beta, ties, work);
    effectiveDf = 0;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++)
        effectiveDf += imat[i * p + j]! * (variance[j * p + i]! / (scale[i]! * scale[j]!));
    }
  }

  const lrStatistic = 2 * (best.logLik - logLikNull);
  const finalCoef = coefficients.map((c, i) => (redundant[i] ? Number.NaN : c));
  const means = Array.from(design.means);
  const linearPredictors = predictRisk({ names: design.names, coefficients: finalCoef, means }, covariates);
  const z = finalCoef.map((c, i) => c / standardErrors[i]!);
  let nEvent = 0;
  for (let i = 0; i < n; i++) nEvent += data.event[i]!;
  return {
    names: design.names,
    coefficients: finalCoef,
    standardErrors,
    z,
    pValues: z.map((zi) => 2 * normalSurvival(Math.abs(zi))),
    variance: toRows(variance, p),
    logLikNull,
    logLik: best.logLik,
    penalizedLogLik: best.penalized,
    waldTest: test(waldStatistic, df),
    likelihoodRatioTest: test(lrStatistic, df),
    scoreTest: test(scoreStatistic, df),
    effectiveDf,
    concordance: concordance(data, linearPredictors, { reverse: true, strata: options.strata }),
    iterations,
    converged,
    n,
    nEvent,
    ties,
    ridge: lambda,
    means,
    linearPredictors,
  };
}

function test(statistic: number, df: number): ChiSquareTest {
  return { statistic, df, pValue: df > 0 ? chiSquareSurvival(statistic, df) : Number.NaN };
}

/** What {@link predictRisk} needs from a fit. */
export interface CoxCoefficients {
  names: string[];
  coefficients: number[];
  /** Centring values; omit (or pass zeros) for the uncentred x . beta. */
  means?: number[];
}

/**
 * Linear predictor of a Cox model for new subjects: sum_j beta_j (x_j - mean_j), as R's
 * `predict(fit, newdata, type = "lp")` with the fit's centring (`means`); `type: "risk"` gives
 * exp(linear predictor), R's type = "risk". Higher means higher hazard. Redundant (NaN)
 * coefficients contribute nothing. `covariates` must hold every name in `fit.names`.
 */
export function predictRisk(
  fit: CoxCoefficients,
  covariates: Covariates,
  options: { type?: 'lp' | 'risk' } = {},
): number[] {
  const columns = fit.names.map((name) => {
    const column = covariates[name];
    if (!column) throw new RangeError(`covariate ${name} is missing`);
    return column;
  });
  const n = columns[0]?.length ?? 0;
  const result = new Array<number>(n).fill(0);
  fit.names.forEach((name, j) => {
    const coef = fit.coefficients[j]!;
    if (Number.isNaN(coef)) return;
    const column = columns[j]!;
    checkLength(`covariate ${name}`, column, n);
    const mean = fit.means?.[j] ?? 0;
    for (let i = 0; i < n; i++) result[i]! += coef * (column[i]! - mean);
  });
  return options.type === 'risk' ? result.map(Math.exp) : result;
}
