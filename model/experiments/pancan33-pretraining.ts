/**
 * Does pretraining on all the real data help GexBERT on pancan33? (issue 15 item 3; EXPERIMENTS.md 15)
 *
 *   npx tsx model/experiments/pancan33-pretraining.ts <out.json> <steps> <variant> [<variant> ...] [--split=S] [--config=JSON]
 *
 * The split is `gexbert evaluate --train pancan33 --quick --seed S`'s (S = 1 unless `--split` says):
 * stratifiedSplit(labels, 0.3, S) over the sample table's rows (421 training / 183 test). Every model is
 * pretrained on the training samples only (plus, for the all-data variants, the six unlabelled count cohorts),
 * for the same number of optimiser steps, seed S; `--config` overrides the recipe (e.g. '{"epochs":285}' so
 * that the cosine schedule ends at the last step). The checkpoints stay in <out.json>'s folder
 * (`checkpoint-<variant>`), for pancan33-restoration.ts.
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

const args = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const [outFile, stepsArg, ...variants] = args.filter((a) => !a.startsWith('--'));
const steps = Number(stepsArg);
const split = Number(option('split') ?? 1);
const recipe = JSON.parse(option('config') ?? '{}') as Record<string, unknown>;
const DRAWS = 5;

const { genes, train, test, trainLabels, testLabels } = await pancan33Split(split);
const panels = randomPanels(genes, 64, DRAWS, split);

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
  const common = {
    out,
    seed: split,
    maxSteps: steps,
    dataDescription: `experiment ${variant}`,
    engineThreads: 1, // one thread: reproducible, and two runs side by side on two cores
    resumeDir: path.join(out, '.resume'), // run the same command again after a kill: it continues
    onProgress: (p: { step: number; totalSteps: number; loss: number }) => {
      if (p.step % 100 === 0)
        console.log(`${variant}: step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)}`);
    },
  };
  const trained =
    variant === 'pancan33'
      ? await trainCheckpoint(train, { ...common, vocabularySize: 100, minMean: 0, config: recipe })
      : await trainCheckpoint(counts!, {
          ...common,
          rsem: train,
          allowedGenes: proteinCodingGenes(),
          config: variant === 'all-data-q256' ? { ...recipe, queryGenes: 256 } : recipe,
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
