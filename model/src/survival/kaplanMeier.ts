import { normalQuantile } from './distributions.ts';
import type { GroupLabel, SurvivalData } from './types.ts';
import { checkLength, checkSurvivalData, codeLabels, sortedLevels } from './validate.ts';

/** Options for {@link kaplanMeier}. */
export interface KaplanMeierOptions {
  /** Confidence level of the pointwise intervals (default 0.95, as R's survfit). */
  confLevel?: number;
}

/**
 * A Kaplan-Meier curve in the layout of R's `survfit` (conf.type = "log"): one row per distinct
 * observed time, whether an event or a censoring time.
 */
export interface KaplanMeierCurve {
  /** Number of subjects. */
  n: number;
  confLevel: number;
  time: number[];
  nRisk: number[];
  nEvent: number[];
  nCensor: number[];
  /** Product-limit estimate S(t). */
  surv: number[];
  /**
   * R's `std.err`: the standard error of the cumulative hazard -log S(t), i.e. sqrt of the Greenwood
   * sum of d / (n (n - d)). It is NOT the standard error of S(t) (that would be surv * stdErr).
   * Infinite once everybody at risk has died (n = d).
   */
  stdErr: number[];
  /** Lower limit of the log-scale interval exp(log S - z stdErr); NaN where S = 0 (R's NA). */
  lower: number[];
  /** Upper limit min(1, exp(log S + z stdErr)); NaN where S = 0. */
  upper: number[];
}

/** The two-sided normal quantile of a confidence level (1.96 at 0.95). */
export function confidenceZ(confLevel: number): number {
  return normalQuantile(1 - (1 - confLevel) / 2);
}

/** Greenwood's term of one time with `deaths` of `atRisk`: d / (n (n - d)) (infinite when all die). */
export function greenwoodTerm(atRisk: number, deaths: number): number {
  return deaths / (atRisk * (atRisk - deaths));
}

/**
 * The log-scale pointwise limits (R's conf.type = "log", the default) of survival `s` whose Greenwood sum
 * (the variance of -log S) is `greenwood`: S exp(-/+ z sqrt(greenwood)), the upper capped at 1; NaN where S = 0.
 */
export function logScaleLimits(s: number, greenwood: number, z: number): { lower: number; upper: number } {
  if (s === 0) return { lower: Number.NaN, upper: Number.NaN };
  const se = Math.sqrt(greenwood);
  return { lower: Math.exp(Math.log(s) - z * se), upper: Math.min(1, Math.exp(Math.log(s) + z * se)) };
}

/**
 * Kaplan-Meier estimator with Greenwood variance and log-scale pointwise confidence intervals,
 * reproducing R's `survfit(Surv(time, status) ~ 1)` (survival 3.5, conf.type = "log", the default).
 *
 * Rows are the distinct observed times (ties are exact equality; R's `timefix` merging of times that
 * differ by rounding error is not done). Subjects censored at an event time are at risk at that time.
 * `surv` multiplies (n - d) / n over event times; `stdErr` is sqrt(sum d / (n (n - d))), the standard
 * error of the cumulative hazard; the interval is S exp(-/+ z stdErr), the upper limit capped at 1.
 */
export function kaplanMeier(data: SurvivalData, options: KaplanMeierOptions = {}): KaplanMeierCurve {
  const confLevel = options.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1))
    throw new RangeError(`confLevel must be in (0, 1), got ${confLevel}`);
  const n = checkSurvivalData(data);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => data.time[a]! - data.time[b]!);
  const zval = confidenceZ(confLevel);

  const curve: KaplanMeierCurve = {
    n,
    confLevel,
    time: [],
    nRisk: [],
    nEvent: [],
    nCensor: [],
    surv: [],
    stdErr: [],
    lower: [],
    upper: [],
  };
  let km = 1;
  let greenwood = 0;
  for (let start = 0; start < n; ) {
    const t = data.time[order[start]!]!;
    let deaths = 0;
    let end = start;
    while (end < n && data.time[order[end]!] === t) {
      deaths += data.event[order[end]!]!;
      end++;
    }
    const atRisk = n - start;
    if (deaths > 0) {
      km *= (atRisk - deaths) / atRisk;
      greenwood += greenwoodTerm(atRisk, deaths);
    }
    const limits = logScaleLimits(km, greenwood, zval);
    curve.time.push(t);
    curve.nRisk.push(atRisk);
    curve.nEvent.push(deaths);
    curve.nCensor.push(end - start - deaths);
    curve.surv.push(km);
    curve.stdErr.push(Math.sqrt(greenwood));
    curve.lower.push(limits.lower);
    curve.upper.push(limits.upper);
    start = end;
  }
  return curve;
}

/** One line of R's `summary(survfit)$table` (print.survfit's table). */
export interface KaplanMeierSummary {
  records: number;
  /** Largest number at risk. */
  nMax: number;
  /** Number at risk at the first time. */
  nStart: number;
  events: number;
  /** Restricted mean survival time: area under S(t) from min(0, first time) to `rmeanEndTime`. */
  rmean: number;
  /** Its standard error, as R's survmean computes it. */
  seRmean: number;
  rmeanEndTime: number;
  /** Median survival; NaN (R's NA) when S never falls to 0.5. */
  median: number;
  /** Lower confidence limit of the median: where the upper curve falls to 0.5; NaN if never. */
  medianLower: number;
  /** Upper confidence limit: where the lower curve falls to 0.5; NaN if never (R's NA). */
  medianUpper: number;
}

const HALF_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * R's `minmin`: the first time at which y <= 0.5 (up to a sqrt(machine eps) tolerance); when y is 0.5
 * there exactly, the midpoint between that time and the next time at which y drops further.
 */
function firstTimeAtOrBelowHalf(y: number[], time: number[]): number {
  const keepY: number[] = [];
  const keepT: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!Number.isNaN(v) && v < 0.5 + HALF_TOLERANCE) {
      keepY.push(v);
      keepT.push(time[i]!);
    }
  }
  if (keepY.length === 0) return Number.NaN;
  const y0 = keepY[0]!;
  if (Math.abs(y0 - 0.5) < HALF_TOLERANCE) {
    const next = keepY.findIndex((v) => v < y0);
    if (next >= 0) return (keepT[0]! + keepT[next]!) / 2;
  }
  return keepT[0]!;
}

/**
 * Median survival with its confidence interval and the restricted mean, as in R's
 * `summary(survfit(...))$table` (survival 3.5 `survmean`).
 *
 * Median: first time with S(t) <= 0.5 (the midpoint of that and the next drop when S is exactly 0.5).
 * Its CI is read off the pointwise log-scale band: the lower limit is where `upper` first falls to
 * 0.5, the upper limit where `lower` does; NaN (R's NA) when the band never reaches 0.5.
 * Restricted mean: integral of S from min(0, first time) to `rmeanEndTime` (default: the curve's last
 * time; R's rmean = "common" uses the largest last time over all curves, see
 * {@link kaplanMeierByGroup}), with R's variance sum over event times of (area beyond t)^2 d/(n(n-d)).
 */
export function summarizeKaplanMeier(curve: KaplanMeierCurve, rmeanEndTime?: number): KaplanMeierSummary {
  const { time, surv, nRisk, nEvent } = curve;
  const m = time.length;
  const endTime = rmeanEndTime ?? time[m - 1] ?? 0;
  let startTime = 0;
  for (const t of time) if (t < startTime) startTime = t;

  // Rectangles under the step function up to endTime (R's survmean).
  const tempTime: number[] = [];
  const tempSurv: number[] = [];
  const hh: number[] = [];
  for (let i = 0; i < m; i++) {
    if (time[i]! <= endTime) {
      tempTime.push(time[i]!);
      tempSurv.push(surv[i]!);
      const nr = nRisk[i]!;
      const d = nEvent[i]!;
      hh.push(nr - d === 0 ? 0 : d / (nr * (nr - d)));
    }
  }
  if (tempTime.length === 0) {
    tempTime.push(endTime);
    tempSurv.push(1);
    hh.push(0);
  } else {
    tempTime.push(endTime);
    tempSurv.push(tempSurv[tempSurv.length - 1]!);
    hh.push(0);
  }
  const k = tempTime.length;
  const rectangles: number[] = [];
  let previous = startTime;
  for (let i = 0; i < k; i++) {
    const height = i === 0 ? 1 : tempSurv[i - 1]!;
    rectangles.push((tempTime[i]! - previous) * height);
    previous = tempTime[i]!;
  }
  const rmean = rectangles.reduce((s, r) => s + r, 0);
  // varmean = sum(cumsum(rev(rectangles[-1]))^2 * rev(hh)[-1])
  let varmean = 0;
  let cumulative = 0;
  for (let j = 0; j < k - 1; j++) {
    cumulative += rectangles[k - 1 - j]!;
    varmean += cumulative * cumulative * hh[k - 2 - j]!;
  }

  return {
    records: curve.n,
    nMax: nRisk.reduce((a, b) => Math.max(a, b), 0),
    nStart: nRisk[0] ?? 0,
    events: nEvent.reduce((s, d) => s + d, 0),
    rmean,
    seRmean: Math.sqrt(varmean),
    rmeanEndTime: endTime,
    median: firstTimeAtOrBelowHalf(surv, time),
    medianLower: firstTimeAtOrBelowHalf(curve.lower, time),
    medianUpper: firstTimeAtOrBelowHalf(curve.upper, time),
  };
}

/** Per-group Kaplan-Meier curves with their summaries. */
export interface GroupedKaplanMeier {
  /** Group labels in R's factor order. */
  groups: GroupLabel[];
  curves: KaplanMeierCurve[];
  /** Summaries with R's default rmean = "common": all restricted to the largest last time. */
  summaries: KaplanMeierSummary[];
  /** Rows dropped because their group label was missing. */
  dropped: number;
}

/**
 * Kaplan-Meier curves per group, as R's `survfit(Surv(time, status) ~ group)`: one curve per level
 * (levels sorted like an R factor), rows with a missing label dropped, and summaries whose restricted
 * mean uses R's default upper limit "common" (the largest last time over all curves).
 */
export function kaplanMeierByGroup(
  data: SurvivalData,
  group: ArrayLike<GroupLabel | null | undefined>,
  options: KaplanMeierOptions = {},
): GroupedKaplanMeier {
  const n = checkSurvivalData(data);
  checkLength('group', group, n);
  const groups = sortedLevels(group);
  const codes = codeLabels(group, groups);
  const curves = groups.map((_, k) => {
    const time: number[] = [];
    const event: (0 | 1)[] = [];
    for (let i = 0; i < n; i++) {
      if (codes[i] === k) {
        time.push(data.time[i]!);
        event.push(data.event[i]!);
      }
    }
    return kaplanMeier({ time, event }, options);
  });
  const commonEnd = Math.max(...curves.map((c) => c.time[c.time.length - 1]!));
  const dropped = codes.reduce((s, c) => s + (c < 0 ? 1 : 0), 0);
  return { groups, curves, summaries: curves.map((c) => summarizeKaplanMeier(c, commonEnd)), dropped };
}
