/**
 * Task 3 of the paper: restoring missing genes. Over the most variable vocabulary genes (gene sets of
 * several sizes), MCAR masks hide a fraction of each test sample's values; the per-gene mean, KNN (k
 * tuned on training samples) and GexBERT restoration fill them in. Pearson (per-gene standardised space)
 * and RMSE are measured on the masked entries only.
 */
import { restore } from '../../gexbert/index.ts';
import { fitStandardizer } from '../data.ts';
import { type FoldContext, OMIT } from '../fold.ts';
import { applyMask, imputationMetrics, knnImpute, mcarMask, meanImpute, tuneKnnK } from '../impute.ts';
import { type Matrix, selectCols } from '../matrix.ts';

/** Missing rates per mode. */
export function missingRates(quick: boolean): number[] {
  return quick ? [0.3, 0.7] : [0.3, 0.5, 0.7, 0.9];
}

/** Gene-set sizes per mode (at most the vocabulary). */
export function geneSetSizes(quick: boolean, vocabularySize: number): number[] {
  return (quick ? [256] : [256, 1000]).filter((n) => n <= vocabularySize);
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

/** GexBERT's restoration of the masked entries of `masked` (n x genes, z), other entries kept. */
async function gexbertImpute(
  fold: FoldContext,
  genes: string[],
  masked: Matrix,
  mask: Uint8Array,
  fallback: Float64Array,
): Promise<Matrix> {
  const n = genes.length;
  const restored = await restore(
    fold.predictor,
    fold.stats,
    Array.from({ length: masked.rows }, (_, i) => ({
      genes,
      values: Float32Array.from(masked.data.subarray(i * n, (i + 1) * n)),
      unit: 'z' as const,
    })),
    genes,
    { unit: 'z', ...OMIT },
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

/** Records the imputation measurements of one fold. */
export async function imputeMissing(fold: FoldContext): Promise<void> {
  const order = byTrainingVariance(fold.trainZ);
  for (const nGenes of geneSetSizes(fold.quick, fold.vocab.length)) {
    const cols = order.slice(0, nGenes).sort((a, b) => a - b);
    const genes = cols.map((c) => fold.vocab[c]!);
    const ref = selectCols(fold.trainZ, cols);
    const truth = selectCols(fold.testZ, cols);
    const standardizer = fitStandardizer(ref);
    const knnK = tuneKnnK(ref, { seed: fold.seed }).k;
    fold.note(
      `Imputation${fold.folds > 1 ? ` (fold ${fold.fold + 1})` : ''}, ${nGenes} genes: KNN k = ${knnK} (tuned on training samples).`,
    );
    for (const rate of missingRates(fold.quick)) {
      fold.log(`imputation: ${nGenes} genes, ${rate * 100}% missing`);
      const maskSeed = fold.seed * 100 + Math.round(rate * 100) + nGenes + 7919 * fold.fold;
      const mask = mcarMask(truth.rows, truth.cols, rate, maskSeed);
      const masked = applyMask(truth, mask);
      const methods: [string, Matrix][] = [
        ['mean', meanImpute(ref, masked)],
        ['knn', knnImpute(ref, masked, knnK)],
        ['gexbert', await gexbertImpute(fold, genes, masked, mask, standardizer.mean)],
      ];
      const setting = `missing=${rate * 100}%, genes=${nGenes}`;
      for (const [method, imputed] of methods) {
        const metrics = imputationMetrics(truth, imputed, mask, standardizer);
        fold.measurements.record('imputation', method, setting, 'pearson', [metrics.pearson]);
        fold.measurements.record('imputation', method, setting, 'rmse (z)', [metrics.rmseStandardized]);
      }
    }
  }
}
