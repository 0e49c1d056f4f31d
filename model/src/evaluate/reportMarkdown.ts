/**
 * report.md: the three tasks' tables side by side with the paper's claims, a plain sentence for every
 * comparison of a GexBERT method with a baseline (beaten or not), the per-type recall and the confusion
 * matrices.
 */
import { lowerIsBetter, type ReportRow, reportToMarkdown } from './report.ts';
import { trustSection } from './trustMarkdown.ts';

export interface MarkdownInput {
  rows: ReportRow[];
  notes: string[];
  quick: boolean;
  seconds: number;
  /** Plot files written next to the report (base names). */
  plots: string[];
}

const TASKS = ['classification', 'survival', 'imputation'];

const CLAIMS: Record<string, string> = {
  classification: 'Paper: 94% pan-cancer accuracy from 64 genes, above an MLP on the same genes.',
  survival:
    'Paper: GexBERT embeddings predict survival better than PCA, up to +1.7% when prognostic anchor genes are restored from a small panel.',
  imputation: 'Paper: GexBERT restores missing genes better than KNN and a VAE across gene-set sizes.',
};

const isGexbert = (method: string) => method.startsWith('gexbert');
const isConfusion = (metric: string) => metric.startsWith('confusion:');
const isRecall = (metric: string) => metric.startsWith('recall:');
/** Per-class cells (confusion counts, per-type recall) get tables of their own, not lines of the task table. */
const isPerClass = (metric: string) => isConfusion(metric) || isRecall(metric);

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** One sentence per (setting, metric, GexBERT method, baseline) of a task. */
export function findings(rows: ReportRow[]): string[] {
  const out: string[] = [];
  const keys = unique(rows.filter((r) => !isPerClass(r.metric)).map((r) => `${r.setting}\u0000${r.metric}`));
  for (const key of keys) {
    const [setting, metric] = key.split('\u0000') as [string, string];
    const cell = rows.filter((r) => r.setting === setting && r.metric === metric);
    for (const ours of cell.filter((r) => isGexbert(r.method)))
      for (const base of cell.filter((r) => !isGexbert(r.method))) {
        const better = lowerIsBetter(metric) ? ours.value < base.value : ours.value > base.value;
        const diff = ours.value - base.value;
        out.push(
          `${setting}, ${metric}: ${ours.method} (${ours.value.toFixed(3)}) ${better ? 'beats' : 'does NOT beat'} ${base.method} (${base.value.toFixed(3)}; difference ${diff >= 0 ? '+' : ''}${diff.toFixed(3)}).`,
        );
      }
  }
  return out;
}

/** Confusion matrices (summed over draws and folds) as Markdown tables, one per (method, setting). */
export function confusionTables(rows: ReportRow[]): string[] {
  const cells = rows.filter((r) => isConfusion(r.metric));
  const out: string[] = [];
  for (const key of unique(cells.map((r) => `${r.method}\u0000${r.setting}`))) {
    const [method, setting] = key.split('\u0000') as [string, string];
    const mine = cells.filter((r) => r.method === method && r.setting === setting);
    const parse = (metric: string) => metric.slice('confusion:'.length).split('->') as [string, string];
    const classes = unique(mine.map((r) => parse(r.metric)[0])).sort();
    const count = (t: string, p: string) => mine.find((r) => r.metric === `confusion:${t}->${p}`)?.value ?? 0;
    out.push(`**${method}, ${setting}** (rows: true type, columns: predicted)`, '');
    out.push(
      `| true \\ predicted | ${classes.join(' | ')} |`,
      `| --- |${classes.map(() => ' ---: |').join('')}`,
    );
    for (const t of classes) out.push(`| ${t} | ${classes.map((p) => String(count(t, p))).join(' | ')} |`);
    out.push('');
  }
  return out;
}

/** Per-type recall (mean over draws and folds), one table per setting: a line per type, a column per method. */
export function recallTables(rows: ReportRow[]): string[] {
  const cells = rows.filter((r) => isRecall(r.metric));
  const out: string[] = [];
  for (const setting of unique(cells.map((r) => r.setting))) {
    const mine = cells.filter((r) => r.setting === setting);
    const methods = unique(mine.map((r) => r.method));
    const types = unique(mine.map((r) => r.metric.slice('recall:'.length))).sort();
    const value = (method: string, type: string) => {
      const r = mine.find((x) => x.method === method && x.metric === `recall:${type}`);
      return r ? r.value.toFixed(2) : '–';
    };
    out.push(
      `**${setting}**`,
      '',
      `| type | ${methods.join(' | ')} |`,
      `| --- |${methods.map(() => ' ---: |').join('')}`,
    );
    for (const t of types) out.push(`| ${t} | ${methods.map((m) => value(m, t)).join(' | ')} |`);
    out.push('');
  }
  return out;
}

export function renderMarkdown({ rows, notes, quick, seconds, plots }: MarkdownInput): string {
  const out: string[] = ['# GexBERT evaluation', ''];
  out.push(
    `Mode: ${quick ? '--quick (few training steps, few draws: indicative only)' : 'full'}; run time ${seconds.toFixed(0)} s.`,
    '',
  );
  for (const n of notes) out.push(`- ${n}`);
  out.push('');
  const tasks = [
    ...TASKS,
    ...unique(rows.map((r) => r.task)).filter((t) => !TASKS.includes(t) && t !== 'trust'),
  ];
  for (const task of tasks) {
    const taskRows = rows.filter((r) => r.task === task);
    out.push(`## ${task}`, '');
    if (CLAIMS[task]) out.push(CLAIMS[task]!, '');
    if (taskRows.length === 0) {
      out.push('Not evaluated.', '');
      continue;
    }
    out.push(reportToMarkdown(taskRows.filter((r) => !isPerClass(r.metric))));
    for (const f of findings(taskRows)) out.push(`- ${f}`);
    if (task === 'classification') {
      const g64 = taskRows.find(
        (r) =>
          r.method === 'gexbert-embedding+logistic' && r.setting === 'k=64 genes' && r.metric === 'accuracy',
      );
      if (g64)
        out.push(
          `- GexBERT accuracy from 64 genes: ${(100 * g64.value).toFixed(1)}% (paper: 94%; a different, smaller data set and split).`,
        );
      const recall = recallTables(taskRows);
      if (recall.length > 0)
        out.push(
          '',
          '### Per-type recall',
          '',
          "Share of each type's test samples predicted as that type (mean over panel draws and folds).",
          '',
          ...recall,
        );
      const confusion = confusionTables(taskRows);
      if (confusion.length > 0) out.push('', '### Confusion matrices', '', ...confusion);
    }
    out.push('');
  }
  out.push(...trustSection(rows));
  out.push(`Plots: ${plots.join(', ')}.`, '');
  return `${out.join('\n')}\n`;
}
