// Measured against restored expression as an SVG scatter: one point per gene (x = measured, y = restored,
// both log2(CPM + 1)) with the restored value's interval as a vertical bar, the identity line, gene names on
// hover, and a legend naming the interval's nominal coverage.
import { niceTicks } from '../../lib/survivalBands.ts';

export interface MeasuredRestored {
  gene: string;
  measured: number;
  restored: number;
  /** The restored value's interval (null when the model has no calibrated intervals). */
  lower: number | null;
  upper: number | null;
}

const SIZE = 420;
const MARGIN = { left: 52, right: 16, top: 16, bottom: 44 };
const LEGEND = 40;
const POINT = '#0072B2';
const BAR = '#56B4E9';

export function MeasuredRestoredPlot(props: {
  points: MeasuredRestored[];
  label: string;
  showNames?: boolean;
  /** Nominal coverage of the intervals (e.g. 0.9), for the legend; null when there are none. */
  coverage?: number | null;
}) {
  const top = Math.max(
    1,
    ...props.points.flatMap((p) => [p.measured, p.restored, ...(p.upper === null ? [] : [p.upper])]),
  );
  const hasIntervals = props.points.some((p) => p.lower !== null && p.upper !== null);
  const many = props.points.length > 100;
  const ticks = niceTicks(top, 5);
  const end = ticks.at(-1)!;
  const inner = SIZE - MARGIN.left - MARGIN.right;
  const sx = (v: number) => MARGIN.left + (inner * v) / end;
  const sy = (v: number) => MARGIN.top + inner * (1 - v / end);
  const clampY = (v: number) => Math.min(end, Math.max(0, v));
  const height = MARGIN.top + inner + MARGIN.bottom + LEGEND;
  const coverageText =
    props.coverage === null || props.coverage === undefined
      ? 'interval'
      : `${Math.round(props.coverage * 100)}% interval`;
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
      <text x={sx(end / 2)} y={height - LEGEND - 8} textAnchor="middle" fill="#333">
        Measured, log2(CPM + 1)
      </text>
      <text transform={`translate(14 ${sy(end / 2)}) rotate(-90)`} textAnchor="middle" fill="#333">
        Restored by GexBERT, log2(CPM + 1)
      </text>
      {hasIntervals && (
        <g className="restored-intervals">
          {props.points.map((p) =>
            p.lower === null || p.upper === null ? null : (
              <line
                key={p.gene}
                className="restored-interval"
                x1={sx(p.measured)}
                x2={sx(p.measured)}
                y1={sy(clampY(p.lower))}
                y2={sy(clampY(p.upper))}
                stroke={BAR}
                strokeOpacity={many ? 0.35 : 0.8}
                strokeWidth={many ? 1 : 2}
              >
                <title>{`${p.gene}: restored ${p.restored.toFixed(2)}, ${coverageText} ${p.lower.toFixed(2)} to ${p.upper.toFixed(2)}; measured ${p.measured.toFixed(2)}`}</title>
              </line>
            ),
          )}
        </g>
      )}
      {props.points.map((p) => (
        <g key={p.gene}>
          <circle
            className="restored-point"
            cx={sx(p.measured)}
            cy={sy(p.restored)}
            r="4"
            fill={POINT}
            fillOpacity="0.75"
          >
            <title>{`${p.gene}: measured ${p.measured.toFixed(2)}, restored ${p.restored.toFixed(2)}${p.lower === null || p.upper === null ? '' : ` (${coverageText} ${p.lower.toFixed(2)} to ${p.upper.toFixed(2)})`}`}</title>
          </circle>
          {props.showNames && (
            <text x={sx(p.measured) + 6} y={sy(p.restored) + 4} fill="#222" fontSize="11">
              {p.gene}
            </text>
          )}
        </g>
      ))}
      <g className="legend" transform={`translate(${MARGIN.left - 40} ${height - 24})`} fontSize="11">
        <circle cx="6" cy="-4" r="4" fill={POINT} fillOpacity="0.75" />
        <text x="16" y="0" fill="#222">
          restored value
        </text>
        {hasIntervals ? (
          <>
            <line x1="116" x2="116" y1="-12" y2="4" stroke={BAR} strokeWidth="2" />
            <text x="124" y="0" fill="#222">
              {`${coverageText} of the restored value`}
            </text>
          </>
        ) : (
          <text x="116" y="0" fill="#666">
            no intervals (the model's heads have none calibrated)
          </text>
        )}
        <line x1="0" x2="12" y1="14" y2="14" stroke="#888" strokeDasharray="4 3" />
        <text x="16" y="18" fill="#222">
          restored = measured
        </text>
      </g>
    </svg>
  );
}
