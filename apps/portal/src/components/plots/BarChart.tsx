// Horizontal bar chart as SVG: one bar per category, optionally stacked by a second key, with a legend.
import { categoryColour } from '../../lib/palette.ts';
import { niceTicks } from '../../lib/survivalBands.ts';
import { ChartSvg, ValueAxis } from './Chart.tsx';

export interface BarSegment {
  key: string;
  value: number;
}

export interface Bar {
  label: string;
  segments: BarSegment[];
}

const WIDTH = 760;
const ROW = 26;
const MARGIN = { left: 150, right: 150, top: 12, bottom: 40 };

export function BarChart(props: {
  bars: Bar[];
  label: string;
  axisLabel: string;
  valueFormat?: 'int' | 'real';
}) {
  const keys = [...new Set(props.bars.flatMap((b) => b.segments.map((s) => s.key)))];
  const totals = props.bars.map((b) => b.segments.reduce((sum, s) => sum + Math.max(0, s.value), 0));
  const ticks = niceTicks(Math.max(...totals, 0), 5);
  const end = ticks.at(-1)! || 1;
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (v: number) => MARGIN.left + (innerWidth * v) / end;
  const height = MARGIN.top + ROW * props.bars.length + MARGIN.bottom;
  const bottom = MARGIN.top + ROW * props.bars.length;
  const show = (v: number) => (props.valueFormat === 'real' ? v.toPrecision(3) : v.toLocaleString('en-US'));
  return (
    <ChartSvg width={WIDTH} height={height} label={props.label}>
      <ValueAxis ticks={ticks} x={x} top={MARGIN.top} bottom={bottom} show={show} label={props.axisLabel} />
      {props.bars.map((bar, i) => {
        let start = 0;
        const top = MARGIN.top + i * ROW + 4;
        return (
          <g key={bar.label}>
            <text x={MARGIN.left - 8} y={top + 13} textAnchor="end" fill="#222">
              {bar.label}
            </text>
            {bar.segments.map((segment) => {
              const from = start;
              start += Math.max(0, segment.value);
              return (
                <rect
                  key={segment.key}
                  className="bar"
                  x={x(from)}
                  y={top}
                  width={Math.max(0, x(start) - x(from))}
                  height={ROW - 8}
                  fill={categoryColour(keys.indexOf(segment.key))}
                >
                  {/* One string: React renders a <title> with several children as empty on the server. */}
                  <title>{`${bar.label} · ${segment.key}: ${show(segment.value)}`}</title>
                </rect>
              );
            })}
            <text x={x(start) + 6} y={top + 13} fill="#222">
              {show(totals[i]!)}
            </text>
          </g>
        );
      })}
      <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={bottom} stroke="#888" />
      {keys.length > 1 &&
        keys.map((key, i) => (
          <g key={key} transform={`translate(${WIDTH - MARGIN.right + 40} ${MARGIN.top + 12 + i * 20})`}>
            <rect width="12" height="12" y="-10" fill={categoryColour(i)} />
            <text x="18" fill="#222">
              {key}
            </text>
          </g>
        ))}
    </ChartSvg>
  );
}
