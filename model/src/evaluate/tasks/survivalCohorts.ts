/**
 * Survival within one cancer type: for each type with enough deaths among its training and its test
 * patients, PCA(k) + Cox on the measured vocabulary genes against GexBERT's embedding + PCA(k) + Cox,
 * both fitted on that type's training patients only (setting `cohort=<TYPE>`).
 */

import { selectRows } from '../../stats/matrix.ts';
import type { FoldContext } from '../fold.ts';
import { pcaCoxRisk } from '../survival.ts';
import type { SurvivalPatients } from './survival.ts';

/** A type qualifies with at least this many training and test events; k components (few events per type). */
export const COHORT_RULE = { minTrainEvents: 10, minTestEvents: 3, k: 2 } as const;

/** Rows of the patients of one type, and their number of events. */
function ofType(p: SurvivalPatients, type: string): { rows: number[]; events: number } {
  const rows = p.types.flatMap((t, i) => (t === type ? [i] : []));
  return { rows, events: rows.reduce((s, i) => s + p.data.event[i]!, 0) };
}

function subset(p: SurvivalPatients, rows: number[]) {
  return {
    z: selectRows(p.z, rows),
    embedding: selectRows(p.embedding, rows),
    data: { time: rows.map((i) => p.data.time[i]!), event: rows.map((i) => p.data.event[i]!) },
  };
}

/** Records per-type C-indices for the types that qualify; names the others (with their events) in a note. */
export function cohortRisk(fold: FoldContext, train: SurvivalPatients, test: SurvivalPatients): void {
  const { minTrainEvents, minTestEvents, k } = COHORT_RULE;
  const skipped: string[] = [];
  const types = [...new Set([...train.types, ...test.types])].sort();
  for (const type of types) {
    const a = ofType(train, type);
    const b = ofType(test, type);
    if (a.events < minTrainEvents || b.events < minTestEvents || a.rows.length <= k) {
      skipped.push(`${type} (${a.events} training / ${b.events} test events)`);
      continue;
    }
    const tr = subset(train, a.rows);
    const te = subset(test, b.rows);
    const setting = `cohort=${type}`;
    const pca = pcaCoxRisk(tr.z, tr.data, te.z, te.data, { k });
    const gex = pcaCoxRisk(tr.embedding, tr.data, te.embedding, te.data, { k });
    fold.measurements.record('survival', `pca${k}+cox`, setting, 'c-index', [pca.cIndex]);
    fold.measurements.record('survival', `gexbert-embedding+pca${k}+cox`, setting, 'c-index', [gex.cIndex]);
    fold.log(`survival ${setting}: ${a.events} training / ${b.events} test events`);
  }
  fold.note(
    `Survival per cohort: a cancer type is evaluated on its own (PCA(${k}) of the type's training patients, ridge Cox) when it has at least ${minTrainEvents} deaths among its training and ${minTestEvents} among its test patients.`,
  );
  if (skipped.length > 0)
    fold.note(
      `Survival per cohort${fold.folds > 1 ? ` (fold ${fold.fold + 1})` : ''}: too few events for ${skipped.join(', ')}.`,
    );
}
