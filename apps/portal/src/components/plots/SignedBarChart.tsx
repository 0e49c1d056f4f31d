// Horizontal bars around zero as SVG: one bar per label, negative values to the left (blue), positive to the
// right (red), the axis symmetric about zero.
import { niceTicks } from '../../lib/survivalBands.ts';
import { ChartSvg, ValueAxis } from './Chart.tsx';

export interface SignedBar {
  label: string;
  value: number;
}

const WIDTH = 760;
const ROW = 22;
const MARGIN = { left: 150, right: 40, top: 12, bottom: 40 };
const POSITIVE = '#c0392b';
const NEGATIVE = '#2e6da4';

export function SignedBarChart(props: { bars: SignedBar[]; label: string; axisLabel: string }) {
  const half = niceTicks(Math.max(...props.bars.map((b) => Math.abs(b.value)), 0), 3);
  const end = half.at(-1)! || 1;
  const ticks = [
    ...half
      .slice(1)
      .map((t) => -t)
      .reverse(),
    ...half,
  ];
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (v: number) => MARGIN.left + (innerWidth * (v + end)) / (2 * end);
  const bottom = MARGIN.top + ROW * props.bars.length;
  return (
    <ChartSvg width={WIDTH} height={bottom + MARGIN.bottom} label={props.label}>
      <ValueAxis
        ticks={ticks}
        x={x}
        top={MARGIN.top}
        bottom={bottom}
        show={(v) => String(Number(v.toPrecision(3)))}
        label={props.axisLabel}
      />
      <line x1={x(0)} x2={x(0)} y1={MARGIN.top} y2={bottom} stroke="#555" />
      {props.bars.map((bar, i) => {
        const top = MARGIN.top + i * ROW + 3;
        const from = x(Math.min(0, bar.value));
        return (
          <g key={bar.label} data-testid="signed-bar" data-label={bar.label} data-value={String(bar.value)}>
            <text x={MARGIN.left - 8} y={top + 12} textAnchor="end" fill="#222">
              {bar.label}
            </text>
            <rect
              x={from}
              y={top}
              width={Math.max(1, x(Math.max(0, bar.value)) - from)}
              height={ROW - 6}
              fill={bar.value >= 0 ? POSITIVE : NEGATIVE}
            >
              <title>{`${bar.label}: ${bar.value.toPrecision(3)}`}</title>
            </rect>
          </g>
        );
      })}
    </ChartSvg>
  );
}
