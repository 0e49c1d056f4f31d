import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, coxph, logRankTest } from '../../src/survival/index.ts';
import { expectRelClose, loadFixture, stad, stadRows } from './fixtures.ts';

interface SurvdiffRef {
  chisq: number;
  df: number;
  p_value: number;
  groups: string[];
  n: number[];
  observed: number[];
  expected: number[];
}
const ref = loadFixture<Record<'tme_binary' | 'lauren' | 'stage', SurvdiffRef>>('stad_logrank.json');

const cases = [
  ['tme_binary', 'TMEscore_plus_binary'],
  ['lauren', 'Lauren'],
  ['stage', 'stage'],
] as const;

describe('logRankTest against R survdiff (stomach cohort)', () => {
  it.each(cases)('%s', (key, column) => {
    const r = ref[key];
    const result = logRankTest(
      stad,
      stadRows.map((row) => row[column]),
    );
    expect(result.groups.map((g) => `${column}=${g}`)).toEqual(r.groups);
    expect(result.n).toEqual(r.n);
    expect(result.df).toBe(r.df);
    expect(result.dropped).toBe(stadRows.length - r.n.reduce((s, v) => s + v, 0));
    result.observed.forEach((o, g) => {
      expect(o).toBe(r.observed[g]);
    });
    result.expected.forEach((e, g) => {
      expectRelClose(e, r.expected[g]!, 1e-9, `expected[${g}]`);
    });
    expectRelClose(result.statistic, r.chisq, 1e-9, 'chisq');
    expectRelClose(result.pValue, r.p_value, 1e-9, 'p');
    // The chi-square tail alone, at R's statistic, to 1e-12.
    expectRelClose(chiSquareSurvival(r.chisq, r.df), r.p_value, 1e-12, 'pchisq');
  });
});

describe('logRankTest closed forms and identities', () => {
  it('two subjects, one event each: O - E = 1/2, V = 1/4, chi-square 1', () => {
    const result = logRankTest({ time: [1, 2], event: [1, 1] }, ['a', 'b']);
    expect(result.observed).toEqual([1, 1]);
    expect(result.expected).toEqual([0.5, 1.5]);
    expect(result.variance).toEqual([
      [0.25, -0.25],
      [-0.25, 0.25],
    ]);
    expect(result.statistic).toBeCloseTo(1, 15);
  });

  it('hand-computed 2 x 3 example with a tie', () => {
    // group a: 1, 3+, 4 ; group b: 1, 2, 5+
    // t=1: N=6, d=2, Na=3: Ea=1, V=2*4/5*(1/2)(1/2)=0.4
    // t=2: N=4, d=1, Na=2: Ea=1/2, V=1*3/3*(1/2)(1/2)=0.25
    // t=4: N=2, d=1, Na=1: Ea=1/2, V=1*1/1*(1/2)(1/2)=0.25
    const group = ['a', 'a', 'a', 'b', 'b', 'b'];
    const result = logRankTest({ time: [1, 3, 4, 1, 2, 5], event: [1, 0, 1, 1, 1, 0] }, group);
    expect(result.observed).toEqual([2, 2]);
    expect(result.expected[0]).toBeCloseTo(2, 15);
    expect(result.variance[0]![0]).toBeCloseTo(0.9, 15);
    expect(result.statistic).toBeCloseTo(0, 15);
    const shifted = logRankTest({ time: [1, 3, 4, 1, 2, 5], event: [1, 0, 1, 0, 1, 0] }, group);
    // b's first subject is now censored at 1. t=1: N=6, d=1, Na=3: Ea=1/2, V=1*5/5*(1/2)(1/2)=1/4;
    // t=2: N=4 (a: 3, 4; b: 2, 5), Na=2: Ea=1/2, V=1/4; t=4: N=2 (a: 4; b: 5), Na=1: Ea=1/2, V=1/4
    expect(shifted.observed).toEqual([2, 1]);
    expect(shifted.expected[0]).toBeCloseTo(1.5, 14);
    expect(shifted.variance[0]![0]).toBeCloseTo(0.75, 14);
    expect(shifted.statistic).toBeCloseTo(0.5 ** 2 / 0.75, 13);
  });

  it('observed and expected have equal totals and the variance rows sum to 0', () => {
    const result = logRankTest(
      stad,
      stadRows.map((r) => r.stage),
    );
    const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
    expect(sum(result.expected)).toBeCloseTo(sum(result.observed), 10);
    for (const row of result.variance) expect(Math.abs(sum(row))).toBeLessThan(1e-10);
  });

  it('without tied times it equals the Cox score test of the group indicator', () => {
    const time = stad.time.map((t, i) => t + i * 1e-6); // break every tie
    const data = { time, event: stad.event };
    const high = stadRows.map((r) => (r.TMEscore_plus_binary === 'High' ? 1 : 0));
    const lr = logRankTest(
      data,
      stadRows.map((r) => r.TMEscore_plus_binary),
    );
    const fit = coxph(data, { high }, { ties: 'breslow' });
    expect(lr.statistic).toBeCloseTo(fit.scoreTest.statistic, 9);
  });

  it('strata: O, E and V are the sums over strata', () => {
    const strata = stadRows.map((r) => r.TMEscore_plus_binary);
    const group = stadRows.map((r) => r.Lauren);
    const stratified = logRankTest(stad, group, { strata });
    const parts = ['High', 'Low'].map((s) => {
      const rows = stadRows.map((_, i) => i).filter((i) => strata[i] === s);
      return logRankTest(
        { time: rows.map((i) => stad.time[i]!), event: rows.map((i) => stad.event[i]!) },
        rows.map((i) => group[i]),
      );
    });
    stratified.expected.forEach((e, g) => {
      expect(e).toBeCloseTo(parts[0]!.expected[g]! + parts[1]!.expected[g]!, 10);
      expect(stratified.observed[g]).toBe(parts[0]!.observed[g]! + parts[1]!.observed[g]!);
      stratified.variance[g]!.forEach((v, h) => {
        expect(v).toBeCloseTo(parts[0]!.variance[g]![h]! + parts[1]!.variance[g]![h]!, 10);
      });
    });
    const single = logRankTest(stad, group, { strata: stadRows.map(() => 'one') });
    expect(single.statistic).toBe(logRankTest(stad, group).statistic);
  });

  it('rho = 1 (Peto-Peto) weights each event time by the pooled left-continuous KM', () => {
    // a: 1, 3 ; b: 2, 4 (no censoring). Pooled S(t-): 1, 3/4, 1/2, 1/4.
    // t=1: N=4, Na=2: Ea=1*2/4; t=2: N=3, Na=1: Ea=3/4*1/3; t=3: N=2, Na=1: Ea=1/2*1/2; t=4: Na=0
    const result = logRankTest({ time: [1, 3, 2, 4], event: [1, 1, 1, 1] }, ['a', 'a', 'b', 'b'], { rho: 1 });
    expect(result.observed[0]).toBeCloseTo(1 + 0.5, 15);
    expect(result.expected[0]).toBeCloseTo(0.5 + 0.25 + 0.25, 15);
    // V: t=1: 1*(3)/(3)*(2/4)(2/4)=1/4; t=2: (9/16)*1*(2/2)*(1/3)(2/3)=1/8; t=3: (1/4)*(1/2)(1/2)=1/16
    expect(result.variance[0]![0]).toBeCloseTo(0.25 + 0.125 + 0.0625, 15);
  });

  it('needs two groups', () => {
    expect(() => logRankTest({ time: [1, 2], event: [1, 1] }, ['a', 'a'])).toThrow(RangeError);
  });
});
