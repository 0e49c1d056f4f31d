import { describe, expect, it } from 'vitest';
import {
  compareGroups,
  eBayes,
  fitTwoGroups,
  toMatrix,
  twoGroupDesign,
} from '../../src/differential/index.ts';
import { expectClose, expectColumns, expectPrior, TOL } from './fixtures.ts';
import { stadRef, stadValues } from './stad.ts';

describe('limma lmFit + eBayes against R (stomach cohort, Lauren Diffuse vs Intestinal)', () => {
  const values = stadValues();
  const ref = stadRef.limma;
  const result = compareGroups({ values, groups: stadRef.group, method: 'limma', reference: 'Intestinal' });

  it('design, genes and the prior (squeezeVar)', () => {
    expect([result.reference, result.comparison]).toEqual(['Intestinal', 'Diffuse']);
    expect(result.nReference + result.nComparison).toBe(219);
    expect(result.rows.map((r) => r.gene)).toEqual(stadRef.genes.map((_, g) => String(g + 1)));
    expectPrior(result, ref, TOL);
  });

  it('logFC, AveExpr, moderated t, p-value, BH adjusted p-value and B', () => {
    const { logFC, AveExpr, t, P, adjP, B } = ref;
    expectColumns(result.rows, { logFC, aveExpr: AveExpr, statistic: t, pValue: P, adjPValue: adjP, B }, TOL);
    expect(result.rows.filter((r) => r.adjPValue < 0.05)).toHaveLength(74);
  });

  it('rows (number[][]) and the default reference give the same fit', () => {
    const n = stadRef.samples.length;
    const rows = stadRef.genes.map((_, g) => Array.from(values.subarray(g * n, (g + 1) * n)));
    const again = compareGroups({ values: rows, groups: stadRef.group, method: 'limma' });
    // Sorted levels: Diffuse is the default reference, so the sign flips.
    expect(again.reference).toBe('Diffuse');
    again.rows.forEach((r, g) => {
      expectClose(-r.logFC, ref.logFC[g]!, TOL, `logFC[${g}]`);
      expectClose(r.pValue, ref.P[g]!, TOL, `P[${g}]`);
    });
  });
});

describe('two-group least squares by hand', () => {
  it('weighted group means and residual variance', () => {
    // One gene: reference 1, 2, 3 (weights 1, 1, 2), comparison 5, 7 (weights 1, 3).
    const matrix = toMatrix(Float64Array.from([1, 2, 3, 5, 7]), 5);
    const design = twoGroupDesign(['a', 'a', 'a', 'b', 'b']);
    const fit = fitTwoGroups(matrix, design, Float64Array.from([1, 1, 2, 1, 3]));
    // Weighted means 9/4 and 26/4; rss = 1.5625 + 0.0625 + 2 * 0.5625 + 2.25 + 3 * 0.25 = 5.75.
    expectClose(fit.coefficient[0]!, 26 / 4 - 9 / 4, 1e-15, 'coefficient');
    expectClose(fit.stdevUnscaled[0]!, Math.sqrt(1 / 4 + 1 / 4), 1e-15, 'stdev.unscaled');
    expectClose(fit.sigma2[0]!, 5.75 / 3, 1e-15, 'sigma^2');
    expect(fit.dfResidual[0]).toBe(3);
    expectClose(fit.aveExpr[0]!, 18 / 5, 1e-15, 'Amean');
  });

  it('missing values are left out gene by gene', () => {
    const matrix = toMatrix(Float64Array.from([1, 2, Number.NaN, 5, 7, 1, 2, 3, 5, 7]), 5);
    const design = twoGroupDesign(['a', 'a', 'a', 'b', 'b']);
    const fit = fitTwoGroups(matrix, design);
    expect(Array.from(fit.dfResidual)).toEqual([2, 3]);
    expectClose(fit.coefficient[0]!, 4.5, 1e-15, 'coefficient');
    const moderated = eBayes(fit);
    expect(moderated.t.every(Number.isFinite)).toBe(true);
  });
});
