/**
 * Does pretraining on all the real data help GexBERT on pancan33? (issue 15 item 3; EXPERIMENTS.md 15)
 *
 *   npx tsx model/experiments/pancan33-pretraining.ts <out.json> <steps> <variant> [<variant> ...]
 *
 * The split is `gexbert evaluate --train pancan33 --quick --seed 1`'s: stratifiedSplit(labels, 0.3, 1) over the
 * sample table's rows (421 training / 183 test). Every model is pretrained on the training samples only (plus,
 * for the all-data variants, the six unlabelled count cohorts), for the same number of optimiser steps, seed 1.
 * Scored on the test samples: logistic regression (classify.ts) on the z of 5 seeded random 64-gene panels and
 * of all 100 genes, and on GexBERT's frozen embedding of the same genes (z: log2(max(RSEM, 0) + 1)
 * standardised with the training samples' mean and sd; the same for every method).
 *
 * Variants: `pancan33` (vocabulary the 100 genes, recipe tokens shrunk to 66 input + 34 query), `all-data`
 * (the 33-type recipe: 1,000 most variable protein-coding count genes + the 100, 128 input + 64 query genes),
 * `all-data-q256` (the same with 256 query genes per step).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { corpusFromFiles, proteinCodingGenes } from '@gexbert/core/training/corpus';
import { embed } from '../src/gexbert/inference/infer.ts';
import { createOnnxPredictor } from '../src/gexbert/inference/predictor.ts';
import { trainCheckpoint } from '../src/gexbert/training/recipe.ts';
import { fitLogisticRegression } from '../src/stats/classify.ts';
import { fromRows, type Matrix } from '../src/stats/matrix.ts';
import { accuracy, macroF1 } from '../src/stats/metrics.ts';
import { pancan33Split, panelZ, randomPanels, SHARED } from './pancan33-split.ts';

const [outFile, stepsArg, ...variants] = process.argv.slice(2);
const steps = Number(stepsArg);
const DRAWS = 5;

const { genes, train, test, trainLabels, testLabels } = await pancan33Split(1);
const panels = randomPanels(genes, 64, DRAWS, 1);

function score(xTrain: Matrix, xTest: Matrix): { accuracy: number; macroF1: number } {
  const predicted = fitLogisticRegression(xTrain, trainLabels).predict(xTest);
  return { accuracy: accuracy(testLabels, predicted), macroF1: macroF1(testLabels, predicted) };
}

const results: Record<string, unknown>[] = [];
const counts = variants.some((v) => v.startsWith('all-data'))
  ? await corpusFromFiles(path.join(SHARED, 'counts'))
  : null;
for (const variant of variants) {
  const started = Date.now();
  const out = path.join(path.dirname(outFile!), `checkpoint-${variant}`);
  const common = { out, seed: 1, maxSteps: steps, dataDescription: `experiment ${variant}` };
  const trained =
    variant === 'pancan33'
      ? await trainCheckpoint(train, { ...common, vocabularySize: 100, minMean: 0 })
      : await trainCheckpoint(counts!, {
          ...common,
          rsem: train,
          allowedGenes: proteinCodingGenes(),
          ...(variant === 'all-data-q256' ? { config: { queryGenes: 256 } } : {}),
        });
  const predictor = await createOnnxPredictor(trained.config, trained.model.getWeights());
  for (const [d, panel] of panels.entries()) {
    const zTrain = panelZ(trained.stats, train, panel);
    const zTest = panelZ(trained.stats, test, panel);
    const embedRows = async (z: Float32Array[]) =>
      fromRows(
        (
          await embed(
            predictor,
            trained.stats,
            z.map((values) => ({ genes: panel, values, unit: 'z' as const })),
          )
        ).embeddings,
      );
    const row = {
      variant,
      panel: d < DRAWS ? `64 random genes, draw ${d + 1}` : 'all 100 genes',
      steps: trained.metrics.steps,
      seconds: trained.metrics.seconds,
      bestValLoss: trained.metrics.bestValLoss,
      logistic: score(fromRows(zTrain), fromRows(zTest)),
      gexbert: score(await embedRows(zTrain), await embedRows(zTest)),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
  await predictor.release();
  trained.model.dispose();
  console.log(`${variant}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  writeFileSync(outFile!, `${JSON.stringify(results, null, 2)}\n`);
}
