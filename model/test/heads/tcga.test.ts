/**
 * The heads on real data: stand-in embeddings (PCA(32) of log2 CPM, see tcgaEmbeddings.ts) of the six
 * TCGA cohorts, 70/30 stratified split. Cancer type is scored by held-out accuracy, risk by held-out
 * Harrell's C (the R-checked concordance of ../survival); both heads are checked against the evaluation
 * toolkit's own fits and survive a JSON round trip.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pcaCoxRisk } from '../../src/evaluate/survival.ts';
import { type CancerTypeHead, fitCancerTypeHead, predictCancerType } from '../../src/heads/cancerType.ts';
import { parseHeads } from '../../src/heads/parse.ts';
import { fitRiskHead, type RiskHead, riskPercentile, riskScore } from '../../src/heads/risk.ts';
import { fitLogisticRegression, fromRows } from '../../src/stats/index.ts';
import { concordance, type EventIndicator } from '../../src/survival/index.ts';
import { loadTcgaEmbeddings, type Sample } from './tcgaEmbeddings.ts';

let train: Sample[];
let test: Sample[];
let cancerType: CancerTypeHead;
let risk: RiskHead;
const withOs = (samples: Sample[]) => samples.filter((s) => s.os);
const outcome = (samples: Sample[]) => ({
  time: samples.map((s) => s.os!.time),
  event: samples.map((s): EventIndicator => (s.os!.event ? 1 : 0)),
});

beforeAll(() => {
  ({ train, test } = loadTcgaEmbeddings());
  cancerType = fitCancerTypeHead(
    train.map((s) => s.embedding),
    train.map((s) => s.cancerType),
  );
  const survTrain = withOs(train);
  risk = fitRiskHead(
    survTrain.map((s) => s.embedding),
    survTrain.map((s) => s.os!.time),
    survTrain.map((s) => s.os!.event),
  );
}, 60_000);

describe('cancer-type head on TCGA', () => {
  it('predicts held-out cancer types far above chance', () => {
    const predicted = test.map((s) => predictCancerType(cancerType, s.embedding)[0]!.cancerType);
    const accuracy = predicted.filter((p, i) => p === test[i]!.cancerType).length / test.length;
    const counts = new Map<string, number>();
    for (const s of test) counts.set(s.cancerType, (counts.get(s.cancerType) ?? 0) + 1);
    const majority = Math.max(...counts.values()) / test.length;
    expect(cancerType.classes).toEqual(['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM']);
    expect(cancerType.trainedOn).toBe(train.length);
    expect(accuracy).toBeGreaterThan(0.9);
    expect(majority).toBeLessThan(0.35);
    expect(cancerType.metrics.cvAccuracy).toBeGreaterThan(0.85);
  });

  it('gives every class, sorted, probabilities summing to 1, as the evaluation toolkit does before temperature scaling', () => {
    const reference = fitLogisticRegression(
      fromRows(train.map((s) => s.embedding)),
      train.map((s) => s.cancerType),
    );
    const proba = reference.predictProba(fromRows(test.map((s) => s.embedding)));
    const unscaled = { ...cancerType, temperature: 1 };
    test.forEach((s, i) => {
      const predictions = predictCancerType(unscaled, s.embedding);
      expect(predictions.map((p) => p.cancerType).sort()).toEqual(cancerType.classes);
      expect(predictions.reduce((sum, p) => sum + p.probability, 0)).toBeCloseTo(1, 12);
      for (let j = 1; j < predictions.length; j++)
        expect(predictions[j]!.probability).toBeLessThanOrEqual(predictions[j - 1]!.probability);
      for (const p of predictions)
        expect(p.probability).toBeCloseTo(proba.data[i * 6 + reference.classes.indexOf(p.cancerType)]!, 10);
      // the calibrated head ranks the classes the same way
      expect(predictCancerType(cancerType, s.embedding)[0]!.cancerType).toBe(predictions[0]!.cancerType);
    });
  });

  it('is calibrated by a temperature fitted on cross-validated logits', () => {
    expect(cancerType.temperature).toBeGreaterThan(0.25);
    expect(cancerType.temperature).toBeLessThan(4);
    expect(cancerType.temperature).not.toBe(1);
  });
});

describe('risk head on TCGA', () => {
  it('ranks held-out patients better than chance (Harrell C) and matches PCA + Cox of the toolkit', () => {
    const survTrain = withOs(train);
    const survTest = withOs(test);
    const scores = survTest.map((s) => riskScore(risk, s.embedding));
    const cIndex = concordance(outcome(survTest), scores, { reverse: true }).concordance;
    const toolkit = pcaCoxRisk(
      fromRows(survTrain.map((s) => s.embedding)),
      outcome(survTrain),
      fromRows(survTest.map((s) => s.embedding)),
      outcome(survTest),
      { k: 5, ridge: 0.01 },
    );
    expect(risk.trainedOn).toBe(survTrain.length);
    expect(risk.events).toBe(survTrain.filter((s) => s.os!.event).length);
    expect(risk.components).toHaveLength(5);
    scores.forEach((score, i) => {
      expect(score).toBeCloseTo(toolkit.testRisk[i]!, 8);
    });
    expect(risk.metrics.trainConcordance).toBeCloseTo(toolkit.trainCIndex, 8);
    expect(cIndex).toBeGreaterThan(0.55);
  });

  it('gives percentiles in 0..100 that never decrease with the score', () => {
    const scores = test.map((s) => riskScore(risk, s.embedding)).sort((a, b) => a - b);
    const lo = risk.reference[0]!;
    const hi = risk.reference.at(-1)!;
    const grid = [lo - 1, ...scores, ...risk.reference, hi + 1].sort((a, b) => a - b);
    const percentiles = grid.map((score) => riskPercentile(risk, score));
    for (let i = 1; i < percentiles.length; i++)
      expect(percentiles[i]!).toBeGreaterThanOrEqual(percentiles[i - 1]!);
    expect(riskPercentile(risk, lo - 1)).toBe(0);
    expect(riskPercentile(risk, hi + 1)).toBe(100);
    for (const score of [scores[10]!, risk.reference[20]!]) {
      const below = risk.reference.filter((r) => r < score).length;
      const tied = risk.reference.filter((r) => r === score).length;
      expect(riskPercentile(risk, score)).toBeCloseTo((100 * (below + tied / 2)) / risk.reference.length, 12);
    }
  });
});

describe('stored heads', () => {
  it('survive a JSON round trip with identical predictions', () => {
    const stored = JSON.parse(JSON.stringify({ cancerType, risk })) as unknown;
    const heads = parseHeads(stored);
    expect(heads).toEqual({ cancerType, risk });
    for (const s of test) {
      expect(predictCancerType(heads.cancerType!, s.embedding)).toEqual(
        predictCancerType(cancerType, s.embedding),
      );
      expect(riskScore(heads.risk!, s.embedding)).toBe(riskScore(risk, s.embedding));
    }
  });

  it('fits a stratified risk head whose strata do not enter the score', () => {
    const survTrain = withOs(train);
    const stratified = fitRiskHead(
      survTrain.map((s) => s.embedding),
      survTrain.map((s) => s.os!.time),
      survTrain.map((s) => s.os!.event),
      { components: 3, strata: survTrain.map((s) => s.cancerType) },
    );
    expect(stratified.strata).toEqual(['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM']);
    expect(stratified.coefficients).toHaveLength(3);
    const parsed = parseHeads(JSON.parse(JSON.stringify({ risk: stratified })));
    expect(riskScore(parsed.risk!, test[0]!.embedding)).toBe(riskScore(stratified, test[0]!.embedding));
  });
});
