/**
 * Fine-tuned GexBERT classifier on real data (the shipped TCGA checkpoint, a small stratified subset of
 * the six cohorts, a random 16-gene panel): fine-tuning lowers the training cross-entropy, leaves the
 * model it copied unchanged, and is deterministic for a seed; so does a head on the gene-aligned outputs
 * trained with the masked-restoration loss beside it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { finetuneClassifier } from '../../src/baselines/finetune.ts';
import { randomGenePanel } from '../../src/data/dataset.ts';
import { accuracy } from '../../src/stats/metrics.ts';
import { loadTcgaFixture, type TcgaFixture } from '../evaluate/tcgaFold.ts';

let fx: TcgaFixture;
const panel = randomGenePanel(1000, 16, 5);
const options = { seed: 3, maxEpochs: 3, patience: 3, traceTrainLoss: true };

beforeAll(async () => {
  fx = await loadTcgaFixture(0.25, 0.15);
});

describe('finetuneClassifier', () => {
  it('lowers the training cross-entropy, keeps the original weights and repeats with the same seed', () => {
    const before = fx.checkpoint.model.getWeights();
    const a = finetuneClassifier(
      fx.checkpoint.model,
      fx.checkpoint.stats,
      fx.zTrain,
      fx.yTrain,
      panel,
      options,
    );
    const { trainLoss, valLoss } = a.trace;
    expect(trainLoss.length).toBe(options.maxEpochs + 1);
    expect(trainLoss.every(Number.isFinite) && valLoss.every(Number.isFinite)).toBe(true);
    // End-to-end training lowers the inner training rows' cross-entropy below the linear probe's.
    expect(trainLoss.at(-1)!).toBeLessThan(trainLoss[0]!);

    // The model it started from is unchanged, weight for weight.
    const after = fx.checkpoint.model.getWeights();
    expect(after.map((w) => w.name)).toEqual(before.map((w) => w.name));
    after.forEach((w, i) => {
      expect(w.data).toEqual(before[i]!.data);
    });

    const pa = a.predictProba(fx.zTest);
    const predicted = a.predict(fx.zTest);
    const acc = accuracy(fx.yTest, predicted);
    a.dispose();
    const b = finetuneClassifier(
      fx.checkpoint.model,
      fx.checkpoint.stats,
      fx.zTrain,
      fx.yTrain,
      panel,
      options,
    );
    expect(b.trace).toMatchObject({ trainLoss, valLoss, bestEpoch: a.trace.bestEpoch });
    expect(b.predictProba(fx.zTest).data).toEqual(pa.data);
    b.dispose();
    // Six types: far better than the largest class (about 0.27).
    expect(acc).toBeGreaterThan(0.6);
  });

  it('fine-tunes a head on the gene-aligned outputs with the restoration loss beside the cross-entropy', () => {
    const before = fx.checkpoint.model.getWeights();
    const clf = finetuneClassifier(fx.checkpoint.model, fx.checkpoint.stats, fx.zTrain, fx.yTrain, panel, {
      ...options,
      maxEpochs: 2,
      pooling: 'genes',
      restorationWeight: 1,
    });
    const { trainLoss, valLoss } = clf.trace;
    expect(trainLoss.length).toBe(3);
    expect(trainLoss.every(Number.isFinite) && valLoss.every(Number.isFinite)).toBe(true);
    // The head reads 16 x width features; training lowers the cross-entropy though the loss also restores.
    expect(trainLoss.at(-1)!).toBeLessThan(trainLoss[0]!);
    expect(accuracy(fx.yTest, clf.predict(fx.zTest))).toBeGreaterThan(0.6);
    clf.dispose();
    fx.checkpoint.model.getWeights().forEach((w, i) => {
      expect(w.data).toEqual(before[i]!.data);
    });
  });

  it('refuses a panel outside the vocabulary', () => {
    expect(() =>
      finetuneClassifier(fx.checkpoint.model, fx.checkpoint.stats, fx.zTrain, fx.yTrain, [3, 1000], options),
    ).toThrow(/vocabulary indices/);
  });
});
