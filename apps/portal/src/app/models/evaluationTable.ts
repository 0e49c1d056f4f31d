// A `gexbert evaluate` report as tables: one per task, one line per (setting, metric), GexBERT's column
// first and each baseline beside it, and a plain sentence for every place GexBERT is behind a baseline.

import type { ModelsOverviewQuery } from '../../generated/graphql.ts';

/** One row of a version's evaluation report, as the API gives it (with `lowerIsBetter` per metric). */
export type EvaluationRow = ModelsOverviewQuery['models']['nodes'][number]['evaluation'][number];

export interface EvaluationLine {
  setting: string;
  metric: string;
  /** One entry per method of the task's `methods`, null where the report has no number. */
  values: (EvaluationRow | null)[];
}

export interface TaskTable {
  task: string;
  /** GexBERT's method(s) first, then the baselines in report order. */
  methods: string[];
  lines: EvaluationLine[];
  /** Sentences naming each baseline that beats GexBERT. */
  behind: string[];
}

const TASK_ORDER = ['classification', 'survival', 'imputation'];

export const isGexbert = (method: string) => method.toLowerCase().startsWith('gexbert');

export function showValue(row: EvaluationRow | null): string {
  if (!row) return '–';
  return row.spread === null ? row.value.toFixed(3) : `${row.value.toFixed(3)} ± ${row.spread.toFixed(3)}`;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function behindSentences(task: string, methods: string[], lines: EvaluationLine[]): string[] {
  const sentences: string[] = [];
  for (const line of lines) {
    const lower = line.values.some((r) => r?.lowerIsBetter);
    for (const ours of line.values) {
      if (!ours || !isGexbert(ours.method)) continue;
      for (const [i, other] of line.values.entries()) {
        if (!other || isGexbert(methods[i]!)) continue;
        const worse = lower ? ours.value > other.value : ours.value < other.value;
        if (worse)
          sentences.push(
            `On ${task} (${line.setting}), GexBERT (${ours.method})'s ${line.metric} ${ours.value.toFixed(3)} is ${lower ? 'worse than (higher)' : 'below'} ${other.method}'s ${other.value.toFixed(3)}.`,
          );
      }
    }
  }
  return sentences;
}

/** The report's rows as one table per task (classification, survival, imputation first, others after). */
export function taskTables(rows: readonly EvaluationRow[]): TaskTable[] {
  const tasks = unique(rows.map((r) => r.task)).sort(
    (a, b) => (TASK_ORDER.indexOf(a) + 1 || 99) - (TASK_ORDER.indexOf(b) + 1 || 99),
  );
  return tasks.map((task) => {
    // Confusion-matrix cells (metric `confusion:<true>-><predicted>`) are counts, not scores, and per-type
    // recall (`recall:<TYPE>`, one line per type) belongs to the report's own tables: both left out here.
    const ofTask = rows.filter((r) => r.task === task && !/^(confusion|recall):/.test(r.metric));
    const all = unique(ofTask.map((r) => r.method));
    const methods = [...all.filter(isGexbert), ...all.filter((m) => !isGexbert(m))];
    const keys = unique(ofTask.map((r) => `${r.setting}\u0000${r.metric}`));
    const lines = keys.map((key) => {
      const [setting, metric] = key.split('\u0000') as [string, string];
      const values = methods.map(
        (m) => ofTask.find((r) => r.method === m && r.setting === setting && r.metric === metric) ?? null,
      );
      return { setting, metric, values };
    });
    return { task, methods, lines, behind: behindSentences(task, methods, lines) };
  });
}
