/**
 * The paper's anchor-gene experiment. A small random panel of vocabulary genes is "measured"; prognostic
 * anchor genes outside it (the top genes by univariate Cox |z| on the training patients) are restored
 * from the panel alone — by GexBERT's decoder and, as a baseline, by nearest neighbours — for training
 * and test patients alike, and added to PCA(5) of the panel in a ridge Cox model. Compared with the
 * panel alone and with the anchors actually measured (the oracle upper bound). A second setting adds
 * cancer type as covariates, with anchors screened by a type-stratified Cox model.
 */

import { randomGenePanel } from '../../data/dataset.ts';
import type { GexbertModel } from '../../gexbert/architecture/model.ts';
import { OMIT, type Predictor, restore, zProfiles } from '../../gexbert/inference/infer.ts';
import type { NormStats } from '../../gexbert/inference/normalise.ts';
import { fromRows, type Matrix, selectCols } from '../../stats/matrix.ts';
import { pearson } from '../../stats/metrics.ts';
import { knnRestore, selectAnchors, univariateCoxZ } from '../anchors.ts';
import type { FoldContext } from '../fold.ts';
import {
  covariateCoxRisk,
  namedColumns,
  pcaScores,
  scaleByTraining,
  typeDummies,
  withinTypeCIndex,
} from '../survival.ts';
import type { SurvivalPatients } from './survival.ts';

/** Measured panel size, anchors per panel and the KNN baseline's k. */
export const ANCHOR_PANEL = 64;
export const ANCHORS = 8;
export const ANCHOR_KNN_K = 10;

export function anchorDraws(quick: boolean): number {
  return quick ? 2 : 5;
}

export const ANCHOR_SETTING = `overall survival, ${ANCHOR_PANEL}-gene panel + ${ANCHORS} anchors`;
export const ANCHOR_TYPE_SETTING = `${ANCHOR_SETTING}, cancer type adjusted`;

/**
 * GexBERT's restoration (z) of the vocabulary columns `anchors` from the columns `panel` of each row of
 * `z` (patients x vocabulary, the model's z space): only the panel genes are input, the others omitted.
 */
export async function restoreFromPanel(
  model: GexbertModel | Predictor,
  stats: NormStats,
  z: Matrix,
  panel: number[],
  anchors: number[],
): Promise<Matrix> {
  const inPanel = new Uint8Array(z.cols);
  for (const g of panel) inPanel[g] = 1;
  const profiles = zProfiles(z, stats.genes, (_, v) => inPanel[v] === 1); // NaN outside the panel
  const genes = anchors.map((a) => stats.genes[a]!);
  const { values } = await restore(model, stats, profiles, genes, { unit: 'z', ...OMIT });
  return fromRows(values.map((v) => Float64Array.from(v, (x) => (Number.isFinite(x) ? x : 0))));
}

/** Anchor values for training and test patients from one source, scaled to unit training variance. */
interface AnchorValues {
  train: Matrix;
  test: Matrix;
}

function scaled(train: Matrix, test: Matrix): AnchorValues {
  const [a, b] = scaleByTraining(train, [test], true);
  return { train: a!, test: b! };
}

/** Mean over anchors of Pearson's r between restored and measured values on the test patients. */
function restorationR(restored: Matrix, measured: Matrix): number {
  let sum = 0;
  for (let c = 0; c < measured.cols; c++) {
    const col = (m: Matrix) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + c]!);
    const r = pearson(col(restored), col(measured));
    sum += Number.isFinite(r) ? r : 0;
  }
  return sum / measured.cols;
}

/** One panel and its anchors: the four Cox models (with or without cancer type) and the restoration r. */
async function anchorModels(
  fold: FoldContext,
  train: SurvivalPatients,
  test: SurvivalPatients,
  panel: number[],
  anchors: number[],
  withType: boolean,
): Promise<void> {
  const m = fold.measurements;
  const setting = withType ? ANCHOR_TYPE_SETTING : ANCHOR_SETTING;
  const suffix = withType ? '+panel-pca5+type+cox' : '+panel-pca5+cox';
  const trainPanel = selectCols(train.z, panel); // (n_train, 64)
  const testPanel = selectCols(test.z, panel); // (n_test, 64)
  const measured = { train: selectCols(train.z, anchors), test: selectCols(test.z, anchors) };
  const gexbert = {
    train: await restoreFromPanel(fold.predictor, fold.stats, train.z, panel, anchors),
    test: await restoreFromPanel(fold.predictor, fold.stats, test.z, panel, anchors),
  };
  const knn = {
    train: knnRestore(trainPanel, measured.train, trainPanel, ANCHOR_KNN_K, true),
    test: knnRestore(trainPanel, measured.train, testPanel, ANCHOR_KNN_K),
  };
  const pcs = pcaScores(trainPanel, testPanel, 5);
  const levels = [...new Set(train.types)];
  const base = (scores: Matrix, types: string[]) => ({
    ...namedColumns(scores, 'PC'),
    ...(withType ? typeDummies(levels, types) : {}),
  });
  const models: [string, AnchorValues | null][] = [
    [withType ? 'panel-pca5+type+cox' : 'panel-pca5+cox', null],
    [`knn-restored-anchors${suffix}`, scaled(knn.train, knn.test)],
    [`gexbert-restored-anchors${suffix}`, scaled(gexbert.train, gexbert.test)],
    [`measured-anchors${suffix}`, scaled(measured.train, measured.test)],
  ];
  for (const [method, values] of models) {
    const result = covariateCoxRisk(
      { ...base(pcs.train, train.types), ...(values ? namedColumns(values.train, 'anchor') : {}) },
      train.data,
      { ...base(pcs.test, test.types), ...(values ? namedColumns(values.test, 'anchor') : {}) },
      test.data,
    );
    m.record('survival', method, setting, 'c-index', [result.cIndex]);
    if (withType)
      m.record('survival', method, setting, 'c-index within type', [
        withinTypeCIndex(test.data, result.testRisk, test.types),
      ]);
  }
  m.record('survival', 'knn-restored-anchors', setting, 'anchor restoration r (test)', [
    restorationR(knn.test, measured.test),
  ]);
  m.record('survival', 'gexbert-restored-anchors', setting, 'anchor restoration r (test)', [
    restorationR(gexbert.test, measured.test),
  ]);
  fold.log(
    `survival anchors${withType ? ' (type-stratified screen)' : ''}: restoration r train / test: GexBERT ${restorationR(gexbert.train, measured.train).toFixed(3)} / ${restorationR(gexbert.test, measured.test).toFixed(3)}, KNN ${restorationR(knn.train, measured.train).toFixed(3)} / ${restorationR(knn.test, measured.test).toFixed(3)}`,
  );
}

/** Records the anchor-gene experiment of one fold over several random panels. */
export async function anchorRisk(
  fold: FoldContext,
  train: SurvivalPatients,
  test: SurvivalPatients,
): Promise<void> {
  const started = Date.now();
  const V = fold.vocab.length;
  if (V < ANCHOR_PANEL + ANCHORS) {
    fold.note(
      `Survival anchors not evaluated: the vocabulary (${V} genes) is smaller than ${ANCHOR_PANEL + ANCHORS}.`,
    );
    return;
  }
  fold.log(
    `survival anchors: univariate Cox screening of ${V} genes on ${train.rows.length} training patients`,
  );
  const pooledZ = univariateCoxZ(train.z, train.data);
  const typeZ = univariateCoxZ(train.z, train.data, { strata: train.types });
  const draws = anchorDraws(fold.quick);
  for (let d = 0; d < draws; d++) {
    fold.log(`survival anchors: panel draw ${d + 1}/${draws}`);
    const panel = randomGenePanel(V, ANCHOR_PANEL, fold.seed * 1000 + 5003 + d + 7919 * fold.fold);
    await anchorModels(fold, train, test, panel, selectAnchors(pooledZ, panel, ANCHORS), false);
    await anchorModels(fold, train, test, panel, selectAnchors(typeZ, panel, ANCHORS), true);
  }
  fold.note(
    `Survival anchors: per draw, a random panel of ${ANCHOR_PANEL} vocabulary genes is measured; the ${ANCHORS} anchors are the vocabulary genes outside it with the largest univariate Cox |z| on the training patients (stratified by cancer type in the "cancer type adjusted" setting). Anchors are restored from the panel alone for training and test patients (GexBERT's decoder with the other genes omitted; KNN: mean of the ${ANCHOR_KNN_K} nearest training patients on the panel genes, leaving each training patient out of its own neighbours) and added, scaled to unit training variance, to PCA(5) of the panel in a ridge Cox model (lambda 0.01); "measured-anchors" uses the real anchor values (an upper bound). ${draws} panel draws per fold.`,
  );
  fold.log(`survival anchors: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
