/** Result rows of an evaluation run and their JSON / Markdown renderings. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * One measured number of the evaluation report.
 *
 * - `task`: which result of the paper it belongs to: "classification", "survival" or "imputation"
 *   (free text allowed for other tasks).
 * - `method`: what produced the number, e.g. "logistic", "mlp", "gexbert", "pca5+cox", "cancer-type",
 *   "mean", "knn".
 * - `setting`: the experimental condition, e.g. "k=64 genes", "missing=50%, genes=1000", "test 30%".
 * - `metric`: the measured quantity, e.g. "accuracy", "macro-F1", "c-index", "pearson", "rmse".
 * - `value`: the measurement (a mean when repeated over seeds or folds).
 * - `spread`: its variability over repeats (standard deviation), or null for a single measurement.
 */
export interface ReportRow {
  task: string;
  method: string;
  setting: string;
  metric: string;
  value: number;
  spread: number | null;
}

/**
 * Whether a smaller value of `metric` is better: errors (RMSE, MSE, MAE), losses and p-values; accuracy,
 * F1, C-index and correlations are better when larger. The report, the API and the portal all use this.
 */
export function lowerIsBetter(metric: string): boolean {
  return /mse|mae|error|loss|^ece$|^known flagged$|^intervalWidth$|(^|\W)p(\W|$)/i.test(metric);
}

/** The rows as pretty-printed JSON (non-finite numbers become null). */
export function reportToJson(rows: ReportRow[]): string {
  return `${JSON.stringify(
    rows.map((r) => ({ ...r, value: Number.isFinite(r.value) ? r.value : null })),
    null,
    2,
  )}\n`;
}

/** Writes the rows as JSON, creating the directory if needed. */
export async function writeReportJson(path: string, rows: ReportRow[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, reportToJson(rows));
}

function formatNumber(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'NA';
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table with one line per row: value shown as "0.975 ± 0.012" when there is a spread. */
export function reportToMarkdown(rows: ReportRow[], digits = 3): string {
  const lines = ['| task | method | setting | metric | value |', '| --- | --- | --- | --- | ---: |'];
  for (const r of rows) {
    const value =
      r.spread === null || !Number.isFinite(r.spread)
        ? formatNumber(r.value, digits)
        : `${formatNumber(r.value, digits)} ± ${formatNumber(r.spread, digits)}`;
    lines.push(
      `| ${escapeCell(r.task)} | ${escapeCell(r.method)} | ${escapeCell(r.setting)} | ${escapeCell(r.metric)} | ${value} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the Markdown table, creating the directory if needed. */
export async function writeReportMarkdown(path: string, rows: ReportRow[], digits = 3): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, reportToMarkdown(rows, digits));
}
