// A cohort's embedding map: every sample with an embedding placed on the first two principal components of
// the cohort's embeddings (the model library's PCA), with the predictions a map is coloured by.
import { fromRows } from '@gexbert/model/evaluate/matrix';
import { fitPca, transformPca } from '@gexbert/model/evaluate/pca';
import type { SamplePrediction } from '@gexbert/model/heads/serve';

/** What a map point shows of a sample's answer (stored flat by the precompute, core readStoredMapPoints). */
export interface MapPrediction {
  predictedType: string | null;
  closestType: string | null;
  outOfDistribution: boolean | null;
  risk: number | null;
}

export interface MapInput {
  sampleId: number;
  vector: ArrayLike<number>;
  prediction: MapPrediction | null;
}

/** The map's fields of a sample's answer. */
export function mapPrediction(prediction: SamplePrediction | null): MapPrediction | null {
  if (!prediction) return null;
  const type = prediction.cancerType;
  return {
    predictedType: type?.predictedType ?? null,
    closestType: type?.closestType ?? null,
    outOfDistribution: type ? type.outOfDistribution : null,
    risk: prediction.risk?.score ?? null,
  };
}

export interface MapPointRow {
  sampleId: number;
  x: number;
  y: number;
  predictedType: string | null;
  closestType: string | null;
  outOfDistribution: boolean | null;
  risk: number | null;
}

/**
 * The map of `samples` (those with an embedding); null when there are none. One sample sits at the origin;
 * two are placed on one component (y = 0).
 */
export function cohortMap(
  samples: readonly MapInput[],
): { explained: number[]; points: MapPointRow[] } | null {
  if (samples.length === 0) return null;
  const x = fromRows(samples.map((s) => s.vector)); // [samples, width]
  const k = Math.min(2, x.rows - 1, x.cols);
  const pca = k >= 1 ? fitPca(x, k) : null;
  const scores = pca ? transformPca(pca, x) : null; // [samples, k]
  const points = samples.map(
    (s, i): MapPointRow => ({
      sampleId: s.sampleId,
      x: scores ? scores.data[i * k]! : 0,
      y: scores && k > 1 ? scores.data[i * k + 1]! : 0,
      predictedType: s.prediction?.predictedType ?? null,
      closestType: s.prediction?.closestType ?? null,
      outOfDistribution: s.prediction?.outOfDistribution ?? null,
      risk: s.prediction?.risk ?? null,
    }),
  );
  const explained = pca ? [...pca.explainedVarianceRatio] : [];
  return { explained: [explained[0] ?? 0, explained[1] ?? 0], points };
}
