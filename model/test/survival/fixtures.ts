// Loads the R ground truth in <shared>/fixtures/survival (<shared>: sharedDir(), the platform's shared data
// folder).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import type { EventIndicator, SurvivalData } from '../../src/survival/index.ts';

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(sharedDir(), 'fixtures', 'survival', name), 'utf8')) as T;
}

export interface StadRow {
  ID: string;
  time: number;
  OS_status: number;
  stage: string | null;
  Lauren: string | null;
  TMEscore_plus: number;
  TMEscore_plus_binary: string;
  GZMB: number;
  CD274: number;
  MALAT1: number;
}

export const stadRows: StadRow[] = loadFixture<{ rows: StadRow[] }>('stad_input.json').rows;

export const stad: SurvivalData & { time: number[]; event: EventIndicator[] } = {
  time: stadRows.map((r) => r.time),
  event: stadRows.map((r): EventIndicator => (r.OS_status === 1 ? 1 : 0)),
};

/**
 * Asserts |actual - expected| <= tol * |expected| (exact equality when expected is 0). `null` in a
 * fixture is R's NA and must come back as NaN. Returns the relative deviation.
 */
export function expectRelClose(actual: number, expected: number | null, tol: number, label = ''): number {
  if (expected === null) {
    expect(actual, `${label}: R gives NA`).toBeNaN();
    return 0;
  }
  const deviation = Math.abs(actual - expected);
  expect(deviation, `${label}: ${actual} vs R ${expected}`).toBeLessThanOrEqual(tol * Math.abs(expected));
  return expected === 0 ? 0 : deviation / Math.abs(expected);
}
