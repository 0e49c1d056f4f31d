// The cohort embedding map's data: the API's PCA and UMAP coordinates of the samples' GexBERT embeddings, how
// well each reads, and what the map can be coloured by (recorded cancer type, predicted cancer type, risk).
import type { CohortMapQuery } from '../generated/graphql.ts';
import { categoryColour } from './palette.ts';

/**
 * The predicted type of a sample the model flags as out of distribution: an explicit unknown with its own
 * colour and legend entry, never its closest known type.
 */
export const UNKNOWN_TYPE = 'unknown';
/** The colour of UNKNOWN_TYPE (not one of the palette's type colours; missing values are #999). */
export const UNKNOWN_COLOUR = '#5c5c5c';

export interface MapPoint {
  id: string;
  barcode: string;
  x: number;
  y: number;
  cancerType: string | null;
  predictedType: string | null;
  /** The closest known type when the predicted type is UNKNOWN_TYPE (for hover text only). */
  closestType: string | null;
  risk: number | null;
}

export type MapProjection = 'PCA' | 'UMAP';

/** How well one projection reads (the API's ProjectionReadability). */
export type Readability = ApiMap['readability'][number];

export interface EmbeddingMap {
  /** The points placed by `projection`. */
  points: MapPoint[];
  projection: MapProjection;
  /** Share of the variance explained by PC1 and PC2 (0-1). */
  explained: [number, number];
}

type ApiMap = NonNullable<NonNullable<CohortMapQuery['cohort']>['map']>;

/** The map's points as the API's CohortMap.columns gives them (parallel arrays; types as indices). */
export type ApiMapColumns = ApiMap['columns'];

/** The type to show for the API's prediction: UNKNOWN_TYPE when flagged, null without a prediction. */
export function shownPredictedType(
  p: { cancerType: string | null; outOfDistribution: boolean } | null | undefined,
): string | null {
  if (!p) return null;
  return p.outOfDistribution || p.cancerType === null ? UNKNOWN_TYPE : p.cancerType;
}

/** Legend categories: the types in alphabetical order, UNKNOWN_TYPE (when present) last. */
export function typeCategories(values: (string | null)[]): string[] {
  const types = [...new Set(values.filter((v): v is string => v !== null))];
  return [...types.filter((t) => t !== UNKNOWN_TYPE).sort(), ...types.filter((t) => t === UNKNOWN_TYPE)];
}

/** A category's colour: UNKNOWN_TYPE its own grey, the others the palette by their place in `categories`. */
export function typeColour(category: string, categories: string[]): string {
  return category === UNKNOWN_TYPE
    ? UNKNOWN_COLOUR
    : categoryColour(categories.filter((c) => c !== UNKNOWN_TYPE).indexOf(category));
}

/**
 * A number to 6 significant digits: what a drawn map needs of a coordinate or a risk, at a third of the
 * characters (an 11,000-point map travels to the browser as JSON).
 */
const drawn = (v: number) => Number(v.toPrecision(6));

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

/**
 * A map as the server hands it to the browser: one array per field, with the types as indices into one
 * list, instead of one object per point (an 11,000-point map is a third the size on the wire).
 */
export type PackedMap = Omit<ApiMapColumns, 'sampleIds' | 'outOfDistribution'> & {
  explained: [number, number];
  ids: number[];
  /** The projection that reads better (shown first). */
  projection: MapProjection;
  /** PCA's, then UMAP's when the map has one. */
  readability: Readability[];
};

/** The projections a packed map can be drawn by: PCA, and UMAP when every point has UMAP coordinates. */
export function projectionsOf(packed: PackedMap): MapProjection[] {
  return packed.umapX.every((v) => v !== null) ? ['PCA', 'UMAP'] : ['PCA'];
}

/**
 * The map the API placed, packed for the browser: the predicted type of a flagged sample is UNKNOWN_TYPE
 * (its closest known type kept for hover text only), coordinates and risks to 6 digits. Null without points.
 */
export function packedMap(
  map: Pick<ApiMap, 'explained' | 'columns' | 'projection' | 'readability'>,
): PackedMap | null {
  const c = map.columns;
  if (c.sampleIds.length === 0) return null;
  const types = [...c.types];
  const unknown = () => {
    const at = types.indexOf(UNKNOWN_TYPE);
    return at >= 0 ? at : types.push(UNKNOWN_TYPE) - 1;
  };
  const predictedType = c.predictedType.map((t, i) => {
    const flagged = c.outOfDistribution[i];
    if (flagged === null) return -1;
    return flagged || t < 0 ? unknown() : t;
  });
  return {
    explained: [map.explained[0] ?? 0, map.explained[1] ?? 0],
    projection: map.projection,
    readability: map.readability,
    ids: c.sampleIds.map(Number),
    barcodes: c.barcodes,
    x: c.x.map(drawn),
    y: c.y.map(drawn),
    umapX: c.umapX.map((v) => (v === null ? null : drawn(v))),
    umapY: c.umapY.map((v) => (v === null ? null : drawn(v))),
    types,
    cancerType: c.cancerType,
    predictedType,
    closestType: c.closestType.map((t, i) => (types[predictedType[i]!] === UNKNOWN_TYPE ? t : -1)),
    risk: c.risk.map((r) => (r === null ? null : drawn(r))),
  };
}

/** The packed map's points placed by `projection` (PCA when the map has no UMAP). */
export function unpackMap(packed: PackedMap, projection: MapProjection = packed.projection): EmbeddingMap {
  const type = (i: number) => (i < 0 ? null : packed.types[i]!);
  const shown = projectionsOf(packed).includes(projection) ? projection : 'PCA';
  const [xs, ys] = shown === 'UMAP' ? [packed.umapX, packed.umapY] : [packed.x, packed.y];
  return {
    explained: packed.explained,
    projection: shown,
    points: packed.ids.map((id, i) => ({
      id: String(id),
      barcode: packed.barcodes[i]!,
      x: xs[i]!,
      y: ys[i]!,
      cancerType: type(packed.cancerType[i]!),
      predictedType: type(packed.predictedType[i]!),
      closestType: type(packed.closestType[i]!),
      risk: packed.risk[i]!,
    })),
  };
}
