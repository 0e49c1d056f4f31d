import { describe, expect, it } from 'vitest';
import {
  compareGroups,
  groupMoments,
  toMatrix,
  twoGroupDesign,
  welchTests,
  wilcoxonTests,
} from '../../src/differential/index.ts';
import { expectClose, expectColumns, TOL } from './fixtures.ts';
import { stadRef, stadValues } from './stad.ts';

const values = stadValues();
const run = (method: 'welch' | 'wilcoxon') =>
  compareGroups({ values, groups: stadRef.group, method, reference: 'Intestinal', genes: stadRef.genes });

describe('Welch t-tests against R t.test (stomach cohort, Diffuse vs Intestinal)', () => {
  it('t, df, p and BH adjusted p; logFC is the difference of means (as limma without weights)', () => {
    const { t, df, P, adjP } = stadRef.welch;
    expectColumns(
      run('welch').rows,
      { statistic: t, df, pValue: P, adjPValue: adjP, logFC: stadRef.limma.logFC },
      TOL,
    );
  });
});

describe('Wilcoxon rank-sum tests against R wilcox.test(exact = FALSE, correct = TRUE)', () => {
  it('p and BH adjusted p', () => {
    const { P, adjP } = stadRef.wilcoxon;
    expectColumns(run('wilcoxon').rows, { pValue: P, adjPValue: adjP }, TOL);
  });
});

describe('closed forms', () => {
  // comparison x = 1, 2, 3, 4 and reference y = 3, 5, 7 (then x with a tie and y = 2, 3, 4).
  const design = twoGroupDesign(['x', 'x', 'x', 'x', 'y', 'y', 'y'], 'y');

  it('Welch by hand', () => {
    const welch = welchTests(groupMoments(toMatrix([[1, 2, 3, 4, 3, 5, 7]], 7), design));
    // var(x) = 5/3, var(y) = 4: se^2 = 5/12 + 4/3 = 7/4; df = (7/4)^2 / ((5/12)^2/3 + (4/3)^2/2) = 21168/6544.
    expectClose(welch.t[0]!, -2.5 / Math.sqrt(1.75), 1e-15, 't');
    expectClose(welch.df[0]!, 21168 / 6544, 1e-15, 'df');
    expectClose(welch.pValue[0]!, 0.14847134702688533, 1e-13, 'p (mpmath)');
  });

  it('Wilcoxon by hand, with ties', () => {
    const wilcoxon = wilcoxonTests(toMatrix([[1, 2, 2, 5, 2, 3, 4]], 7), design);
    // Ranks 1, 3, 3, 7 for x: W = 14 - 10 = 4; ties (2, 2, 2) give t^3 - t = 24;
    // sigma^2 = (12 / 12) (8 - 24 / 42); z = (4 - 6 + 0.5) / sigma.
    expect(wilcoxon.W[0]).toBe(4);
    expectClose(wilcoxon.z[0]!, -1.5 / Math.sqrt(8 - 24 / 42), 1e-15, 'z');
    expectClose(wilcoxon.pValue[0]!, 0.5820796519295022, 1e-13, 'p (mpmath)');
  });

  it('samples outside both groups are ignored', () => {
    const withOthers = twoGroupDesign(['x', null, 'x', 'x', 'z', 'x', 'y', 'y', 'y'], 'y', 'x');
    const welch = welchTests(groupMoments(toMatrix([[1, 100, 2, 3, -50, 4, 3, 5, 7]], 9), withOthers));
    expectClose(welch.t[0]!, -2.5 / Math.sqrt(1.75), 1e-15, 't');
    expect(() => twoGroupDesign(['x', 'y', 'z'])).toThrow(/two groups/);
  });
});

describe('degenerate genes', () => {
  // Gene 1 varies, gene 2 is constant, gene 3 has no values, gene 4 lacks two values.
  const groups = ['a', 'a', 'a', 'b', 'b', 'b'];
  const N = Number.NaN;
  const rows = [
    [1, 2, 3, 4, 6, 5],
    [2, 2, 2, 2, 2, 2],
    [N, N, N, N, N, N],
    [1.5, N, 2.5, 3, N, 4.5],
  ];
  it.each(['limma', 'welch', 'wilcoxon'] as const)(
    '%s: undefined tests are NaN, the rest stand',
    (method) => {
      const result = compareGroups({ values: rows, groups, method });
      expect(result.rows[0]!.pValue).toBeGreaterThan(0);
      expect(result.rows[2]!.pValue).toBeNaN();
      expect(result.rows[2]!.adjPValue).toBeNaN();
      expect(result.rows[3]!.logFC).toBe(3.75 - 2);
      if (method !== 'limma') expect(result.rows[1]!.pValue).toBeNaN();
    },
  );
});
