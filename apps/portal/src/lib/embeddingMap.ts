// The cohort embedding map's data: PCA coordinates of the samples' GexBERT embeddings with what the map can
// be coloured by (recorded cancer type, predicted cancer type, predicted risk).
import { pca2 } from './pca.ts';

export interface MapPoint {
  id: string;
  barcode: string;
  x: number;
  y: number;
  cancerType: string | null;
  predictedType: string | null;
  risk: number | null;
}

export interface EmbeddingMap {
  points: MapPoint[];
  /** Share of the variance explained by PC1 and PC2 (0-1). */
  explained: [number, number];
}

export interface EmbeddedSample {
  vector: number[];
  sample: { id: string; barcode: string; patient: { cancerType: string | null } };
}

export interface SamplePrediction {
  id: string;
  predictedType: string | null;
  risk: number | null;
}

/** The map of `embeddings` (null when there are none); predictions are matched by sample ID. */
export function embeddingMap(
  embeddings: EmbeddedSample[],
  predictions: SamplePrediction[],
): EmbeddingMap | null {
  if (embeddings.length === 0) return null;
  const byId = new Map(predictions.map((p) => [p.id, p]));
  const { scores, explained } = pca2(embeddings.map((e) => e.vector));
  const points = embeddings.map((e, i): MapPoint => {
    const prediction = byId.get(e.sample.id);
    return {
      id: e.sample.id,
      barcode: e.sample.barcode,
      x: scores[i]![0],
      y: scores[i]![1],
      cancerType: e.sample.patient.cancerType,
      predictedType: prediction?.predictedType ?? null,
      risk: prediction?.risk ?? null,
    };
  });
  return { points, explained };
}

/** A colour from blue (low, t = 0) through grey to vermilion (high, t = 1). */
export function riskColour(t: number): string {
  const low = [0, 114, 178];
  const mid = [190, 190, 190];
  const high = [213, 94, 0];
  const clamped = Math.min(1, Math.max(0, t));
  const [a, b, u] = clamped < 0.5 ? [low, mid, clamped * 2] : [mid, high, clamped * 2 - 1];
  const mix = a.map((v, i) => Math.round(v + (b[i]! - v) * u));
  return `rgb(${mix.join(',')})`;
}
