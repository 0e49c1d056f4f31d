/**
 * Real-data fixture for the GexBERT classification tests: the shipped checkpoint trained on the six TCGA
 * cohorts (model/checkpoints/tcga-6types) and the cohorts in its z space, with a small stratified
 * subset of samples as "training" rows and another as "test" rows.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedPath } from '../../../services/core/test-support/shared.ts';
import { loadCountsDir, toExpression } from '../../src/data/inputs.ts';
import { ready } from '../../src/engine/tf.ts';
import { zMatrix } from '../../src/evaluate/fold.ts';
import { type LoadedCheckpoint, loadCheckpoint } from '../../src/gexbert/inference/checkpoint.ts';
import { type Matrix, selectRows } from '../../src/stats/matrix.ts';
import { stratifiedSplit } from '../../src/stats/split.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CHECKPOINT = path.resolve(here, '../../checkpoints/tcga-6types');
export const COUNTS = sharedPath('data', 'tcga', 'counts');

export interface TcgaFixture {
  checkpoint: LoadedCheckpoint;
  /** All samples in the checkpoint's z space (samples x vocabulary) and their cancer types. */
  z: Matrix;
  labels: string[];
  /** A stratified subset: `trainFraction` of the samples as training rows, then test rows from the rest. */
  train: number[];
  test: number[];
  zTrain: Matrix;
  zTest: Matrix;
  yTrain: string[];
  yTest: string[];
}

export async function loadTcgaFixture(
  trainFraction: number,
  testFraction: number,
  seed = 1,
): Promise<TcgaFixture> {
  await ready();
  const data = loadCountsDir(COUNTS);
  const checkpoint = loadCheckpoint(CHECKPOINT);
  const all = data.labels.map((_, i) => i);
  const z = zMatrix(checkpoint.stats, toExpression(data.counts, all));
  const first = stratifiedSplit(data.labels, trainFraction, seed);
  const train = first.test;
  const restLabels = first.train.map((i) => data.labels[i]!);
  const second = stratifiedSplit(restLabels, testFraction / (1 - trainFraction), seed + 1);
  const test = second.test.map((j) => first.train[j]!);
  return {
    checkpoint,
    z,
    labels: data.labels,
    train,
    test,
    zTrain: selectRows(z, train),
    zTest: selectRows(z, test),
    yTrain: train.map((i) => data.labels[i]!),
    yTest: test.map((i) => data.labels[i]!),
  };
}
