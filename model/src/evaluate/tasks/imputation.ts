/**
 * Task 3 of the paper: restoring missing genes. Gene sets of several sizes: the most variable vocabulary
 * genes (256; 1,000 in full mode) in the model's z space, and in full mode the 5,000 most variable
 * protein-coding genes of the training samples (log2 CPM standardised with training statistics), which
 * GexBERT's 1,000-gene vocabulary cannot restore. MCAR masks hide a fraction of each test sample's
 * values; the per-gene mean, KNN (k tuned on training samples), a VAE (vae.ts, trained once per gene set
 * on the training samples) and, on vocabulary gene sets, GexBERT restoration fill them in. Pearson
 * (per-gene standardised space) and RMSE are measured on the masked entries only.
 */
import { restore } from '../../gexbert/index.ts';
import { matrixToLog2Cpm } from '../../gexbert/normalise.ts';
import { applyStandardizer, fitStandardizer } from '../data.ts';
import { type FoldContext, OMIT } from '../fold.ts';
import { applyMask, imputationMetrics, knnImpute, mcarMask, meanImpute, tuneKnnK } from '../impute.ts';
import { colVariances, type Matrix, selectCols } from '../matrix.ts';
import { fitVae } from '../vae.ts';

/** Missing rates per mode. */
export function missingRates(quick: boolean): number[] {
  return quick ? [0.3, 0.7] : [0.3, 0.5, 0.7, 0.9];
}

/** Sizes of the vocabulary gene sets per mode (at most the vocabulary). */
export function geneSetSizes(quick: boolean, vocabularySize: number): number[] {
  return (quick ? [256] : [256, 1000]).filter((n) => n <= vocabularySize);
}

/** Size of the gene set beyond the vocabulary (full mode only). */
export function wideGeneSetSize(quick: boolean): number | null {
  return quick ? null : 5000;
}

/** Seconds a VAE may train on a gene set of this size (a safety net; early stopping usually ends it first). */
export function vaeTimeLimit(nGenes: number): number {
  return nGenes <= 256 ? 45 : nGenes <= 1000 ? 75 : 150;
}

/** A gene set's training and test samples (z), and whether GexBERT can restore it. */
export interface GeneSet {
  genes: string[];
  train: Matrix;
  test: Matrix;
  gexbert: boolean;
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

/** The `n` most variable vocabulary genes, in the model's z space. */
function vocabularyGeneSet(fold: FoldContext, order: number[], n: number): GeneSet {
  const cols = order.slice(0, n).sort((a, b) => a - b);
  return {
    genes: cols.map((c) => fold.vocab[c]!),
    train: selectCols(fold.trainZ, cols),
    test: selectCols(fold.testZ, cols),
    gexbert: true,
  };
}

/** A samples x genes log2(CPM + 1) matrix of a fold's counts (library sizes over all genes). */
function log2CpmMatrix(counts: FoldContext['trainCounts']): Matrix {
  return {
    rows: counts.nSamples,
    cols: counts.genes.length,
    data: Float64Array.from(matrixToLog2Cpm(counts)),
  };
}

/**
 * The `n` most variable allowed (protein-coding) genes of the training samples' log2 CPM, standardised with
 * the training samples' mean and sd.
 */
export function wideGeneSet(
  fold: Pick<FoldContext, 'trainCounts' | 'testCounts' | 'allowedGenes'>,
  n: number,
): GeneSet {
  const train = log2CpmMatrix(fold.trainCounts);
  const candidates = fold.trainCounts.genes.flatMap((g, j) =>
    (fold.allowedGenes?.has(g) ?? true) ? [j] : [],
  );
  const variance = colVariances(selectCols(train, candidates));
  const cols = candidates
    .map((j, c) => ({ j, v: variance[c]! }))
    .sort((a, b) => b.v - a.v || a.j - b.j)
    .slice(0, n)
    .map((e) => e.j)
    .sort((a, b) => a - b);
  const trainRaw = selectCols(train, cols);
  const standardizer = fitStandardizer(trainRaw);
  return {
    genes: cols.map((j) => fold.trainCounts.genes[j]!),
    train: applyStandardizer(trainRaw, standardizer),
    test: applyStandardizer(selectCols(log2CpmMatrix(fold.testCounts), cols), standardizer),
    gexbert: false,
  };
}

/** Records the imputation measurements of one fold. */
export async function imputeMissing(fold: FoldContext): Promise<void> {
  const order = byTrainingVariance(fold.trainZ);
  for (const nGenes of geneSetSizes(fold.quick, fold.vocab.length))
    await imputeGeneSet(fold, vocabularyGeneSet(fold, order, nGenes));
  const wide = wideGeneSetSize(fold.quick);
  if (wide === null) return;
  fold.log(
    `imputation: choosing the ${wide} most variable ${fold.allowedGenes ? 'protein-coding ' : ''}genes`,
  );
  const set = wideGeneSet(fold, wide);
  const inVocabulary = new Set(fold.vocab);
  fold.note(
    `Imputation, ${set.genes.length} genes: the most variable ${fold.allowedGenes ? 'protein-coding ' : ''}genes of the training samples (log2 CPM, standardised with training statistics). GexBERT is not evaluated on this set: its vocabulary has ${fold.vocab.length} genes, so it cannot restore the others.`,
  );
  fold.note(
    `Imputation${fold.folds > 1 ? ` (fold ${fold.fold + 1})` : ''}, ${set.genes.length} genes: ${set.genes.filter((g) => inVocabulary.has(g)).length} of them are in the GexBERT vocabulary.`,
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
      if (set.gexbert)
        methods.push(['gexbert', await gexbertImpute(fold, genes, masked, mask, standardizer.mean)]);
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
