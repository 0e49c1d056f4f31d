// Box plots with violins as SVG, one row per group: the violin (kernel density over the group's range, its
// widest point the row's height), the box (quartiles, median line), Tukey whiskers, outlier dots and n.
import { type BoxStats, boxStats, density } from '../../lib/distribution.ts';
import { categoryColour } from '../../lib/palette.ts';
import { niceTicks } from '../../lib/survivalBands.ts';
import { ChartSvg, ValueAxis } from './Chart.tsx';

export interface BoxGroup {
  name: string;
  values: number[];
}

const WIDTH = 760;
const ROW = 44;
const MARGIN = { left: 110, right: 90, top: 12, bottom: 44 };

const show = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(3));

function violinPath(values: number[], x: (v: number) => number, middle: number, half: number): string {
  const curve = density(values);
  const top = Math.max(...curve.map((p) => p.y)) || 1;
  const upper = curve.map((p) => `${x(p.x).toFixed(1)},${(middle - (half * p.y) / top).toFixed(1)}`);
  const lower = curve
    .map((p) => `${x(p.x).toFixed(1)},${(middle + (half * p.y) / top).toFixed(1)}`)
    .reverse();
  return `M${upper.join('L')}L${lower.join('L')}Z`;
}

function Box(props: { stats: BoxStats; x: (v: number) => number; middle: number; colour: string }) {
  const { stats: s, x, middle } = props;
  const half = 7;
  return (
    <g className="box" stroke="#222" strokeWidth="1">
      <line x1={x(s.lowerWhisker)} x2={x(s.q1)} y1={middle} y2={middle} />
      <line x1={x(s.q3)} x2={x(s.upperWhisker)} y1={middle} y2={middle} />
      <rect
        x={x(s.q1)}
        y={middle - half}
        width={Math.max(1, x(s.q3) - x(s.q1))}
        height={2 * half}
        fill="#ffffff"
        fillOpacity="0.85"
      />
      <line x1={x(s.median)} x2={x(s.median)} y1={middle - half} y2={middle + half} strokeWidth="2.5" />
      {s.outliers.map((v, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: equal outliers are drawn once each, in order
        <circle key={i} cx={x(v)} cy={middle} r="2.2" fill={props.colour} stroke="none" />
      ))}
    </g>
  );
}

export function BoxPlot(props: { groups: BoxGroup[]; label: string; axisLabel: string }) {
  const groups = props.groups.filter((g) => g.values.length > 0);
  const all = groups.flatMap((g) => g.values);
  const low = Math.min(0, Math.floor(Math.min(...all)));
  const ticks = niceTicks(Math.max(...all) - low, 6).map((t) => Number((t + low).toPrecision(12)));
  const end = ticks.at(-1)!;
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (v: number) => MARGIN.left + (innerWidth * (v - low)) / (end - low || 1);
  const bottom = MARGIN.top + ROW * groups.length;
  return (
    <ChartSvg width={WIDTH} height={bottom + MARGIN.bottom} label={props.label}>
      <ValueAxis ticks={ticks} x={x} top={MARGIN.top} bottom={bottom} show={show} label={props.axisLabel} />
      {groups.map((group, i) => {
        const middle = MARGIN.top + i * ROW + ROW / 2;
        const colour = categoryColour(i);
        const stats = boxStats(group.values);
        return (
          <g key={group.name} data-group={group.name} data-n={stats.n}>
            <title>{`${group.name}: n = ${stats.n}, median ${show(stats.median)}, quartiles ${show(stats.q1)} to ${show(stats.q3)}`}</title>
            <text x={MARGIN.left - 8} y={middle + 4} textAnchor="end" fill="#222">
              {group.name}
            </text>
            {group.values.length > 1 && (
              <path
                className="violin"
                d={violinPath(group.values, x, middle, ROW / 2 - 3)}
                fill={colour}
                fillOpacity="0.35"
                stroke={colour}
              />
            )}
            <Box stats={stats} x={x} middle={middle} colour={colour} />
            <text x={WIDTH - MARGIN.right + 10} y={middle + 4} fill="#333">
              n = {stats.n}
            </text>
          </g>
        );
      })}
    </ChartSvg>
  );
}
