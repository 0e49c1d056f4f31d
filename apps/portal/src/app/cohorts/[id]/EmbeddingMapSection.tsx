'use client';
// The cohort's GexBERT embeddings in 2-D, by UMAP or by their first two principal components (the one that
// reads better first; the other one click away, the choice kept in the URL as ?projection=): one point per
// sample with an embedding, coloured by recorded cancer type, predicted cancer type or predicted risk; hovering
// shows the barcode, clicking opens the sample. Samples the model flags as out of distribution are predicted "unknown"
// (their own colour and legend entry), never their closest known type.
import { useSearchParams } from 'next/navigation';
import { useId, useMemo, useState } from 'react';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import {
  type MapPoint,
  type MapProjection,
  type PackedMap,
  projectionsOf,
  type Readability,
  riskColour,
  typeCategories,
  typeColour,
  UNKNOWN_TYPE,
  unpackMap,
} from '../../../lib/embeddingMap.ts';
import { figureHeight, MAP_LAYOUT, rangeTicks } from '../../../lib/mapAxes.ts';
import { setUrlParams } from '../../../lib/urlParams.ts';
import { MapCanvas } from './MapCanvas.tsx';

/** Above this many samples the points are drawn on a canvas (one SVG element per sample gets slow). */
export const CANVAS_FROM = 1500;

type ColourBy = 'cancerType' | 'predictedType' | 'risk';
const COLOUR_BY: { value: ColourBy; label: string }[] = [
  { value: 'cancerType', label: 'Cancer type (recorded)' },
  { value: 'predictedType', label: 'Cancer type (predicted)' },
  { value: 'risk', label: 'Predicted risk' },
];

/** The colouring a URL's ?colour= names (the recorded cancer type when it names none). */
function colourByOf(value: string | null): ColourBy {
  return COLOUR_BY.find((c) => c.value === value)?.value ?? 'cancerType';
}

/** The projection a URL's ?projection= names (null: none, the map's better-reading one). */
function projectionOf(value: string | null): MapProjection | null {
  return value === 'umap' ? 'UMAP' : value === 'pca' ? 'PCA' : null;
}

const score = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(2));

/** One line per projection: its readability scores, the better one marked. */
function ReadabilityNote(props: { readability: Readability[]; better: MapProjection }) {
  if (props.readability.length === 0) return null;
  const k = props.readability[0]!.k;
  return (
    <p className="map-readability" data-testid="map-readability">
      How each projection reads (0-1, higher is better): the share of a sample's {k} nearest map neighbours
      with its recorded cancer type, and trustworthiness against the embedding space.{' '}
      {props.readability.map((r) => (
        <span key={r.projection} data-projection={r.projection} data-score={r.score ?? ''}>
          {r.projection}: type agreement {score(r.typeAgreement)}, trustworthiness {score(r.trustworthiness)}
          {r.projection === props.better ? ' (reads better, shown first)' : ''}.{' '}
        </span>
      ))}
    </p>
  );
}

const { WIDTH, HEIGHT, MARGIN, LEGEND_ROW } = MAP_LAYOUT;

function colourFor(by: ColourBy, categories: string[], risk: { min: number; max: number }) {
  // one colour per category, looked up per point (typeColour searches the categories)
  const colours = new Map(categories.map((c) => [c, typeColour(c, categories)]));
  return (p: MapPoint): string => {
    if (by === 'risk')
      return p.risk === null ? '#999' : riskColour((p.risk - risk.min) / (risk.max - risk.min || 1));
    const key = p[by];
    return key === null ? '#999' : (colours.get(key) ?? '#999');
  };
}

/** How many points have each value of `by` (one pass; the legend's counts). */
function countsBy(points: readonly MapPoint[], by: ColourBy): Map<string | null, number> {
  const counts = new Map<string | null, number>();
  if (by === 'risk') return counts;
  for (const p of points) counts.set(p[by], (counts.get(p[by]) ?? 0) + 1);
  return counts;
}

function pointTitle(p: MapPoint): string {
  return `${p.barcode} · ${p.cancerType ?? 'unknown type'}; predicted ${p.predictedType ?? '–'}${p.predictedType === UNKNOWN_TYPE && p.closestType ? ` (out of distribution; closest known ${p.closestType})` : ''}; risk ${p.risk === null ? '–' : p.risk.toFixed(3)}`;
}

const INNER_W = WIDTH - MARGIN.left - MARGIN.right;
const INNER_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** Scales, colours, legend counts and (on a canvas) each point's mark, for one map and colouring. */
function mapDrawing(points: readonly MapPoint[], by: ColourBy, wantCanvas: boolean) {
  const categories = by === 'risk' ? [] : typeCategories(points.map((p) => p[by]));
  let riskMin = Number.POSITIVE_INFINITY;
  let riskMax = Number.NEGATIVE_INFINITY;
  for (const p of points)
    if (p.risk !== null) {
      riskMin = Math.min(riskMin, p.risk);
      riskMax = Math.max(riskMax, p.risk);
    }
  const risk = { min: riskMin, max: riskMax };
  const colour = colourFor(by, categories, risk);
  const extent = (values: number[]) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return [lo - (hi - lo || 1) * 0.05, hi + (hi - lo || 1) * 0.05] as const;
  };
  const [x0, x1] = extent(points.map((p) => p.x));
  const [y0, y1] = extent(points.map((p) => p.y));
  const sx = (v: number) => MARGIN.left + (INNER_W * (v - x0)) / (x1 - x0);
  const sy = (v: number) => MARGIN.top + INNER_H * (1 - (v - y0) / (y1 - y0));
  const onCanvas = wantCanvas || points.length > CANVAS_FROM;
  const canvasPoints = onCanvas
    ? points.map((p) => ({
        x: sx(p.x) - MARGIN.left,
        y: sy(p.y) - MARGIN.top,
        fill: colour(p),
        href: `/samples/${p.id}`,
        title: pointTitle(p),
      }))
    : [];
  return {
    categories,
    counts: countsBy(points, by),
    risk,
    colour,
    x0,
    x1,
    y0,
    y1,
    sx,
    sy,
    onCanvas,
    canvasPoints,
  };
}

export function EmbeddingMapSection(props: {
  /** The map as the server packs it (lib/embeddingMap.ts packMap). */
  packed: PackedMap | null;
  modelName: string | null;
  /** Draw on a canvas whatever the cohort's size (also the page URL's ?map=canvas). */
  canvas?: boolean;
  /** A worker is placing the map's UMAP: the PCA is drawn, the UMAP offered once stored. */
  umapPlacing?: boolean;
  /** Members not on the map yet (the precompute has not reached them), while the UMAP is being placed. */
  awaitingPrecompute?: number;
}) {
  const params = useSearchParams();
  const [by, setColourBy] = useState<ColourBy>(() => colourByOf(params.get('colour')));
  // The colouring also lives in the URL (?colour=), so a copied link opens the same view; replaceState
  // changes it without a round trip to the server.
  const setBy = (value: ColourBy) => {
    setColourBy(value);
    setUrlParams({ colour: value === 'cancerType' ? null : value });
  };
  const { packed } = props;
  // ?projection= likewise; without it the map's better-reading projection
  const [asked, setAsked] = useState<MapProjection | null>(() => projectionOf(params.get('projection')));
  const projection = asked ?? packed?.projection ?? 'PCA';
  const setProjection = (value: MapProjection) => {
    setAsked(value);
    setUrlParams({ projection: value.toLowerCase() });
  };
  const forced = params.get('map') === 'canvas';
  const canvasId = useId();
  const map = useMemo(() => (packed ? unpackMap(packed, projection) : null), [packed, projection]);
  const wantCanvas = props.canvas === true || forced;
  // Derived once per map and colouring: a re-render (a hover, say) must not hand MapCanvas new points,
  // which would draw 11,000 points again.
  const drawing = useMemo(() => (map ? mapDrawing(map.points, by, wantCanvas) : null), [map, by, wantCanvas]);
  if (!map || !drawing)
    return (
      <section aria-labelledby="embedding-map">
        <h2 id="embedding-map">Embedding map</h2>
        <p className="empty">No sample of this cohort has raw counts, so none has an embedding.</p>
      </section>
    );
  const { points } = map;
  const { categories, counts, risk, colour, x0, x1, y0, y1, sx, sy, onCanvas, canvasPoints } = drawing;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const umap = map.projection === 'UMAP';
  const height = figureHeight(by === 'risk' ? 6 : categories.length);
  const label = `${map.projection} of ${points.length} GexBERT embeddings coloured by ${COLOUR_BY.find((c) => c.value === by)!.label.toLowerCase()}`;
  return (
    <section aria-labelledby="embedding-map">
      <h2 id="embedding-map">Embedding map</h2>
      <label className="panel">
        Colour by{' '}
        <select
          value={by}
          onChange={(e) => setBy(e.target.value as ColourBy)}
          data-testid="embedding-colour-by"
        >
          {COLOUR_BY.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>{' '}
      {packed && (projectionsOf(packed).length > 1 || props.umapPlacing) ? (
        <label className="panel">
          Projection{' '}
          <select
            value={map.projection}
            onChange={(e) => setProjection(e.target.value as MapProjection)}
            data-testid="embedding-projection"
          >
            {projectionsOf(packed).map((p) => (
              <option key={p} value={p}>
                {p}
                {p === packed.projection && !props.umapPlacing ? ' (reads better)' : ''}
              </option>
            ))}
            {props.umapPlacing ? (
              <option value="UMAP" disabled>
                UMAP (being placed)
              </option>
            ) : null}
          </select>
        </label>
      ) : null}
      {props.umapPlacing ? (
        <p className="muted" role="status" data-testid="umap-placing">
          UMAP being placed by a worker; the PCA is shown until it is stored, and the map fills in by itself.
          {props.awaitingPrecompute
            ? ` ${props.awaitingPrecompute.toLocaleString('en')} members are not on it yet: the precompute has not reached them.`
            : ''}
        </p>
      ) : null}
      {packed ? <ReadabilityNote readability={packed.readability} better={packed.projection} /> : null}
      <PlotFrame
        title={`Embedding map (${map.projection})`}
        testId="embedding-map"
        caption={`Each point is one of the cohort's samples (raw counts, or the values the model reads, such as RSEM), placed by ${umap ? 'the UMAP (umap-js, fixed seed)' : 'the first two principal components'} of its
          ${props.modelName ? `${props.modelName} ` : ''}embedding (mean-pooled encoder output). Hover for the
          barcode; click to open the sample.`}
      >
        <div
          className="map-holder"
          data-extent={`${x0},${x1},${y0},${y1}`}
          data-projection={map.projection}
          style={{ position: 'relative' }}
        >
          <svg
            viewBox={`0 0 ${WIDTH} ${height}`}
            role="img"
            aria-label={label}
            className="chart"
            fontFamily="Inter, Arial, sans-serif"
            fontSize="12"
          >
            <title>{label}</title>
            {rangeTicks(x0, x1).map((t) => (
              <g key={`x${t}`}>
                <line x1={sx(t)} x2={sx(t)} y1={MARGIN.top} y2={MARGIN.top + INNER_H} stroke="#eee" />
                <text x={sx(t)} y={MARGIN.top + INNER_H + 16} textAnchor="middle" fill="#333">
                  {t}
                </text>
              </g>
            ))}
            {rangeTicks(y0, y1).map((t) => (
              <g key={`y${t}`}>
                <line x1={MARGIN.left} x2={MARGIN.left + INNER_W} y1={sy(t)} y2={sy(t)} stroke="#eee" />
                <text x={MARGIN.left - 6} y={sy(t) + 4} textAnchor="end" fill="#333">
                  {t}
                </text>
              </g>
            ))}
            <rect x={MARGIN.left} y={MARGIN.top} width={INNER_W} height={INNER_H} fill="none" stroke="#888" />
            <text x={MARGIN.left + INNER_W / 2} y={HEIGHT - 6} textAnchor="middle" fill="#333">
              {umap ? 'UMAP 1' : `PC1 (${pct(map.explained[0])} of variance)`}
            </text>
            <text
              transform={`translate(14 ${MARGIN.top + INNER_H / 2}) rotate(-90)`}
              textAnchor="middle"
              fill="#333"
            >
              {umap ? 'UMAP 2' : `PC2 (${pct(map.explained[1])})`}
            </text>
            {onCanvas ? (
              // hidden on the page (the canvas shows the points) by the stylesheet, which downloads do
              // not carry: a download fills it with a snapshot of the canvas (lib/download.ts), so
              // the saved SVG and PNG show the points, and no page load pays for a PNG encoding
              <image
                className="map-snapshot"
                data-canvas-snapshot={canvasId}
                x={MARGIN.left}
                y={MARGIN.top}
                width={INNER_W}
                height={INNER_H}
              />
            ) : (
              points.map((p) => (
                <a key={p.id} href={`/samples/${p.id}`} className="map-point" data-barcode={p.barcode}>
                  <circle
                    cx={sx(p.x)}
                    cy={sy(p.y)}
                    r="4"
                    fill={colour(p)}
                    fillOpacity="0.8"
                    stroke="#fff"
                    strokeWidth="0.5"
                  >
                    <title>{pointTitle(p)}</title>
                  </circle>
                </a>
              ))
            )}
            <g className="legend" transform={`translate(${WIDTH - MARGIN.right + 16} ${MARGIN.top + 8})`}>
              {by === 'risk' ? (
                <>
                  <text fill="#222">Predicted risk</text>
                  {[0, 0.25, 0.5, 0.75, 1].map((t, i) => (
                    <g key={t} transform={`translate(0 ${LEGEND_ROW * (i + 1)})`}>
                      <rect width="12" height="12" y="-10" fill={riskColour(t)} />
                      <text x="18" fill="#222">
                        {(risk.min + t * (risk.max - risk.min)).toFixed(2)}
                        {t === 0 ? ' (low)' : t === 1 ? ' (high)' : ''}
                      </text>
                    </g>
                  ))}
                </>
              ) : (
                categories.map((c, i) => (
                  <g
                    key={c}
                    transform={`translate(0 ${i * LEGEND_ROW})`}
                    className={c === UNKNOWN_TYPE ? 'legend-unknown' : undefined}
                  >
                    <rect width="12" height="12" y="-10" fill={typeColour(c, categories)} />
                    <text x="18" fill="#222">
                      {c === UNKNOWN_TYPE ? 'unknown (flagged)' : c} (n=
                      {counts.get(c) ?? 0})
                    </text>
                  </g>
                ))
              )}
            </g>
          </svg>
          {onCanvas ? (
            <MapCanvas
              points={canvasPoints}
              width={INNER_W}
              height={INNER_H}
              box={{
                left: MARGIN.left / WIDTH,
                top: MARGIN.top / height,
                width: INNER_W / WIDTH,
                height: INNER_H / height,
              }}
              canvasId={canvasId}
              label={label}
            />
          ) : null}
        </div>
      </PlotFrame>
    </section>
  );
}
