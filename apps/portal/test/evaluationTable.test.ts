// The Models page's evaluation tables: GexBERT first, baselines beside it, confusion counts left out.
import { describe, expect, it } from 'vitest';
import { type EvaluationRow, taskTables } from '../src/app/models/evaluationTable.ts';

const row = (method: string, metric: string, value: number, lowerIsBetter = false): EvaluationRow => ({
  task: 'classification',
  method,
  setting: 'k=64 genes',
  metric,
  value,
  spread: null,
  lowerIsBetter,
});

describe('evaluation tables', () => {
  it('show scores with GexBERT first, name baselines ahead of it, and leave confusion and per-type recall out', () => {
    const [table] = taskTables([
      row('mlp', 'accuracy', 0.97),
      row('gexbert-embedding+logistic', 'accuracy', 0.96),
      row('mlp', 'confusion:ACC->ACC', 38),
      row('gexbert-embedding+logistic', 'confusion:ACC->ACC', 37),
      row('mlp', 'recall:ACC', 1),
      row('gexbert-embedding+logistic', 'recall:ACC', 0.5),
    ]);
    expect(table!.methods).toEqual(['gexbert-embedding+logistic', 'mlp']);
    expect(table!.lines.map((l) => l.metric)).toEqual(['accuracy']);
    expect(table!.behind).toHaveLength(1);
    expect(table!.behind[0]).toMatch(/below mlp's 0\.970/);
  });

  it("take the API's lowerIsBetter: a higher error is behind, a higher score is not", () => {
    const [table] = taskTables([
      row('knn', 'rmse (z)', 0.5, true),
      row('gexbert', 'rmse (z)', 0.6, true),
      row('knn', 'pearson', 0.8),
      row('gexbert', 'pearson', 0.85),
    ]);
    expect(table!.behind).toHaveLength(1);
    expect(table!.behind[0]).toMatch(/rmse \(z\) 0\.600 is worse than \(higher\) knn's 0\.500/);
  });
});
