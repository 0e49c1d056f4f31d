/**
 * Measurements of an evaluation before they become report rows: each task records the values of one
 * (task, method, setting, metric) cell per panel draw and per fold; the report shows their mean and spread.
 */
import { meanAndSd } from '../stats/metrics.ts';
import type { ReportRow } from './report.ts';

export interface Measurement {
  task: string;
  method: string;
  setting: string;
  metric: string;
  /** One value per repeat (panel draw, fold); counts (e.g. confusion cells) are summed instead. */
  values: number[];
  /** Sum the values instead of averaging them (confusion-matrix counts). */
  sum?: boolean;
}

/** Collects measurements in the order they are first recorded. */
export class Measurements {
  readonly #cells = new Map<string, Measurement>();

  record(task: string, method: string, setting: string, metric: string, values: number[], sum = false): void {
    const key = JSON.stringify([task, method, setting, metric]);
    const cell = this.#cells.get(key);
    if (cell) cell.values.push(...values);
    else
      this.#cells.set(key, { task, method, setting, metric, values: [...values], ...(sum ? { sum } : {}) });
  }

  /** Mean and standard deviation over repeats (null spread for one value); sums for count cells. */
  rows(): ReportRow[] {
    return [...this.#cells.values()].map(({ task, method, setting, metric, values, sum }) => {
      if (sum)
        return { task, method, setting, metric, value: values.reduce((a, b) => a + b, 0), spread: null };
      const { mean, sd } = meanAndSd(values);
      return { task, method, setting, metric, value: mean, spread: values.length > 1 ? sd : null };
    });
  }
}
