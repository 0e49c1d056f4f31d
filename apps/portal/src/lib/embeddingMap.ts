// The cohort embedding map's data: the API's PCA coordinates of the samples' GexBERT embeddings with what the
// map can be coloured by (recorded cancer type, predicted cancer type, predicted risk).
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

export interface EmbeddingMap {
  points: MapPoint[];
  /** Share of the variance explained by PC1 and PC2 (0-1). */
  explained: [number, number];
}

/** One point as the API's Cohort.map gives it. */
export interface ApiMapPoint {
  sampleId: string | number;
  barcode: string;
  x: number;
  y: number;
  cancerType: string | null;
  predictedType: string | null;
  closestType: string | null;
  outOfDistribution: boolean | null;
  risk: number | null;
}

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
 * characters (an 11,000-point map travels to the browser as the client component's props).
 */
const drawn = (v: number) => Number(v.toPrecision(6));

/** The map the API placed, with the predicted type shown as UNKNOWN_TYPE for flagged samples. */
export function embeddingMap(map: { explained: number[]; points: ApiMapPoint[] }): EmbeddingMap | null {
  if (map.points.length === 0) return null;
  const points = map.points.map((p): MapPoint => {
    const predictedType = shownPredictedType(
      p.outOfDistribution === null
        ? null
        : { cancerType: p.predictedType, outOfDistribution: p.outOfDistribution },
    );
    return {
      id: String(p.sampleId),
      barcode: p.barcode,
      x: drawn(p.x),
      y: drawn(p.y),
      cancerType: p.cancerType,
      predictedType,
      closestType: predictedType === UNKNOWN_TYPE ? p.closestType : null,
      risk: p.risk === null ? null : drawn(p.risk),
    };
  });
  return { points, explained: [map.explained[0] ?? 0, map.explained[1] ?? 0] };
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

/**
 * A map as the server hands it to the browser: one array per field, with the types as indices into one
 * list, instead of one object per point (an 11,000-point map is a third the size on the wire).
 */
export interface PackedMap {
  explained: [number, number];
  ids: number[];
  barcodes: string[];
  x: number[];
  y: number[];
  /** The type names the three type columns index (-1 = none). */
  types: string[];
  cancerType: number[];
  predictedType: number[];
  closestType: number[];
  risk: (number | null)[];
}

export function packMap(map: EmbeddingMap): PackedMap {
  const types = [
    ...new Set(map.points.flatMap((p) => [p.cancerType, p.predictedType, p.closestType])),
  ].filter((t): t is string => t !== null);
  const index = new Map(types.map((t, i) => [t, i]));
  const of = (t: string | null) => (t === null ? -1 : index.get(t)!);
  return {
    explained: map.explained,
    ids: map.points.map((p) => Number(p.id)),
    barcodes: map.points.map((p) => p.barcode),
    x: map.points.map((p) => p.x),
    y: map.points.map((p) => p.y),
    types,
    cancerType: map.points.map((p) => of(p.cancerType)),
    predictedType: map.points.map((p) => of(p.predictedType)),
    closestType: map.points.map((p) => of(p.closestType)),
    risk: map.points.map((p) => p.risk),
  };
}

export function unpackMap(packed: PackedMap): EmbeddingMap {
  const type = (i: number) => (i < 0 ? null : packed.types[i]!);
  return {
    explained: packed.explained,
    points: packed.ids.map((id, i) => ({
      id: String(id),
      barcode: packed.barcodes[i]!,
      x: packed.x[i]!,
      y: packed.y[i]!,
      cancerType: type(packed.cancerType[i]!),
      predictedType: type(packed.predictedType[i]!),
      closestType: type(packed.closestType[i]!),
      risk: packed.risk[i]!,
    })),
  };
}
