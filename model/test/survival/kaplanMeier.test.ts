import { describe, expect, it } from 'vitest';
import { kaplanMeier, kaplanMeierByGroup, summarizeKaplanMeier } from '../../src/survival/index.ts';
import { expectRelClose, loadFixture, stad, stadRows } from './fixtures.ts';

interface KmRow {
  stratum: string;
  time: number;
  n_risk: number;
  n_event: number;
  n_censor: number;
  surv: number;
  std_err: number;
  lower: number | null;
  upper: number | null;
}
type MedianRecord = Record<string, number | string | null>;
interface KmFit {
  conf_level: number;
  table: KmRow[];
  median: MedianRecord[];
}
const km = loadFixture<{ all: KmFit; by_lauren: KmFit }>('stad_kaplan_meier.json');

const TOL = 1e-9;
const Z975 = 1.959963984540054; // R: qnorm(0.975)

function expectCurveMatches(curve: ReturnType<typeof kaplanMeier>, rows: KmRow[]): void {
  expect(curve.time.length).toBe(rows.length);
  rows.forEach((r, i) => {
    expect(curve.time[i]).toBe(r.time);
    expect(curve.nRisk[i]).toBe(r.n_risk);
    expect(curve.nEvent[i]).toBe(r.n_event);
    expect(curve.nCensor[i]).toBe(r.n_censor);
    expectRelClose(curve.surv[i]!, r.surv, TOL, `surv at ${r.time}`);
    expectRelClose(curve.stdErr[i]!, r.std_err, TOL, `std.err at ${r.time}`);
    expectRelClose(curve.lower[i]!, r.lower, TOL, `lower at ${r.time}`);
    expectRelClose(curve.upper[i]!, r.upper, TOL, `upper at ${r.time}`);
  });
}

/** R's summary table arrives as records (by group) or as {summary(s)$table, _row} pairs (one curve). */
function medianTable(fit: KmFit): MedianRecord[] {
  const first = fit.median[0]!;
  if (!('summary(s)$table' in first)) return fit.median;
  return [Object.fromEntries(fit.median.map((r) => [r._row as string, r['summary(s)$table']!]))];
}

function expectSummaryMatches(summary: ReturnType<typeof summarizeKaplanMeier>, ref: MedianRecord): void {
  expect(summary.records).toBe(ref.records);
  expect(summary.nMax).toBe(ref['n.max']);
  expect(summary.nStart).toBe(ref['n.start']);
  expect(summary.events).toBe(ref.events);
  expectRelClose(summary.rmean, ref.rmean as number, TOL, 'rmean');
  expectRelClose(summary.seRmean, ref['se(rmean)'] as number, TOL, 'se(rmean)');
  expectRelClose(summary.median, ref.median as number | null, 0, 'median');
  expectRelClose(summary.medianLower, ref['0.95LCL'] as number | null, 0, '0.95LCL');
  expectRelClose(summary.medianUpper, ref['0.95UCL'] as number | null, 0, '0.95UCL');
}

describe('kaplanMeier against R survfit (stomach cohort)', () => {
  it('whole cohort: every row of the table', () => {
    expect(km.all.conf_level).toBe(0.95);
    expectCurveMatches(kaplanMeier(stad), km.all.table);
  });

  it('whole cohort: median, its CI and the restricted mean', () => {
    const [ref] = medianTable(km.all);
    expectSummaryMatches(summarizeKaplanMeier(kaplanMeier(stad)), ref!);
  });

  it('by Lauren class: strata in R order, rows and summaries (rmean = "common")', () => {
    const fit = kaplanMeierByGroup(
      stad,
      stadRows.map((r) => r.Lauren),
    );
    expect(fit.groups.map((g) => `Lauren=${g}`)).toEqual([
      ...new Set(km.by_lauren.table.map((r) => r.stratum)),
    ]);
    expect(fit.dropped).toBe(stadRows.filter((r) => r.Lauren === null).length);
    fit.groups.forEach((g, k) => {
      const stratum = `Lauren=${g}`;
      expectCurveMatches(
        fit.curves[k]!,
        km.by_lauren.table.filter((r) => r.stratum === stratum),
      );
      const ref = medianTable(km.by_lauren).find((r) => r._row === stratum)!;
      expectSummaryMatches(fit.summaries[k]!, ref);
    });
  });
});

describe('kaplanMeier closed forms', () => {
  it('5-subject toy example computed by hand', () => {
    // t:     1  2  2+ 3  4+
    // at risk 5, 4, 2, 1; S = 4/5, 4/5*3/4, *1/2, unchanged
    const curve = kaplanMeier({ time: [3, 1, 2, 4, 2], event: [1, 1, 1, 0, 0] });
    expect(curve.time).toEqual([1, 2, 3, 4]);
    expect(curve.nRisk).toEqual([5, 4, 2, 1]);
    expect(curve.nEvent).toEqual([1, 1, 1, 0]);
    expect(curve.nCensor).toEqual([0, 1, 0, 1]);
    const surv = [0.8, 0.6, 0.3, 0.3];
    const greenwood = [1 / 20, 1 / 20 + 1 / 12, 1 / 20 + 1 / 12 + 1 / 2, 1 / 20 + 1 / 12 + 1 / 2];
    surv.forEach((s, i) => {
      const se = Math.sqrt(greenwood[i]!);
      expect(curve.surv[i]).toBeCloseTo(s, 15);
      expect(curve.stdErr[i]).toBeCloseTo(se, 15);
      expect(curve.lower[i]).toBeCloseTo(s * Math.exp(-Z975 * se), 14);
      expect(curve.upper[i]).toBeCloseTo(Math.min(1, s * Math.exp(Z975 * se)), 14);
    });
    const summary = summarizeKaplanMeier(curve);
    expect(summary.median).toBe(3);
    // Area under S on [0, 4]: 1*1 + 1*0.8 + 1*0.6 + 1*0.3
    expect(summary.rmean).toBeCloseTo(2.7, 14);
  });

  it('uncensored data: S hits 0.5 exactly (median is the midpoint), S = 0 gives an infinite std.err and NA limits', () => {
    const times = [4, 1, 3, 2];
    const curve = kaplanMeier({ time: times, event: [1, 1, 1, 1] });
    expect(curve.surv).toEqual([0.75, 0.5, 0.25, 0]);
    expect(curve.stdErr[3]).toBe(Number.POSITIVE_INFINITY);
    expect(curve.lower[3]).toBeNaN();
    expect(curve.upper[3]).toBeNaN();
    const summary = summarizeKaplanMeier(curve);
    expect(summary.median).toBe(2.5);
    // Without censoring the restricted mean is the sample mean and its se is sqrt(sum (t - mean)^2) / n.
    const mean = 2.5;
    expect(summary.rmean).toBeCloseTo(mean, 14);
    const ss = times.reduce((s, t) => s + (t - mean) ** 2, 0);
    expect(summary.seRmean).toBeCloseTo(Math.sqrt(ss) / times.length, 14);
  });

  it('the confidence level sets z', () => {
    const data = { time: [1, 2, 3, 4, 5, 6], event: [1, 0, 1, 1, 0, 1] as (0 | 1)[] };
    const c95 = kaplanMeier(data);
    const c90 = kaplanMeier(data, { confLevel: 0.9 });
    const z95 = 1.959963984540054; // qnorm(0.975)
    const z90 = 1.6448536269514722; // qnorm(0.95)
    let checked = 0;
    c95.surv.forEach((s, i) => {
      if (!(s > 0 && c95.stdErr[i]! > 0)) return;
      const logRatio95 = Math.log(s) - Math.log(c95.lower[i]!);
      const logRatio90 = Math.log(s) - Math.log(c90.lower[i]!);
      expect(logRatio90 / logRatio95).toBeCloseTo(z90 / z95, 12);
      checked++;
    });
    expect(checked).toBe(5);
  });

  it('rejects malformed input', () => {
    expect(() => kaplanMeier({ time: [1, 2], event: [1] })).toThrow(RangeError);
    expect(() => kaplanMeier({ time: [1, Number.NaN], event: [1, 0] })).toThrow(RangeError);
    expect(() => kaplanMeier({ time: [1, 2], event: [1, 2 as 1] })).toThrow(RangeError);
  });
});
