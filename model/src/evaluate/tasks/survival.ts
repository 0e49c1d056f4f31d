/**
 * Task 2 of the paper: survival risk. On the fold's patients with overall survival, pooled over the
 * cancer types: PCA(5) + Cox on the measured vocabulary genes (the paper's baseline), GexBERT's embedding
 * + PCA(5) + Cox, cancer type alone, and both expression models with cancer type as covariates (Harrell's
 * C pooled and within type); the log-rank p of the median split of training risk. Then the anchor-gene
 * experiment (survivalAnchors.ts) and the per-cohort models (survivalCohorts.ts).
 */

import { type Matrix, selectRows } from '../../stats/matrix.ts';
import type { SurvivalData } from '../../survival/index.ts';
import { embedPanel, type FoldContext } from '../fold.ts';
import {
  cancerTypeCoxRisk,
  covariateCoxRisk,
  namedColumns,
  pcaCoxRisk,
  pcaScores,
  type RiskModelResult,
  riskGroupSurvival,
  typeDummies,
  withinTypeCIndex,
} from '../survival.ts';
import { anchorRisk } from './survivalAnchors.ts';
import { cohortRisk } from './survivalCohorts.ts';

/** The GexBERT risk model's name in the report. */
export const GEXBERT_RISK = 'gexbert-embedding+pca5+cox';

/** The method name of the rows counting the samples joined to the survival table (every method uses them). */
export const JOINED_METHOD = 'all methods';

/** The setting of the pooled models. */
export const POOLED_SETTING = 'overall survival, all types';

/** One test patient's survival and GexBERT risk group (median of the fold's training risk). */
export interface RiskGroupMember {
  time: number;
  event: 0 | 1;
  group: string;
}

/** The training or test patients of a fold that have overall survival. */
export interface SurvivalPatients {
  /** Their rows in the fold's train / test index list. */
  rows: number[];
  data: SurvivalData;
  /** Cancer type per patient. */
  types: string[];
  /** Per-gene z over the vocabulary: patients x V. */
  z: Matrix;
  /** GexBERT embedding of all vocabulary genes: patients x width. */
  embedding: Matrix;
}

/** The patients of the fold's train or test index list that have overall survival, with their embeddings. */
async function withSurvival(
  fold: FoldContext,
  idx: number[],
  z: Matrix,
  labels: string[],
): Promise<SurvivalPatients> {
  const os = fold.survival!;
  const patient = (s: number) => fold.data.patients[s]!;
  const rows = idx.flatMap((s, r) => (os.has(patient(s)) ? [r] : []));
  const recs = rows.map((r) => os.get(patient(idx[r]!))!);
  const zRows = selectRows(z, rows);
  return {
    rows,
    data: { time: recs.map((x) => x.time), event: recs.map((x) => x.event) },
    types: rows.map((r) => labels[r]!),
    z: zRows,
    embedding: await embedPanel(fold, zRows),
  };
}

/** PCA(5) of `pick`'s features + cancer-type dummies, ridge Cox. */
function pcaTypeCoxRisk(
  train: SurvivalPatients,
  test: SurvivalPatients,
  pick: (p: SurvivalPatients) => Matrix,
): RiskModelResult {
  const scores = pcaScores(pick(train), pick(test), 5);
  const levels = [...new Set(train.types)];
  return covariateCoxRisk(
    { ...namedColumns(scores.train, 'PC'), ...typeDummies(levels, train.types) },
    train.data,
    { ...namedColumns(scores.test, 'PC'), ...typeDummies(levels, test.types) },
    test.data,
  );
}

/** Records the survival measurements of one fold; returns its test patients' GexBERT risk groups. */
export async function survivalRisk(fold: FoldContext): Promise<RiskGroupMember[]> {
  const started = Date.now();
  const train = await withSurvival(fold, fold.trainIdx, fold.trainZ, fold.trainLabels);
  const test = await withSurvival(fold, fold.testIdx, fold.testZ, fold.testLabels);
  fold.log(
    `survival: ${train.rows.length} training and ${test.rows.length} test patients with overall survival`,
  );
  fold.note(
    `Survival${fold.folds > 1 ? ` (fold ${fold.fold + 1})` : ''}: ${train.rows.length} training and ${test.rows.length} test patients with overall survival (joined on each sample's patient).`,
  );
  const setting = POOLED_SETTING;
  const m = fold.measurements;
  m.record('survival', JOINED_METHOD, setting, 'training patients joined', [train.rows.length]);
  m.record('survival', JOINED_METHOD, setting, 'test patients joined', [test.rows.length]);
  const pca = pcaCoxRisk(train.z, train.data, test.z, test.data, { k: 5 });
  const gex = pcaCoxRisk(train.embedding, train.data, test.embedding, test.data, { k: 5 });
  const type = cancerTypeCoxRisk(train.types, train.data, test.types, test.data);
  const pcaType = pcaTypeCoxRisk(train, test, (p) => p.z);
  const gexType = pcaTypeCoxRisk(train, test, (p) => p.embedding);
  m.record('survival', 'pca5+cox', setting, 'c-index', [pca.cIndex]);
  m.record('survival', GEXBERT_RISK, setting, 'c-index', [gex.cIndex]);
  m.record('survival', 'cancer-type+cox', setting, 'c-index', [type.cIndex]);
  m.record('survival', 'pca5+type+cox', setting, 'c-index', [pcaType.cIndex]);
  m.record('survival', 'gexbert-embedding+pca5+type+cox', setting, 'c-index', [gexType.cIndex]);
  const withinType: [string, RiskModelResult][] = [
    ['pca5+cox', pca],
    [GEXBERT_RISK, gex],
    ['pca5+type+cox', pcaType],
    ['gexbert-embedding+pca5+type+cox', gexType],
  ];
  for (const [method, result] of withinType)
    m.record('survival', method, setting, 'c-index within type', [
      withinTypeCIndex(test.data, result.testRisk, test.types),
    ]);
  fold.note(
    'Survival, "c-index within type": Harrell\'s C with pairs formed only between test patients of the same cancer type (does the model rank patients within a type); "+type" models add one dummy covariate per training cancer type but the first.',
  );
  const pcaGroups = riskGroupSurvival(test.data, pca.testRisk, 'median', pca.trainRisk);
  const groups = riskGroupSurvival(test.data, gex.testRisk, 'median', gex.trainRisk);
  m.record('survival', 'pca5+cox', setting, 'log-rank p (median split)', [pcaGroups.logRank.pValue]);
  m.record('survival', GEXBERT_RISK, setting, 'log-rank p (median split)', [groups.logRank.pValue]);
  await anchorRisk(fold, train, test);
  cohortRisk(fold, train, test);
  fold.log(`survival: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return groups.group.map((group, i) => ({ time: test.data.time[i]!, event: test.data.event[i]!, group }));
}
