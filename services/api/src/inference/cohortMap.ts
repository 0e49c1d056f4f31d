// A cohort's embedding map: every sample with an embedding placed on the first two principal components of
// the cohort's embeddings (the model library's PCA), with the predictions a map is coloured by.
import { fromRows } from '@gexbert/model/evaluate/matrix';
import { fitPca, transformPca } from '@gexbert/model/evaluate/pca';
import type { SamplePrediction } from '@gexbert/model/heads/serve';

export interface MapInput {
  sampleId: number;
  vector: ArrayLike<number>;
  prediction: SamplePrediction | null;
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

/** The map of `samples` (those with an embedding); null when fewer than 3 have one (no plane to fit). */
export function cohortMap(
  samples: readonly MapInput[],
): { explained: number[]; points: MapPointRow[] } | null {
  if (samples.length < 3) return null;
  const x = fromRows(samples.map((s) => s.vector)); // [samples, width]
  const pca = fitPca(x, Math.min(2, x.cols));
  const scores = transformPca(pca, x); // [samples, 2]
  const k = scores.cols;
  const points = samples.map((s, i): MapPointRow => {
    const type = s.prediction?.cancerType ?? null;
    return {
      sampleId: s.sampleId,
      x: scores.data[i * k]!,
      y: k > 1 ? scores.data[i * k + 1]! : 0,
      predictedType: type?.predictedType ?? null,
      closestType: type?.closestType ?? null,
      outOfDistribution: type ? type.outOfDistribution : null,
      risk: s.prediction?.risk?.score ?? null,
    };
  });
  return { explained: [...pca.explainedVarianceRatio].concat([0, 0]).slice(0, 2), points };
}
