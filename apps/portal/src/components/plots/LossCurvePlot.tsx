// Training-loss curves as an SVG line chart: mean training loss and validation loss (masked-gene MSE)
// against epoch, with a legend; the y axis starts at the smallest loss shown so the descent is visible.
import { niceTicks } from '../../lib/survivalBands.ts';

export interface LossPoint {
  epoch: number;
  trainLoss: number;
  valLoss: number | null;
}

const WIDTH = 560;
const HEIGHT = 300;
const MARGIN = { left: 56, right: 16, top: 28, bottom: 44 };
const SERIES = [
  { key: 'trainLoss', label: 'training loss', colour: '#0072B2', dash: undefined },
  { key: 'valLoss', label: 'validation loss', colour: '#D55E00', dash: '6 3' },
] as const;

function linePath(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
}

export function LossCurvePlot(props: { points: LossPoint[]; label: string }) {
  const values = props.points.flatMap((p) => (p.valLoss === null ? [p.trainLoss] : [p.trainLoss, p.valLoss]));
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || 1;
  const ticks = niceTicks(span, 5).map((t) => t + Math.floor(low * 100) / 100);
  const yEnd = Math.max(high, ticks.at(-1)!);
  const yStart = ticks[0]!;
  const maxEpoch = Math.max(1, ...props.points.map((p) => p.epoch));
  const epochTicks = niceTicks(maxEpoch, 6).filter((t) => t <= maxEpoch);
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (e: number) => MARGIN.left + (w * e) / maxEpoch;
  const sy = (v: number) => MARGIN.top + h * (1 - (v - yStart) / (yEnd - yStart || 1));
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={props.label}
      className="chart"
      fontFamily="Inter, Arial, sans-serif"
      fontSize="12"
      style={{ maxWidth: 640 }}
    >
      <title>{props.label}</title>
      {ticks
        .filter((t) => t <= yEnd)
        .map((t) => (
          <g key={`y${t}`}>
            <line x1={sx(0)} x2={sx(maxEpoch)} y1={sy(t)} y2={sy(t)} stroke="#eee" />
            <text x={sx(0) - 6} y={sy(t) + 4} textAnchor="end" fill="#333">
              {Number(t.toPrecision(4))}
            </text>
          </g>
        ))}
      {epochTicks.map((t) => (
        <text key={`x${t}`} x={sx(t)} y={sy(yStart) + 16} textAnchor="middle" fill="#333">
          {t}
        </text>
      ))}
      <rect x={sx(0)} y={sy(yEnd)} width={w} height={h} fill="none" stroke="#888" />
      <text x={sx(maxEpoch / 2)} y={HEIGHT - 8} textAnchor="middle" fill="#333">
        Epoch
      </text>
      <text
        transform={`translate(14 ${sy((yStart + yEnd) / 2)}) rotate(-90)`}
        textAnchor="middle"
        fill="#333"
      >
        Loss (masked-gene MSE)
      </text>
      {SERIES.map((s) => {
        const pts = props.points.flatMap((p): [number, number][] => {
          const v = p[s.key];
          return v === null ? [] : [[sx(p.epoch), sy(v)]];
        });
        return pts.length === 0 ? null : (
          <path
            key={s.key}
            className="loss-curve"
            data-series={s.key}
            d={linePath(pts)}
            fill="none"
            stroke={s.colour}
            strokeWidth="2"
            strokeDasharray={s.dash}
          />
        );
      })}
      <g transform={`translate(${MARGIN.left + w - 150} ${MARGIN.top - 18})`}>
        {SERIES.map((s, i) => (
          <g key={s.key} transform={`translate(0 ${i * 14})`}>
            <line x1="0" x2="22" y1="-4" y2="-4" stroke={s.colour} strokeWidth="2" strokeDasharray={s.dash} />
            <text x="28" y="0" fill="#333">
              {s.label}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
