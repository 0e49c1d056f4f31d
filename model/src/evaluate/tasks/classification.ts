/**
 * Task 1 of the paper: cancer type from small gene panels. For each panel size k and each random panel
 * draw, logistic regression and an MLP on the k measured genes, against a logistic head on GexBERT's
 * embedding of the same k genes. Accuracy, macro-F1 and (at k = 64) confusion counts are recorded.
 */
import { fitLogisticRegression, fitMlp } from '../classify.ts';
import { randomGenePanel } from '../data.ts';
import { embedPanel, type FoldContext } from '../fold.ts';
import { selectCols } from '../matrix.ts';
import { accuracy, confusionMatrix, macroF1 } from '../metrics.ts';

/** The GexBERT method's name in the report. */
export const GEXBERT_LINEAR = 'gexbert-embedding+logistic';

/** Panel sizes and draws per mode. */
export function panelSizes(quick: boolean, vocabularySize: number): number[] {
  return (quick ? [16, 64] : [16, 64, 256, 1024]).filter((k) => k <= vocabularySize);
}

export function panelDraws(quick: boolean): number {
  return quick ? 2 : 5;
}

/** The k = 64 panel's confusion counts are recorded (the paper's headline panel size). */
const CONFUSION_K = 64;

/** Records accuracy, macro-F1 and (for k = 64) confusion counts of one method on one panel. */
export function recordPredictions(
  fold: FoldContext,
  method: string,
  setting: string,
  predicted: string[],
  withConfusion: boolean,
): void {
  const m = fold.measurements;
  m.record('classification', method, setting, 'accuracy', [accuracy(fold.testLabels, predicted)]);
  m.record('classification', method, setting, 'macro-F1', [macroF1(fold.testLabels, predicted)]);
  if (!withConfusion) return;
  const classes = [...new Set(fold.data.labels)].sort();
  const cm = confusionMatrix(fold.testLabels, predicted, classes);
  cm.counts.forEach((row, t) => {
    row.forEach((count, p) => {
      m.record('classification', method, setting, confusionMetric(classes[t]!, classes[p]!), [count], true);
    });
  });
}

/** The metric name of one confusion-matrix cell (true class, predicted class); counts are summed over draws and folds. */
export function confusionMetric(truth: string, predicted: string): string {
  return `confusion:${truth}->${predicted}`;
}

/** Random panels: the baselines on the measured genes and GexBERT's embedding of them. */
export async function classifyRandomPanels(fold: FoldContext): Promise<void> {
  const V = fold.vocab.length;
  const draws = panelDraws(fold.quick);
  for (const k of panelSizes(fold.quick, V)) {
    const setting = `k=${k} genes`;
    for (let d = 0; d < draws; d++) {
      fold.log(`classification: k=${k}, draw ${d + 1}/${draws}`);
      const panel = randomGenePanel(V, k, fold.seed * 1000 + k * 10 + d + 7919 * fold.fold);
      const withConfusion = k === CONFUSION_K;
      const xTrain = selectCols(fold.trainZ, panel);
      const xTest = selectCols(fold.testZ, panel);
      const logistic = fitLogisticRegression(xTrain, fold.trainLabels);
      recordPredictions(fold, 'logistic', setting, logistic.predict(xTest), withConfusion);
      const mlp = fitMlp(xTrain, fold.trainLabels, { seed: fold.seed + d });
      recordPredictions(fold, 'mlp', setting, mlp.predict(xTest), withConfusion);
      const inPanel = new Uint8Array(V);
      for (const g of panel) inPanel[g] = 1;
      const eTrain = await embedPanel(fold, fold.trainZ, inPanel);
      const eTest = await embedPanel(fold, fold.testZ, inPanel);
      const head = fitLogisticRegression(eTrain, fold.trainLabels);
      recordPredictions(fold, GEXBERT_LINEAR, setting, head.predict(eTest), withConfusion);
    }
  }
}
