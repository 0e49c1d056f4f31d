import { chiSquareSurvival } from './distributions.ts';
import { inverseQuadraticForm, toRows } from './linearAlgebra.ts';
import type { ChiSquareTest, GroupLabel, SurvivalData } from './types.ts';
import { checkLength, checkSurvivalData, codeLabels, isMissingLabel, sortedLevels } from './validate.ts';

/** Options for {@link logRankTest}. */
export interface LogRankOptions {
  /**
   * Harrington-Fleming G-rho weight: each event time is weighted by S(t-)^rho, S the pooled
   * left-continuous Kaplan-Meier within the stratum. 0 (default) is the log-rank test; 1 is the
   * Peto-Peto modification of the Gehan-Wilcoxon test.
   */
  rho?: number;
  /** Optional strata: observed/expected/variance are accumulated within each stratum, then summed. */
  strata?: ArrayLike<GroupLabel | null | undefined>;
}

/** Result of {@link logRankTest}, in the layout of R's survdiff. */
export interface LogRankResult extends ChiSquareTest {
  /** Group labels in R's factor order. */
  groups: GroupLabel[];
  /** Subjects per group. */
  n: number[];
  /** Observed events per group (weighted when rho != 0). */
  observed: number[];
  /** Expected events per group under equal hazards. */
  expected: number[];
  /** k x k covariance matrix of observed - expected (R's `var`). */
  variance: number[][];
  /** Rows dropped because the group or stratum label was missing. */
  dropped: number;
}

/**
 * k-sample log-rank test (G-rho family), reproducing R's `survdiff(Surv(time, status) ~ group, rho)`.
 *
 * At each distinct event time with d events among N at risk (N_g in group g), the expected count for
 * group g grows by w d N_g / N and the covariance by w^2 d (N - d) / (N - 1) (N_g / N) (delta_gh - N_h / N),
 * w = S(t-)^rho. Groups with zero expected count are left out, and the statistic is
 * (O - E)' V^-1 (O - E) over all remaining groups but the first, chi-square with (groups left - 1) df.
 * Rows with a missing group (or stratum) label are dropped.
 */
export function logRankTest(
  data: SurvivalData,
  group: ArrayLike<GroupLabel | null | undefined>,
  options: LogRankOptions = {},
): LogRankResult {
  const rho = options.rho ?? 0;
  const nAll = checkSurvivalData(data);
  checkLength('group', group, nAll);
  if (options.strata) checkLength('strata', options.strata, nAll);

  const groups = sortedLevels(group);
  const k = groups.length;
  if (k < 2) throw new RangeError('the log-rank test needs at least 2 groups');
  const groupCode = codeLabels(group, groups);
  const strataLabels = options.strata;
  const strataLevels = strataLabels ? sortedLevels(strataLabels) : [];
  const strataCode = strataLabels ? codeLabels(strataLabels, strataLevels) : new Int32Array(nAll);

  const used: number[] = [];
  for (let i = 0; i < nAll; i++) {
    if (groupCode[i]! >= 0 && !(strataLabels && isMissingLabel(strataLabels[i]))) used.push(i);
  }
  // Sort by stratum, then time, deaths before censorings (R: order(strat, time, -status)).
  used.sort(
    (a, b) =>
      strataCode[a]! - strataCode[b]! || data.time[a]! - data.time[b]! || data.event[b]! - data.event[a]!,
  );

  const observed = new Float64Array(k);
  const expected = new Float64Array(k);
  const variance = new Float64Array(k * k);
  const risk = new Float64Array(k);
  const n = new Array<number>(k).fill(0);
  for (const i of used) n[groupCode[i]!]! += 1;

  for (let s0 = 0; s0 < used.length; ) {
    let s1 = s0;
    while (s1 < used.length && strataCode[used[s1]!] === strataCode[used[s0]!]) s1++;
    // Left-continuous pooled Kaplan-Meier within the stratum, needed only for rho != 0.
    const kaplan = new Float64Array(s1 - s0);
    if (rho !== 0) {
      let km = 1;
      for (let i = s0; i < s1; ) {
        const t = data.time[used[i]!]!;
        const nrisk = s1 - i;
        let deaths = 0;
        let j = i;
        for (; j < s1 && data.time[used[j]!] === t; j++) {
          kaplan[j - s0] = km;
          deaths += data.event[used[j]!]!;
        }
        km = (km * (nrisk - deaths)) / nrisk;
        i = j;
      }
    }
    risk.fill(0);
    for (let i = s1 - 1; i >= s0; ) {
      let wt = rho === 0 ? 1 : kaplan[i - s0]! ** rho;
      const t = data.time[used[i]!]!;
      let deaths = 0;
      let j = i;
      for (; j >= s0 && data.time[used[j]!] === t; j--) {
        const subject = used[j]!;
        const g = groupCode[subject]!;
        deaths += data.event[subject]!;
        risk[g]! += 1;
        observed[g]! += data.event[subject]! * wt;
      }
      i = j;
      const nrisk = s1 - (j + 1);
      if (deaths > 0) {
        for (let g = 0; g < k; g++) expected[g]! += (wt * deaths * risk[g]!) / nrisk;
        if (nrisk > 1) {
          wt *= wt;
          for (let g = 0; g < k; g++) {
            const tmp = (wt * deaths * risk[g]! * (nrisk - deaths)) / (nrisk * (nrisk - 1));
            variance[g * k + g]! += tmp;
            for (let h = 0; h < k; h++) variance[g * k + h]! -= (tmp * risk[h]!) / nrisk;
          }
        }
      }
    }
    s0 = s1;
  }

  // Chi-square over the groups with positive expected count, dropping the first of them.
  const keep: number[] = [];
  for (let g = 0; g < k; g++) if (expected[g]! > 0) keep.push(g);
  let statistic = 0;
  const df = keep.length - 1;
  if (keep.length >= 2) {
    const rest = keep.slice(1);
    const m = rest.length;
    const diff = rest.map((g) => observed[g]! - expected[g]!);
    const v = new Float64Array(m * m);
    rest.forEach((g, a) => {
      rest.forEach((h, b) => {
        v[a * m + b] = variance[g * k + h]!;
      });
    });
    statistic = inverseQuadraticForm(v, m, diff);
  }
  return {
    groups,
    n,
    observed: Array.from(observed),
    expected: Array.from(expected),
    variance: toRows(variance, k),
    statistic,
    df,
    pValue: df > 0 ? chiSquareSurvival(statistic, df) : Number.NaN,
    dropped: nAll - used.length,
  };
}
