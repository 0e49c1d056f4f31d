// Measured against restored expression as an SVG scatter: one point per gene (x = measured, y = restored,
// both log2(CPM + 1)), the identity line, gene names on hover.
import { niceTicks } from '../../lib/survivalBands.ts';

export interface MeasuredRestored {
  gene: string;
  measured: number;
  restored: number;
}

const SIZE = 420;
const MARGIN = { left: 52, right: 16, top: 16, bottom: 44 };

export function MeasuredRestoredPlot(props: {
  points: MeasuredRestored[];
  label: string;
  showNames?: boolean;
}) {
  const top = Math.max(1, ...props.points.flatMap((p) => [p.measured, p.restored]));
  const ticks = niceTicks(top, 5);
  const end = ticks.at(-1)!;
  const inner = SIZE - MARGIN.left - MARGIN.right;
  const sx = (v: number) => MARGIN.left + (inner * v) / end;
  const sy = (v: number) => MARGIN.top + inner * (1 - v / end);
  const height = MARGIN.top + inner + MARGIN.bottom;
  return (
    <svg
      viewBox={`0 0 ${SIZE} ${height}`}
      role="img"
      aria-label={props.label}
      className="chart"
      fontFamily="Inter, Arial, sans-serif"
      fontSize="12"
      style={{ maxWidth: 520 }}
    >
      <title>{props.label}</title>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={sx(t)} x2={sx(t)} y1={sy(0)} y2={sy(end)} stroke="#eee" />
          <line x1={sx(0)} x2={sx(end)} y1={sy(t)} y2={sy(t)} stroke="#eee" />
          <text x={sx(t)} y={sy(0) + 16} textAnchor="middle" fill="#333">
            {t}
          </text>
          <text x={sx(0) - 6} y={sy(t) + 4} textAnchor="end" fill="#333">
            {t}
          </text>
        </g>
      ))}
      <line x1={sx(0)} y1={sy(0)} x2={sx(end)} y2={sy(end)} stroke="#888" strokeDasharray="4 3" />
      <rect x={sx(0)} y={sy(end)} width={inner} height={inner} fill="none" stroke="#888" />
      <text x={sx(end / 2)} y={height - 8} textAnchor="middle" fill="#333">
        Measured, log2(CPM + 1)
      </text>
      <text transform={`translate(14 ${sy(end / 2)}) rotate(-90)`} textAnchor="middle" fill="#333">
        Restored by GexBERT, log2(CPM + 1)
      </text>
      {props.points.map((p) => (
        <g key={p.gene}>
          <circle
            className="restored-point"
            cx={sx(p.measured)}
            cy={sy(p.restored)}
            r="4"
            fill="#0072B2"
            fillOpacity="0.75"
          >
            <title>{`${p.gene}: measured ${p.measured.toFixed(2)}, restored ${p.restored.toFixed(2)}`}</title>
          </circle>
          {props.showNames && (
            <text x={sx(p.measured) + 6} y={sy(p.restored) + 4} fill="#222" fontSize="11">
              {p.gene}
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}
