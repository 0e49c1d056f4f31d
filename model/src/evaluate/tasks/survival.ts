/**
 * Task 2 of the paper: survival risk. On the fold's patients with overall survival: PCA(5) + Cox on the
 * measured vocabulary genes (the paper's baseline), GexBERT's embedding + PCA(5) + Cox, and cancer type
 * alone; Harrell's C on the test patients and the log-rank p of the median split of training risk.
 */
import type { SurvivalData } from '../../survival/index.ts';
import { embedPanel, type FoldContext } from '../fold.ts';
import { selectRows } from '../matrix.ts';
import { cancerTypeCoxRisk, pcaCoxRisk, riskGroupSurvival } from '../survival.ts';

/** The GexBERT risk model's name in the report. */
export const GEXBERT_RISK = 'gexbert-embedding+pca5+cox';

/** One test patient's survival and GexBERT risk group (median of the fold's training risk). */
export interface RiskGroupMember {
  time: number;
  event: 0 | 1;
  group: string;
}

/** Rows (of the fold's train / test index lists) of patients with overall survival, and their survival. */
function withSurvival(fold: FoldContext, idx: number[]): { rows: number[]; data: SurvivalData } {
  const os = fold.survival!;
  const patient = (s: number) => fold.data.counts.sampleIds[s]!.slice(0, 12);
  const rows = idx.flatMap((s, r) => (os.has(patient(s)) ? [r] : []));
  const recs = rows.map((r) => os.get(patient(idx[r]!))!);
  return { rows, data: { time: recs.map((x) => x.time), event: recs.map((x) => x.event) } };
}

/** Records the survival measurements of one fold; returns its test patients' GexBERT risk groups. */
export async function survivalRisk(fold: FoldContext): Promise<RiskGroupMember[]> {
  const train = withSurvival(fold, fold.trainIdx);
  const test = withSurvival(fold, fold.testIdx);
  fold.log(
    `survival: ${train.rows.length} training and ${test.rows.length} test patients with overall survival`,
  );
  fold.note(
    `Survival${fold.folds > 1 ? ` (fold ${fold.fold + 1})` : ''}: ${train.rows.length} training and ${test.rows.length} test patients with overall survival.`,
  );
  const setting = 'overall survival, all types';
  const m = fold.measurements;
  const trainZ = selectRows(fold.trainZ, train.rows);
  const testZ = selectRows(fold.testZ, test.rows);
  const pca = pcaCoxRisk(trainZ, train.data, testZ, test.data, { k: 5 });
  const gex = pcaCoxRisk(
    await embedPanel(fold, trainZ),
    train.data,
    await embedPanel(fold, testZ),
    test.data,
    {
      k: 5,
    },
  );
  const type = cancerTypeCoxRisk(
    train.rows.map((r) => fold.trainLabels[r]!),
    train.data,
    test.rows.map((r) => fold.testLabels[r]!),
    test.data,
  );
  m.record('survival', 'pca5+cox', setting, 'c-index', [pca.cIndex]);
  m.record('survival', GEXBERT_RISK, setting, 'c-index', [gex.cIndex]);
  m.record('survival', 'cancer-type+cox', setting, 'c-index', [type.cIndex]);
  const pcaGroups = riskGroupSurvival(test.data, pca.testRisk, 'median', pca.trainRisk);
  const groups = riskGroupSurvival(test.data, gex.testRisk, 'median', gex.trainRisk);
  m.record('survival', 'pca5+cox', setting, 'log-rank p (median split)', [pcaGroups.logRank.pValue]);
  m.record('survival', GEXBERT_RISK, setting, 'log-rank p (median split)', [groups.logRank.pValue]);
  return groups.group.map((group, i) => ({ time: test.data.time[i]!, event: test.data.event[i]!, group }));
}
