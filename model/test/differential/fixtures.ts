// Loads the R ground truth in <shared>/fixtures/de and its inputs in <shared>/data/tcga (the shared
// folder is found as for the survival fixtures).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { sharedDir } from '../survival/fixtures.ts';

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(sharedDir, 'fixtures', 'de', name), 'utf8')) as T;
}

/** A gzipped tab-separated matrix: header of column names, then a row name and values per line. */
export function readMatrix(relativePath: string): { columns: string[]; rows: Map<string, Float64Array> } {
  const text = gunzipSync(readFileSync(path.join(sharedDir, relativePath))).toString('utf8');
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
