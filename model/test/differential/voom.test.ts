import { describe, expect, it } from 'vitest';
import {
  columnSums,
  compareGroups,
  designColumns,
  linearInterpolator,
  lowess,
  tmmNormFactors,
  toMatrix,
  twoGroupDesign,
  voom,
} from '../../src/differential/index.ts';
import { cholKichCounts, voomRef } from './cholKich.ts';
import { expectAllClose, expectClose, expectColumns, expectPrior, TOL } from './fixtures.ts';

describe('limma-voom with TMM against R (CHOL vs KICH raw counts)', () => {
  const counts = cholKichCounts();
  const result = compareGroups({
    values: counts,
    groups: voomRef.group,
    method: 'voom',
    reference: 'CHOL',
    genes: voomRef.genes,
  });
  const ref = voomRef.limma_voom;

  it('library sizes and TMM normalisation factors (edgeR calcNormFactors)', () => {
    expect(Array.from(result.libSize!)).toEqual(voomRef.lib_size);
    expectAllClose(result.normFactors!, voomRef.tmm_norm_factors, TOL, 'norm.factors');
  });

  it('voom precision weights of the first gene', () => {
    const matrix = toMatrix(counts, voomRef.group.length);
    const { matrix: m, design } = designColumns(matrix, twoGroupDesign(voomRef.group, 'CHOL'));
    const libSize = columnSums(m);
    const factors = tmmNormFactors(m);
    const v = voom(
      m,
      design,
      libSize.map((l, j) => l * factors[j]!),
    );
    expectAllClose(v.weights.subarray(0, m.nSamples), voomRef.voom_weights_first_gene, TOL, 'weights');
  });

  it('prior degrees of freedom and variance', () => {
    expectPrior(result, ref, TOL);
  });

  it('logFC, AveExpr, t, p and BH adjusted p', () => {
    const { logFC, AveExpr, t, P, adjP } = ref;
    expectColumns(result.rows, { logFC, aveExpr: AveExpr, statistic: t, pValue: P, adjPValue: adjP }, TOL);
  });
});

describe('lowess and interpolation', () => {
  it('a straight line is reproduced exactly', () => {
    const x = Array.from({ length: 50 }, (_, i) => (i * 7) % 50);
    const y = x.map((v) => 3 - 0.5 * v);
    const fit = lowess(x, y, { f: 0.5 });
    fit.x.forEach((v, i) => {
      expect(v).toBe(i);
      expectClose(fit.y[i]!, 3 - 0.5 * i, 1e-12, `y[${i}]`, 1);
    });
  });

  it('approx(rule = 2) with ties averaged', () => {
    const f = linearInterpolator(Float64Array.from([0, 1, 1, 3]), Float64Array.from([0, 1, 3, 4]));
    expect(f(-1)).toBe(0);
    expect(f(0.5)).toBe(1);
    expect(f(1)).toBe(2);
    expect(f(2)).toBe(3);
    expect(f(10)).toBe(4);
  });
});
