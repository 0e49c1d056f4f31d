/**
 * Task 3 of the paper: restoring missing genes. Gene sets of several sizes: the most variable vocabulary
 * genes (256; 1,000 in full mode) in the fold model's z space, and in full mode 5,000 genes: the whole
 * vocabulary of the fold's wide GexBERT (fold.ts `WIDE_VOCABULARY`, trained on the same training samples),
 * which restores them. MCAR masks hide a fraction of each test sample's values; the per-gene mean, KNN (k
 * tuned on training samples), a VAE (baselines/vae.ts, trained once per gene set on the training samples)
 * and GexBERT restoration fill them in. Pearson (per-gene standardised space) and RMSE are measured on the
 * masked entries only.
 */

import { fitVae } from '../../baselines/vae.ts';
import { OMIT, restore } from '../../gexbert/inference/infer.ts';
import {
  applyMask,
  imputationMetrics,
  knnImpute,
  mcarMask,
  meanImpute,
  tuneKnnK,
} from '../../stats/impute.ts';
import { type Matrix, selectCols } from '../../stats/matrix.ts';
import { fitStandardizer } from '../../stats/standardize.ts';
import type { FoldContext, ModelView } from '../fold.ts';

/** Missing rates per mode. */
export function missingRates(quick: boolean): number[] {
  return quick ? [0.3, 0.7] : [0.3, 0.5, 0.7, 0.9];
}

/** Sizes of the vocabulary gene sets per mode; a size above the vocabulary becomes the whole vocabulary. */
export function geneSetSizes(quick: boolean, vocabularySize: number): number[] {
  return [...new Set((quick ? [256] : [256, 1000]).map((n) => Math.min(n, vocabularySize)))];
}

/** Seconds a VAE may train on a gene set of this size (a safety net; early stopping usually ends it first). */
export function vaeTimeLimit(nGenes: number): number {
  return nGenes <= 256 ? 45 : nGenes <= 1000 ? 75 : 150;
}

/** A gene set's training and test samples (z of `model`'s normalisation) and the GexBERT that restores it. */
export interface GeneSet {
  genes: string[];
  train: Matrix;
  test: Matrix;
  model: Pick<ModelView, 'predictor' | 'stats'>;
}

/** Vocabulary columns by decreasing training variance (z space: the sum of squares). */
function byTrainingVariance(z: Matrix): number[] {
  const variance = Array.from({ length: z.cols }, (_, v) => {
    let s = 0;
    for (let i = 0; i < z.rows; i++) s += z.data[i * z.cols + v]! ** 2;
    return s;
  });
  return Array.from({ length: z.cols }, (_, v) => v).sort((a, b) => variance[b]! - variance[a]! || a - b);
}

/**
 * Measured genes GexBERT reads per sample when restoring (a seeded random subset of larger profiles). The
 * recipe trains on 128-gene inputs and restoration barely changes with more: on fold 1 of the full run the
 * 1,000-gene model gave Pearson 0.817 from 128 inputs and 0.823 from all 700 (30% missing), the 5,000-gene
 * model 0.730 from 256 and 0.732 from 1,000 (model/EXPERIMENTS.md section 10). Reading all 3,500 measured
 * genes of the 5,000-gene set would cost ~12x the attention of 1,000.
 */
export const RESTORE_CONTEXT = 1000;

/** GexBERT's restoration of the masked entries of `masked` (n x genes, z), other entries kept. */
export async function gexbertImpute(
  model: GeneSet['model'],
  genes: string[],
  masked: Matrix,
  mask: Uint8Array,
  fallback: Float64Array,
  seed: number,
): Promise<Matrix> {
  const n = genes.length;
  const restored = await restore(
    model.predictor,
    model.stats,
    Array.from({ length: masked.rows }, (_, i) => ({
      genes,
      values: Float32Array.from(masked.data.subarray(i * n, (i + 1) * n)),
      unit: 'z' as const,
    })),
    genes,
    { unit: 'z', maxInputGenes: RESTORE_CONTEXT, seed, ...OMIT },
  );
  const data = Float64Array.from(masked.data);
  for (let i = 0; i < masked.rows; i++)
    for (let j = 0; j < n; j++) {
      const q = i * n + j;
      if (mask[q] !== 1) continue;
      const v = restored.values[i]![j]!;
      data[q] = Number.isFinite(v) ? v : fallback[j]!;
    }
  return { rows: masked.rows, cols: n, data };
}

/** The `n` most variable genes of a model's vocabulary (all of them when n >= V), in its z space. */
export function vocabularyGeneSet(view: ModelView, n: number): GeneSet {
  const cols = byTrainingVariance(view.trainZ)
    .slice(0, n)
    .sort((a, b) => a - b);
  return {
    genes: cols.map((c) => view.vocab[c]!),
    train: selectCols(view.trainZ, cols),
    test: selectCols(view.testZ, cols),
    model: view,
  };
}

/** Records the imputation measurements of one fold. */
export async function imputeMissing(fold: FoldContext): Promise<void> {
  for (const nGenes of geneSetSizes(fold.quick, fold.vocab.length))
    await imputeGeneSet(fold, vocabularyGeneSet(fold, nGenes));
  const wide = fold.wide;
  if (!wide) return;
  const set = vocabularyGeneSet(wide, wide.vocab.length);
  const inVocabulary = new Set(fold.vocab);
  fold.note(
    `Imputation, ${set.genes.length} genes: the vocabulary of the wide GexBERT (the most variable ${fold.allowedGenes ? 'protein-coding ' : ''}genes of the training samples), in its z space; that model restores them (the fold's main model knows ${fold.vocab.length} genes).`,
  );
  fold.note(
    `Imputation${fold.folds > 1 ? ` (fold ${fold.fold + 1})` : ''}, ${set.genes.length} genes: ${set.genes.filter((g) => inVocabulary.has(g)).length} of them are in the main model's vocabulary.`,
  );
  await imputeGeneSet(fold, set);
}

/** Mean, KNN, VAE and (when it can) GexBERT imputation of one gene set at every missing rate. */
async function imputeGeneSet(fold: FoldContext, set: GeneSet): Promise<void> {
  const { genes, train: ref, test: truth } = set;
  const nGenes = genes.length;
  const standardizer = fitStandardizer(ref);
  fold.log(`imputation: ${nGenes} genes, tuning KNN k and training the VAE`);
  const knnK = tuneKnnK(ref, { seed: fold.seed }).k;
  const vae = await fitVae(ref, {
    seed: fold.seed * 1000 + nGenes + 7919 * fold.fold,
    timeLimitSeconds: vaeTimeLimit(nGenes),
    log: fold.log,
  });
  try {
    fold.note(
      `Imputation${fold.folds > 1 ? ` (fold ${fold.fold + 1})` : ''}, ${nGenes} genes: KNN k = ${knnK} (tuned on training samples); VAE ${vae.trainLoss.length} epochs in ${vae.seconds.toFixed(0)} s${vae.timedOut ? ` (stopped by its ${vaeTimeLimit(nGenes)} s limit)` : ''} (weights of epoch ${vae.bestEpoch + 1}, ${vae.iterations} decoder pass${vae.iterations > 1 ? 'es' : ''}, both chosen on a validation split of the training samples).`,
    );
    for (const rate of missingRates(fold.quick)) {
      fold.log(`imputation: ${nGenes} genes, ${rate * 100}% missing`);
      const maskSeed = fold.seed * 100 + Math.round(rate * 100) + nGenes + 7919 * fold.fold;
      const mask = mcarMask(truth.rows, truth.cols, rate, maskSeed);
      const masked = applyMask(truth, mask);
      const methods: [string, Matrix][] = [
        ['mean', meanImpute(ref, masked)],
        ['knn', knnImpute(ref, masked, knnK)],
        ['vae', vae.impute(masked)],
      ];
      if (nGenes * (1 - rate) > RESTORE_CONTEXT)
        fold.note(
          `Imputation, ${nGenes} genes: GexBERT reads at most ${RESTORE_CONTEXT} of a sample's measured genes (a seeded random subset) when restoring the others; KNN and the VAE read all of them.`,
        );
      const gexbert = await gexbertImpute(set.model, genes, masked, mask, standardizer.mean, maskSeed);
      methods.push(['gexbert', gexbert]);
      const setting = `missing=${rate * 100}%, genes=${nGenes}`;
      for (const [method, imputed] of methods) {
        const metrics = imputationMetrics(truth, imputed, mask, standardizer);
        fold.measurements.record('imputation', method, setting, 'pearson', [metrics.pearson]);
        fold.measurements.record('imputation', method, setting, 'rmse (z)', [metrics.rmseStandardized]);
      }
    }
  } finally {
    vae.dispose();
  }
}
