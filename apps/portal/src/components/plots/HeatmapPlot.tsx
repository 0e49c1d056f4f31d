// A clustered heatmap as SVG (lib/heatmapFigure.ts): row and column dendrograms, column tracks above the
// cells, gene names at the right, and the colour scale and track legends beside it, all inside the one <svg>
// so its SVG and PNG downloads are the whole figure.
import {
  type ColourScale,
  colourOf,
  colourRuns,
  dendrogramPath,
  MISSING,
  trackColours,
} from '../../lib/heatmapFigure.ts';

type Tree = { left: number[]; right: number[]; height: number[] } | null;

export interface HeatmapPlotData {
  rowLabels: string[];
  columnLabels: string[];
  /** Row-major, rows × columns, as coloured. */
  values: (number | null)[];
  rowDendrogram: Tree;
  columnDendrogram: Tree;
  tracks: { name: string; type: string; values: (string | null)[] }[];
}

const TRACK = 12;
const DENDRO = 60;
const LABELS = 96;
const LEGEND = 180;
const TRACK_LABEL = 90;
/** Categories listed per track legend (the rest are counted). */
const LEGEND_ITEMS = 20;
/** Tracks of cancer types, coloured alike. */
const TYPE_TRACKS = ['cancerType', 'predictedType'];
const TRACK_NAMES: Record<string, string> = {
  cancerType: 'cancer type',
  predictedType: 'predicted type',
  riskGroup: 'risk group',
};

export function HeatmapPlot(props: { data: HeatmapPlotData; scale: ColourScale; title: string }) {
  const { data, scale } = props;
  const rows = data.rowLabels.length;
  const columns = data.columnLabels.length;
  const cw = Math.max(0.5, Math.min(16, 900 / Math.max(columns, 1)));
  const rh = Math.max(3, Math.min(16, 520 / Math.max(rows, 1)));
  const left = TRACK_LABEL + (data.rowDendrogram ? DENDRO : 0);
  const tracksTop = data.columnDendrogram ? DENDRO + 8 : 8;
  const top = tracksTop + data.tracks.length * (TRACK + 2) + 6;
  const cellsW = columns * cw;
  const showColumnLabels = columns <= 60;
  // the recorded and the predicted cancer type colour a type alike; every other track has colours of its own
  const types = [
    ...new Set(
      data.tracks.flatMap((t) => (TYPE_TRACKS.includes(t.name) ? t.values : [])).filter((v) => v !== null),
    ),
  ].sort();
  let offset = 0;
  let typesAt: number | null = null;
  const tracks = data.tracks.map((t) => {
    const typeTrack = TYPE_TRACKS.includes(t.name);
    if (typeTrack && typesAt === null) {
      typesAt = offset;
      offset += types.length;
    }
    const coloured = {
      ...t,
      label: TRACK_NAMES[t.name] ?? t.name,
      ...(typeTrack
        ? trackColours(t.type, t.values, typesAt!, types)
        : trackColours(t.type, t.values, offset)),
    };
    if (!typeTrack) offset += coloured.legend.length;
    return coloured;
  });
  const legendHeight =
    48 + tracks.reduce((sum, t) => sum + 24 + (Math.min(t.legend.length, LEGEND_ITEMS) + 1) * 12, 0);
  const height = Math.max(top + rows * rh + (showColumnLabels ? 110 : 12), legendHeight);
  const width = left + cellsW + LABELS + LEGEND;
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      style={{ width: '100%', height: 'auto', maxWidth: width }}
      role="img"
      aria-label={props.title}
      fontFamily="sans-serif"
      fontSize={10}
      data-testid="heatmap-svg"
    >
      {data.columnDendrogram && (
        <path
          d={dendrogramPath(data.columnDendrogram, (p, h) => [left + p * cw, DENDRO + 4 - h * DENDRO])}
          fill="none"
          stroke="#555"
          strokeWidth={0.7}
          data-testid="column-dendrogram"
        />
      )}
      {data.rowDendrogram && (
        <path
          d={dendrogramPath(data.rowDendrogram, (p, h) => [left - 4 - h * (DENDRO - 8), top + p * rh])}
          fill="none"
          stroke="#555"
          strokeWidth={0.7}
          data-testid="row-dendrogram"
        />
      )}
      {tracks.map((t, k) => {
        const y = tracksTop + k * (TRACK + 2);
        return (
          <g key={t.name} data-testid={`track-${t.name}`}>
            <text x={TRACK_LABEL - 4} y={y + TRACK - 2} textAnchor="end">
              {t.label}
            </text>
            {colourRuns(t.colours).map(([c, n, colour]) => (
              <rect key={c} x={left + c * cw} y={y} width={n * cw} height={TRACK} fill={colour} />
            ))}
          </g>
        );
      })}
      <g data-testid="heatmap-cells">
        {data.rowLabels.map((label, r) => {
          const colours = data.values.slice(r * columns, (r + 1) * columns).map((v) => colourOf(scale, v));
          return (
            <g key={label}>
              {colourRuns(colours).map(([c, n, colour]) => (
                <rect
                  key={c}
                  x={left + c * cw}
                  y={top + r * rh}
                  width={n * cw}
                  height={rh}
                  fill={colour}
                  shapeRendering="crispEdges"
                />
              ))}
              {rh >= 7 && (
                <text x={left + cellsW + 4} y={top + r * rh + rh / 2 + 3.5}>
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </g>
      {showColumnLabels &&
        data.columnLabels.map((label, c) => {
          const x = left + c * cw + cw / 2 + 3;
          const y = top + rows * rh + 4;
          return (
            <text key={label} x={x} y={y} transform={`rotate(90 ${x} ${y})`} fontSize={8}>
              {label}
            </text>
          );
        })}
      <Legends x={left + cellsW + LABELS} scale={scale} tracks={tracks} />
    </svg>
  );
}

function Legends(props: {
  x: number;
  scale: ColourScale;
  tracks: { name: string; label: string; legend: { label: string; colour: string }[] }[];
}) {
  const { x, scale } = props;
  const step = 120 / scale.colours.length;
  let y = 44;
  return (
    <g data-testid="heatmap-legend">
      <text x={x} y={12} fontWeight="bold">
        {scale.label}
      </text>
      {scale.colours.map((colour, k) => (
        <rect key={colour} x={x + k * step} y={18} width={step} height={10} fill={colour} />
      ))}
      <text x={x} y={38}>
        {formatEnd(scale.low)}
      </text>
      <text x={x + 120} y={38} textAnchor="end">
        {formatEnd(scale.high)}
      </text>
      <rect x={x + 126} y={18} width={10} height={10} fill={MISSING} />
      <text x={x + 140} y={27}>
        n/a
      </text>
      {props.tracks.map((t) => {
        const items = t.legend.slice(0, LEGEND_ITEMS);
        const block = (
          <g key={t.name}>
            <text x={x} y={y + 14} fontWeight="bold">
              {t.label}
            </text>
            {items.map((item, k) => (
              <g key={item.label}>
                <rect x={x} y={y + 20 + k * 12} width={9} height={9} fill={item.colour} />
                <text x={x + 13} y={y + 28 + k * 12}>
                  {item.label}
                </text>
              </g>
            ))}
            {t.legend.length > items.length && (
              <text x={x} y={y + 28 + items.length * 12}>
                … {t.legend.length - items.length} more
              </text>
            )}
          </g>
        );
        y += 24 + (items.length + (t.legend.length > items.length ? 1 : 0)) * 12;
        return block;
      })}
    </g>
  );
}

const formatEnd = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : String(Math.round(v * 100) / 100));
