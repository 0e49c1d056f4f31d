// A cohort's embedding map: every sample with an embedding placed twice in 2-D, on the first two principal
// components of the cohort's embeddings (the model library's PCA) and by their UMAP (umap-js, seeded), with
// the predictions a map is coloured by and how well each projection reads (model stats/mapReadability.ts:
// recorded types sharing their map neighbours, trustworthiness against the embedding space); the one that
// reads better is shown first. A worker places and stores every cohort's map when a precompute finishes
// (cohortAnswers.ts), and a cohort's map when its members change after that (cohortMapQueue.ts), so the API
// mostly only reads it; a map not stored yet the API places on request, the UMAP only for small cohorts.

import type { SamplePrediction } from '@gexbert/model/heads';
import {
  fitPca,
  fitUmap,
  fromRows,
  type MapReadability,
  type Matrix,
  mapReadability,
  transformPca,
  UMAP_DEFAULTS,
} from '@gexbert/model/stats';
import type pg from 'pg';
import { cohortFingerprint, storeCohortAnswer } from './cohortAnswers.ts';
import { readStoredMapPoints, storedPredictionCount } from './precompute.ts';

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
  /** PC1, PC2 */
  x: number;
  y: number;
  /** The UMAP coordinates; null when the map has no UMAP (fewer than 3 points). */
  umapX: number | null;
  umapY: number | null;
  predictedType: string | null;
  closestType: string | null;
  outOfDistribution: boolean | null;
  risk: number | null;
}

/** The two projections of a cohort map. */
export type MapProjection = 'PCA' | 'UMAP';

/** The UMAP of every map: the same seed and settings for every cohort, so a map is placed the same each time. */
export const MAP_UMAP = {
  seed: 14,
  neighbours: UMAP_DEFAULTS.neighbours,
  minDist: UMAP_DEFAULTS.minDist,
  fitLimit: 12_000,
};

/** How well one projection of a map reads; `score` is the mean of the two scores it has (null: neither). */
export interface ProjectionReadability extends MapReadability {
  projection: MapProjection;
  score: number | null;
}

/** The UMAP settings a map was placed with. */
export interface MapUmapSettings {
  seed: number;
  neighbours: number;
  minDist: number;
  /** Points the layout was fitted on; the rest (above MAP_UMAP.fitLimit) were placed by its transform. */
  fitted: number;
}

export interface CohortMapLayout {
  explained: number[];
  points: MapPointRow[];
  /** The projection that reads better (the higher score; PCA on a tie or without scores): shown first. */
  projection: MapProjection;
  /** PCA's, then UMAP's when the map has one (none when placed by the PCA alone). */
  readability: ProjectionReadability[];
  umap: MapUmapSettings | null;
}

function readability(
  projection: MapProjection,
  high: Matrix,
  low: Matrix,
  labels: readonly (string | null)[],
): ProjectionReadability {
  const r = mapReadability(high, low, labels);
  const scores = [r.typeAgreement, r.trustworthiness].filter((v): v is number => v !== null);
  return {
    projection,
    ...r,
    score: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
  };
}

/** The first two PCA scores of the rows of `x` ([samples, width]) as [samples, 2] (zeros where k < 2). */
function pcaLayout(x: Matrix): { explained: number[]; points: Matrix } {
  const k = Math.min(2, x.rows - 1, x.cols);
  const pca = k >= 1 ? fitPca(x, k) : null;
  const scores = pca ? transformPca(pca, x) : null; // [samples, k]
  const points = fromRows(
    Array.from({ length: x.rows }, (_, i) => [
      scores ? scores.data[i * k]! : 0,
      scores && k > 1 ? scores.data[i * k + 1]! : 0,
    ]),
  ); // [samples, 2]
  const explained = pca ? [...pca.explainedVarianceRatio] : [];
  return { explained: [explained[0] ?? 0, explained[1] ?? 0], points };
}

/** What a map is placed by: both projections, or the PCA alone (cheap: the UMAP is left to a worker). */
export type MapPlacing = 'PCA+UMAP' | 'PCA';

/**
 * The map of `samples` (those with an embedding); null when there are none. `labels` (the recorded cancer
 * types, by sample) score how well each projection reads. PCA: one sample sits at the origin, two are
 * placed on one component (y = 0); UMAP needs three. Placed by the PCA alone (`placing` 'PCA'), the map has
 * no UMAP and no readability scores.
 */
export function cohortMap(
  samples: readonly MapInput[],
  labels: readonly (string | null)[] = samples.map(() => null),
  placing: MapPlacing = 'PCA+UMAP',
): CohortMapLayout | null {
  if (samples.length === 0) return null;
  const x = fromRows(samples.map((s) => s.vector)); // [samples, width]
  const pca = pcaLayout(x);
  const umap = placing === 'PCA+UMAP' ? fitUmap(x, MAP_UMAP) : null;
  const points = samples.map(
    (s, i): MapPointRow => ({
      sampleId: s.sampleId,
      x: pca.points.data[i * 2]!,
      y: pca.points.data[i * 2 + 1]!,
      umapX: umap ? umap.points.data[i * 2]! : null,
      umapY: umap ? umap.points.data[i * 2 + 1]! : null,
      predictedType: s.prediction?.predictedType ?? null,
      closestType: s.prediction?.closestType ?? null,
      outOfDistribution: s.prediction?.outOfDistribution ?? null,
      risk: s.prediction?.risk ?? null,
    }),
  );
  // the PCA alone is not scored: there is nothing to choose between, and scoring 11,000 points takes seconds
  const scored =
    placing === 'PCA'
      ? []
      : [
          readability('PCA', x, pca.points, labels),
          ...(umap ? [readability('UMAP', x, umap.points, labels)] : []),
        ];
  const [p, u] = scored;
  const projection: MapProjection =
    u && u.score !== null && (p!.score === null || u.score > p!.score) ? 'UMAP' : 'PCA';
  return {
    explained: pca.explained,
    points,
    projection,
    readability: scored,
    umap: umap
      ? {
          seed: MAP_UMAP.seed,
          neighbours: MAP_UMAP.neighbours,
          minDist: MAP_UMAP.minDist,
          fitted: umap.fitted,
        }
      : null,
  };
}

/** A cohort member as its map point shows it. */
export interface MapSample {
  id: number;
  barcode: string;
  cancerType: string | null;
}

/** The map as the API serves it (without its model version). */
export interface PlacedMap extends Omit<CohortMapLayout, 'points'> {
  /** Members without an embedding (not on the map). */
  withoutEmbedding: number;
  points: (MapPointRow & { barcode: string; cancerType: string | null })[];
}

/** A placed map's points as parallel arrays, the three type fields as indices into `types` (-1: none). */
export interface MapColumns {
  sampleIds: number[];
  barcodes: string[];
  x: number[];
  y: number[];
  umapX: (number | null)[];
  umapY: (number | null)[];
  types: string[];
  cancerType: number[];
  predictedType: number[];
  closestType: number[];
  outOfDistribution: (boolean | null)[];
  risk: (number | null)[];
}

/** The map's points as columns (the API's CohortMap.columns), in the points' order. */
export function mapColumns(points: PlacedMap['points']): MapColumns {
  const types: string[] = [];
  const index = new Map<string, number>();
  const of = (type: string | null): number => {
    if (type === null) return -1;
    let i = index.get(type);
    if (i === undefined) {
      i = types.push(type) - 1;
      index.set(type, i);
    }
    return i;
  };
  return {
    sampleIds: points.map((p) => p.sampleId),
    barcodes: points.map((p) => p.barcode),
    x: points.map((p) => p.x),
    y: points.map((p) => p.y),
    umapX: points.map((p) => p.umapX),
    umapY: points.map((p) => p.umapY),
    cancerType: points.map((p) => of(p.cancerType)),
    predictedType: points.map((p) => of(p.predictedType)),
    closestType: points.map((p) => of(p.closestType)),
    outOfDistribution: points.map((p) => p.outOfDistribution),
    risk: points.map((p) => p.risk),
    types,
  };
}

/** The cohort's members in sample order, with what a map point shows of them. */
export async function mapSamples(pool: pg.Pool, cohortId: number): Promise<MapSample[]> {
  // raw SQL: bulk: every member of a cohort (thousands) joined to its patient
  const { rows } = await pool.query<MapSample>(
    `SELECT s.id, s.barcode, p."cancerType" FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId"
     JOIN "Patient" p ON p.id = s."patientId" WHERE cs."cohortId" = $1 ORDER BY s.id`,
    [cohortId],
  );
  return rows;
}

/** The map of `samples` given each one's input (null: no embedding); null when none has one. */
export function placeMap(
  samples: readonly MapSample[],
  inputs: readonly (MapInput | null)[],
  placing: MapPlacing = 'PCA+UMAP',
): PlacedMap | null {
  const embedded = samples.flatMap((sample, i) => (inputs[i] ? [{ sample, input: inputs[i]! }] : []));
  const map = cohortMap(
    embedded.map((e) => e.input),
    embedded.map((e) => e.sample.cancerType),
    placing,
  );
  if (!map) return null;
  return {
    ...map,
    withoutEmbedding: samples.length - embedded.length,
    points: map.points.map((p, i) => ({
      ...p,
      barcode: embedded[i]!.sample.barcode,
      cancerType: embedded[i]!.sample.cancerType,
    })),
  };
}

/** The key a cohort's map is stored under (maps stored before UMAP, under map/<version>/<heads>, are not read). */
export function mapAnswerKey(modelVersionId: number, headsId: string): string {
  return `map/pca+umap/${modelVersionId}/${headsId}`;
}

/**
 * Places and stores the map of every cohort whose members all have a stored answer of this version and
 * heads (those the model cannot read are stored without one, and are left off the map as the API leaves
 * them off); returns the cohorts stored. Others are placed by the API when asked. `placed` hears of each
 * map placed (an 11,000-point map's UMAP takes about a minute).
 */
export async function storeCohortMaps(
  pool: pg.Pool,
  modelVersionId: number,
  headsId: string,
  cohortIds: readonly number[],
  placed?: (map: { cohortId: number; points: number; seconds: number; projection: MapProjection }) => void,
): Promise<number[]> {
  const stored: number[] = [];
  for (const cohortId of cohortIds) {
    const fingerprint = await cohortFingerprint(pool, cohortId);
    if (fingerprint === null) continue;
    const samples = await mapSamples(pool, cohortId);
    const ids = samples.map((s) => s.id);
    if ((await storedPredictionCount(pool, modelVersionId, headsId, ids)) < ids.length) continue;
    const points = await readStoredMapPoints(pool, modelVersionId, headsId, ids);
    const inputs = ids.map((id): MapInput | null => {
      const point = points.get(id);
      return point ? { sampleId: id, vector: point.vector, prediction: point } : null;
    });
    const started = performance.now();
    const map = placeMap(samples, inputs);
    if (!map) continue;
    placed?.({
      cohortId,
      points: map.points.length,
      seconds: (performance.now() - started) / 1000,
      projection: map.projection,
    });
    await storeCohortAnswer(pool, cohortId, mapAnswerKey(modelVersionId, headsId), fingerprint, map);
    stored.push(cohortId);
  }
  return stored;
}
