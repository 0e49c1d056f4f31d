/**
 * Task 1 of the paper: cancer type from small gene panels. For each panel size k and each random panel draw,
 * logistic regression and an MLP on the k measured genes, against GexBERT's embedding of the same k genes
 * with a logistic head (frozen encoder) and GexBERT fine-tuned end to end (baselines/finetune.ts). Then the
 * same methods on panels chosen from the training samples: the platform's panel (GexBERT restoration
 * importance, panel.ts) and a supervised ANOVA panel. Accuracy, macro-F1, per-type recall and (at k = 64,
 * random panels) confusion counts are recorded.
 */

import { finetuneClassifier } from '../../baselines/finetune.ts';
import { randomGenePanel } from '../../data/dataset.ts';
import { fitLogisticRegression, fitMlp } from '../../stats/classify.ts';
import { selectCols } from '../../stats/matrix.ts';
import { accuracy, confusionMatrix, macroF1, perClassF1 } from '../../stats/metrics.ts';
import { embedPanel, type FoldContext, type ModelView } from '../fold.ts';
import { anovaPanel, panelRestorationError, restorationPanel } from '../panel.ts';

/** The GexBERT methods' names in the report. */
export const GEXBERT_LINEAR = 'gexbert-embedding+logistic';
export const GEXBERT_FINETUNED = 'gexbert-finetuned';

/**
 * Panel sizes per mode: the 16, 64, 256 and 1,024 genes. A panel is drawn from the vocabulary of
 * the largest model that holds it (`vocabularySizes`: the main model's, then the wide model's in full
 * mode); a size above every vocabulary becomes the whole of the largest one.
 */
export function panelSizes(quick: boolean, vocabularySizes: number[]): number[] {
  const largest = Math.max(...vocabularySizes);
  const sizes = (quick ? [16, 64] : [16, 64, 256, 1024]).map((k) => Math.min(k, largest));
  return [...new Set(sizes)];
}

/** The model whose vocabulary a k-gene panel is drawn from: the main model, or the wide one when k exceeds it. */
export function panelModel(fold: FoldContext, k: number): ModelView {
  return k > fold.vocab.length && fold.wide ? fold.wide : fold;
}

export function panelDraws(quick: boolean): number {
  return quick ? 2 : 5;
}

/**
 * Fine-tuning runs on the CPU through tfjs-wasm and its cost grows with the square of the panel: an epoch
 * on ~190 training samples took ~6 s at k = 64 and ~35 s at k = 256 (the shipped checkpoint, a busy 2-core
 * machine). At k = 1,024 (the wide model) probe passes of 64 rows ran out of tfjs-wasm memory, and with
 * every pass at 8 rows one epoch took 379 s, i.e. up to ~30 min per fold. --quick fine-tunes the k = 16 panels; a full run k = 16 and
 * 64 (3 random draws each, and the chosen panels) and k = 256 (one random draw).
 */
export function finetunePlan(quick: boolean): { draws: ReadonlyMap<number, number>; chosenSizes: number[] } {
  return quick
    ? { draws: new Map([[16, 2]]), chosenSizes: [16] }
    : {
        draws: new Map([
          [16, 3],
          [64, 3],
          [256, 1],
        ]),
        chosenSizes: [16, 64],
      };
}

/** Where fine-tuning ran, for the report's note. */
function describeFinetunePlan(plan: ReturnType<typeof finetunePlan>): string {
  const random = [...plan.draws].map(([k, d]) => `k = ${k} (${d} random draw${d > 1 ? 's' : ''})`).join(', ');
  return `${random} and the chosen panels of ${plan.chosenSizes.join(' and ')} genes`;
}

/** Sizes of the panels chosen from the training samples (platform and ANOVA). */
export function chosenPanelSizes(quick: boolean, vocabularySize: number): number[] {
  return (quick ? [16, 64] : [16, 64, 256]).filter((k) => k <= vocabularySize);
}

/** The k = 64 panel's confusion counts are recorded (the paper's headline panel size). */
const CONFUSION_K = 64;

/**
 * Records accuracy, macro-F1, the recall of every type among the test samples and (for k = 64) confusion
 * counts of one method on one panel.
 */
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
  const classes = [...new Set(fold.data.labels)].sort();
  const cm = confusionMatrix(fold.testLabels, predicted, classes);
  const { recall } = perClassF1(cm);
  classes.forEach((type, t) => {
    // A type without test samples in this split has no recall here (its mean is over the other splits).
    if (cm.counts[t]!.some((c) => c > 0))
      m.record('classification', method, setting, recallMetric(type), [recall[t]!]);
  });
  if (!withConfusion) return;
  cm.counts.forEach((row, t) => {
    row.forEach((count, p) => {
      m.record('classification', method, setting, confusionMetric(classes[t]!, classes[p]!), [count], true);
    });
  });
}

/** The metric name of one type's recall (share of its test samples predicted as it), averaged over draws and folds. */
export function recallMetric(type: string): string {
  return `recall:${type}`;
}

/** The metric name of one confusion-matrix cell (true class, predicted class); counts are summed over draws and folds. */
export function confusionMetric(truth: string, predicted: string): string {
  return `confusion:${truth}->${predicted}`;
}

interface PanelRun {
  setting: string;
  /** Seeds the MLP and the fine-tuning. */
  seed: number;
  withConfusion: boolean;
  finetune: boolean;
}

/**
 * Every method on one panel of genes of `view` (the fold's main model unless the panel needs the wide one),
 * fitted on the training samples, scored on the test samples. Fine-tuning uses the main model.
 */
async function classifyPanel(
  fold: FoldContext,
  view: ModelView,
  panel: number[],
  run: PanelRun,
): Promise<void> {
  const { setting, withConfusion } = run;
  const xTrain = selectCols(view.trainZ, panel);
  const xTest = selectCols(view.testZ, panel);
  const logistic = fitLogisticRegression(xTrain, fold.trainLabels);
  recordPredictions(fold, 'logistic', setting, logistic.predict(xTest), withConfusion);
  const mlp = fitMlp(xTrain, fold.trainLabels, { seed: run.seed });
  recordPredictions(fold, 'mlp', setting, mlp.predict(xTest), withConfusion);
  const inPanel = new Uint8Array(view.vocab.length);
  for (const g of panel) inPanel[g] = 1;
  const eTrain = await embedPanel(view, view.trainZ, inPanel);
  const eTest = await embedPanel(view, view.testZ, inPanel);
  const head = fitLogisticRegression(eTrain, fold.trainLabels);
  recordPredictions(fold, GEXBERT_LINEAR, setting, head.predict(eTest), withConfusion);
  if (!run.finetune || view !== fold || fold.skip.has('finetune')) return;
  const tuned = finetuneClassifier(fold.model, fold.stats, fold.trainZ, fold.trainLabels, panel, {
    seed: run.seed,
  });
  try {
    recordPredictions(fold, GEXBERT_FINETUNED, setting, tuned.predict(fold.testZ), withConfusion);
    const t = tuned.trace;
    fold.log(
      `classification: ${setting}: fine-tuned ${t.epochs} epochs in ${t.seconds.toFixed(1)} s, kept epoch ${t.bestEpoch} (validation cross-entropy ${t.valLoss[0]!.toFixed(3)} -> ${t.valLoss[t.bestEpoch]!.toFixed(3)})`,
    );
  } finally {
    tuned.dispose();
  }
}

/**
 * The classification task: random panels (the baselines on the measured genes, GexBERT's embedding of them
 * and GexBERT fine-tuned), then the panels chosen from the training samples (classifyChosenPanels).
 */
export async function classifyCancerType(fold: FoldContext): Promise<void> {
  const V = fold.vocab.length;
  const draws = panelDraws(fold.quick);
  const plan = finetunePlan(fold.quick);
  const started = Date.now();
  const sizes = panelSizes(fold.quick, [V, ...(fold.wide ? [fold.wide.vocab.length] : [])]);
  if (!fold.quick && !sizes.includes(1024))
    fold.note(
      `Classification: the 1,024-gene panel is replaced by all ${V} vocabulary genes (the largest panel GexBERT can read; every draw is the same panel).`,
    );
  for (const k of sizes) {
    const view = panelModel(fold, k);
    const Vk = view.vocab.length;
    if (view !== fold)
      fold.note(
        `Classification, k=${k} genes: the random panels are drawn from the ${Vk}-gene vocabulary of the wide GexBERT (trained on the same training samples), which embeds them; every method reads the same genes. Smaller panels are drawn from the main model's ${V} genes.`,
      );
    for (let d = 0; d < (k === Vk ? 1 : draws); d++) {
      fold.log(`classification: k=${k}, draw ${d + 1}/${draws}`);
      const panel = randomGenePanel(Vk, k, fold.seed * 1000 + k * 10 + d + 7919 * fold.fold);
      await classifyPanel(fold, view, panel, {
        setting: `k=${k} genes`,
        seed: fold.seed + d,
        withConfusion: k === CONFUSION_K,
        finetune: d < (plan.draws.get(k) ?? 0),
      });
    }
  }
  fold.note(
    `Classification: ${GEXBERT_FINETUNED} (encoder + softmax head trained end to end, AdamW, early stopping on a stratified 20% of the training samples) was run for ${describeFinetunePlan(plan)} only: fine-tuning runs on tfjs-wasm, and its cost grows with the square of the panel (an epoch took ~35 s at k = 256).`,
  );
  fold.log(`classification: random panels took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await classifyChosenPanels(fold);
}

/**
 * Panels chosen from the training samples only: the platform's (greedy restoration selection; the panels
 * are nested, so one selection up to the largest size serves every size) and, for comparison, the top
 * ANOVA F genes of the training labels.
 */
export async function classifyChosenPanels(fold: FoldContext): Promise<void> {
  const V = fold.vocab.length;
  const sizes = chosenPanelSizes(fold.quick, V);
  if (sizes.length === 0) return;
  const plan = finetunePlan(fold.quick);
  const started = Date.now();
  const selection = await restorationPanel(fold.predictor, fold.stats, fold.trainZ, Math.max(...sizes), {
    seed: fold.seed + 7919 * fold.fold,
    log: (line) => fold.log(`classification: ${line}`),
  });
  fold.log(`classification: platform panel selection took ${selection.seconds.toFixed(0)} s`);
  const foldName = fold.folds > 1 ? ` (fold ${fold.fold + 1})` : '';
  const draws = panelDraws(fold.quick);
  for (const k of sizes) {
    const platform = selection.genes.slice(0, k);
    const anova = anovaPanel(fold.trainZ, fold.trainLabels, k);
    const kinds = [
      ['platform', platform],
      ['ANOVA', anova],
    ] as const;
    for (const [kind, panel] of kinds) {
      fold.log(`classification: k=${k}, ${kind} panel`);
      await classifyPanel(fold, fold, panel, {
        setting: `k=${k} genes, ${kind} panel`,
        seed: fold.seed,
        withConfusion: false,
        finetune: plan.chosenSizes.includes(k),
      });
    }
    const genes = (panel: number[]) =>
      panel
        .slice(0, 6)
        .map((g) => fold.vocab[g])
        .join(', ');
    const mse = (panel: number[]) => panelRestorationError(fold.predictor, fold.stats, fold.testZ, panel);
    let random = 0;
    for (let d = 0; d < draws; d++)
      random += (await mse(randomGenePanel(V, k, fold.seed * 1000 + k * 10 + d + 7919 * fold.fold))) / draws;
    fold.note(
      `Classification${foldName}, k=${k} chosen panels (from training samples only). Platform panel: genes added greedily, each the candidate that most lowers GexBERT's restoration error of the other vocabulary genes (${selection.profiles} decoder passes on ${selection.samples} training samples), first ${genes(platform)}. ANOVA panel: first ${genes(anova)}. Restoration MSE of the other vocabulary genes from the panel alone, test samples, z units: platform ${(await mse(platform)).toFixed(3)}, ANOVA ${(await mse(anova)).toFixed(3)}, random panels ${random.toFixed(3)} (mean of the ${draws} draws above).`,
    );
  }
  fold.log(`classification: chosen panels took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
