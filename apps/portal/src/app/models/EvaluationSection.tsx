// The `gexbert evaluate` report attached to a checkpoint: per task a table with GexBERT beside each
// baseline (TSV download), and a sentence wherever GexBERT is behind a baseline.
import { DataTable } from '../../components/DataTable.tsx';
import { type EvaluationRow, showValue, taskTables } from './evaluationTable.ts';

const TASK_TITLES: Record<string, string> = {
  classification: 'Cancer-type classification (accuracy by number of input genes)',
  survival: 'Overall survival (C-index)',
  imputation: 'Imputation of missing genes (Pearson r)',
};

export function EvaluationSection(props: { rows: EvaluationRow[]; versionId: string }) {
  if (props.rows.length === 0)
    return (
      <p className="muted">
        No evaluation attached: run <code>gexbert evaluate … --attach &lt;checkpoint folder&gt;</code>.
      </p>
    );
  return (
    <div data-testid={`evaluation-${props.versionId}`}>
      <p className="muted">
        Scores of this recipe from <code>gexbert evaluate</code> (its report.md, beside report.json in the
        checkpoint's evaluation folder, says how the samples were split): the evaluation trains its own
        GexBERT with the same recipe on training samples only, so these are not this checkpoint's own scores.
      </p>
      {taskTables(props.rows).map((t) => (
        <div key={t.task} data-testid={`evaluation-${t.task}`}>
          <h5>{TASK_TITLES[t.task] ?? t.task}</h5>
          <DataTable
            title={`Evaluation ${t.task}`}
            urlKey={`evaluation-${t.task}`}
            columns={[
              { label: 'Setting' },
              { label: 'Metric' },
              ...t.methods.map((m) => ({ label: m, numeric: true })),
            ]}
            rows={t.lines.map((line) => ({
              key: `${line.setting}|${line.metric}`,
              cells: [
                { value: line.setting },
                { value: line.metric },
                ...line.values.map((v) => ({ value: v?.value ?? null, text: showValue(v) })),
              ],
            }))}
            pageSize={10}
            emptyText="No rows."
          />
          {t.behind.length === 0 ? (
            <p>GexBERT matches or beats every baseline on {t.task}.</p>
          ) : (
            <ul className="behind">
              {t.behind.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </div>
  );
}
