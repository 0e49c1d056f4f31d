/**
 * Held-out figures of a reference's heads, measured when they are fitted (written to heads.json and the
 * model card): cross-validated accuracy and expected calibration error before and after temperature
 * scaling, and the novelty flag's leave-one-type-out AUROC with the share of known-type samples flagged.
 */

import { confusionMatrix, expectedCalibrationError, macroF1, perClassF1 } from '../stats/metrics.ts';
import { stratifiedKFold } from '../stats/split.ts';
import { fitCancerTypeHead, predictCancerType } from './cancerType.ts';
import { fitNoveltyHead, noveltyOf } from './novelty.ts';
import { type HeadReference, referenceRow } from './reference.ts';

/** AUROC of scores: positives (should score high) against negatives, ties counting half. */
export function auroc(positives: readonly number[], negatives: readonly number[]): number {
  let s = 0;
  for (const p of positives) for (const q of negatives) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (positives.length * negatives.length);
}

/**
 * Cross-validated accuracy, macro-F1, recall per type (`recall.<TYPE>`) and ECE (10 bins) before and after
 * temperature scaling.
 */
export function calibrationFigures(
  embeddings: ArrayLike<number>[],
  labels: string[],
  folds = 5,
  seed = 0,
): { accuracy: number; macroF1: number; eceBefore: number; eceAfter: number; temperature: number } & Record<
  `recall.${string}`,
  number
> {
  const before: number[] = [];
  const after: number[] = [];
  const correct: boolean[] = [];
  const truth: string[] = [];
  const predicted: string[] = [];
  let temperature = 0;
  const splits = stratifiedKFold(labels, folds, seed);
  for (const split of splits) {
    const head = fitCancerTypeHead(
      split.train.map((i) => embeddings[i]!),
      split.train.map((i) => labels[i]!),
      { seed },
    );
    temperature += head.temperature / splits.length;
    for (const i of split.test) {
      const scaled = predictCancerType(head, embeddings[i]!)[0]!;
      const raw = predictCancerType({ ...head, temperature: 1 }, embeddings[i]!)[0]!;
      after.push(scaled.probability);
      before.push(raw.probability);
      correct.push(scaled.cancerType === labels[i]);
      truth.push(labels[i]!);
      predicted.push(scaled.cancerType);
    }
  }
  const types = [...new Set(labels)].sort();
  const { recall } = perClassF1(confusionMatrix(truth, predicted, types));
  return {
    ...Object.fromEntries(types.map((t, c) => [`recall.${t}`, recall[c]!])),
    accuracy: correct.filter(Boolean).length / correct.length,
    macroF1: macroF1(truth, predicted, types),
    eceBefore: expectedCalibrationError(before, correct),
    eceAfter: expectedCalibrationError(after, correct),
    temperature,
  };
}

/**
 * Leave each type out of the novelty head in turn (fitted on 2/3 of the other types' reference samples,
 * over the measured genes) and score the left-out type against the remaining third: mean AUROC, worst
 * AUROC, share of known-type samples flagged and share of left-out samples flagged. Reads the reference
 * samples with a cancer type; needs at least three types.
 */
export function leaveOneTypeOut(
  reference: HeadReference,
  measured: readonly number[],
  seed = 0,
  quantile?: number,
  /** Only types with at least this many samples are left out (all types stay in the reference). */
  minSamples = 1,
): { auroc: number; worstAuroc: number; knownFlagged: number; novelFlagged: number; types: number } {
  const typed = reference.cancerTypes.flatMap((t, i) => (t ? [i] : []));
  const labels = typed.map((i) => reference.cancerTypes[i]!);
  const zOf = (j: number) => referenceRow(reference, typed[j]!);
  const types = [...new Set(labels)].sort().filter((t) => labels.filter((l) => l === t).length >= minSamples);
  const aucs: number[] = [];
  let known = 0;
  let knownFlagged = 0;
  let novel = 0;
  let novelFlagged = 0;
  for (const out of types) {
    const kept = labels.flatMap((l, i) => (l === out ? [] : [i]));
    const left = labels.flatMap((l, i) => (l === out ? [i] : []));
    const split = stratifiedKFold(
      kept.map((i) => labels[i]!),
      3,
      seed,
    )[0]!;
    const train = split.train.map((j) => kept[j]!);
    const test = split.test.map((j) => kept[j]!);
    const head = fitNoveltyHead(
      reference,
      train.map((j) => typed[j]!),
      measured,
      quantile === undefined ? {} : { quantile },
    );
    const sKnown = test.map((j) => noveltyOf(head, reference, zOf(j)));
    const sLeft = left.map((j) => noveltyOf(head, reference, zOf(j)));
    aucs.push(
      auroc(
        sLeft.map((s) => s.novelty),
        sKnown.map((s) => s.novelty),
      ),
    );
    known += sKnown.length;
    knownFlagged += sKnown.filter((s) => s.outOfDistribution).length;
    novel += sLeft.length;
    novelFlagged += sLeft.filter((s) => s.outOfDistribution).length;
  }
  return {
    auroc: aucs.reduce((a, b) => a + b, 0) / aucs.length,
    worstAuroc: Math.min(...aucs),
    knownFlagged: knownFlagged / known,
    novelFlagged: novelFlagged / novel,
    types: types.length,
  };
}
