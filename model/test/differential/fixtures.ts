// Loads the R ground truth in <shared>/fixtures/de and its inputs in <shared>/data/tcga (the shared
// folder is found as for the survival fixtures).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import type { DifferentialResult, DifferentialRow } from '../../src/differential/index.ts';

/** Relative tolerance of the comparisons with R (the brief's is 1e-6; agreement is about 1e-12). */
export const TOL = 1e-9;

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(sharedDir(), 'fixtures', 'de', name), 'utf8')) as T;
}

/** A gzipped tab-separated matrix: header of column names, then a row name and values per line. */
export function readMatrix(relativePath: string): { columns: string[]; rows: Map<string, Float64Array> } {
  const text = gunzipSync(readFileSync(path.join(sharedDir(), relativePath))).toString('utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const columns = lines[0]!.split('\t').slice(1);
  const rows = new Map<string, Float64Array>();
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    rows.set(cells[0]!, Float64Array.from(cells.slice(1), Number));
  }
  return { columns, rows };
}

/**
 * Asserts |actual - expected| <= tol * max(|expected|, floor) and returns the relative deviation
 * (absolute below `floor`).
 */
export function expectClose(actual: number, expected: number, tol: number, label: string, floor = 0): number {
  const scale = Math.max(Math.abs(expected), floor);
  const deviation = Math.abs(actual - expected);
  expect(deviation, `${label}: ${actual} vs R ${expected}`).toBeLessThanOrEqual(tol * scale);
  return scale === 0 ? 0 : deviation / scale;
}

/** Checks every element and returns the largest deviation (relative, or absolute below `floor`). */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  label: string,
  floor = 0,
): number {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, expectClose(actual[i]!, expected[i]!, tol, `${label}[${i}]`, floor));
  }
  return worst;
}

type NumericColumn = 'logFC' | 'aveExpr' | 'statistic' | 'pValue' | 'adjPValue' | 'B' | 'df';

/** Checks result columns against R's (relative tolerance) and returns the largest deviation of each. */
export function expectColumns(
  rows: DifferentialRow[],
  expected: Partial<Record<NumericColumn, number[]>>,
  tol: number,
): Partial<Record<NumericColumn, number>> {
  const worst: Partial<Record<NumericColumn, number>> = {};
  for (const [key, values] of Object.entries(expected) as [NumericColumn, number[]][]) {
    worst[key] = expectAllClose(
      rows.map((r) => r[key] ?? Number.NaN),
      values,
      tol,
      key,
    );
  }
  return worst;
}

/** Checks limma's empirical Bayes prior (df.prior, s2.prior) against R's. */
export function expectPrior(
  result: DifferentialResult,
  ref: { df_prior: number; s2_prior: number },
  tol: number,
) {
  expectClose(result.prior!.df, ref.df_prior, tol, 'df.prior');
  expectClose(result.prior!.variance, ref.s2_prior, tol, 's2.prior');
}
