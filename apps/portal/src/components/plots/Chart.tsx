// What the portal's SVG plots share: the <svg> frame (view box, accessible label and title, font) and a
// horizontal value axis (grid lines with their labels, and the axis label under them).
import type { ReactNode } from 'react';

export function ChartSvg(props: { width: number; height: number; label: string; children: ReactNode }) {
  return (
    <svg
      viewBox={`0 0 ${props.width} ${props.height}`}
      role="img"
      aria-label={props.label}
      className="chart"
      fontFamily="Inter, Arial, sans-serif"
      fontSize="12"
    >
      <title>{props.label}</title>
      {props.children}
    </svg>
  );
}

export function ValueAxis(props: {
  ticks: readonly number[];
  x: (v: number) => number;
  top: number;
  bottom: number;
  show: (v: number) => string;
  label: string;
}) {
  const middle = (props.x(props.ticks[0]!) + props.x(props.ticks.at(-1)!)) / 2;
  return (
    <>
      {props.ticks.map((t) => (
        <g key={t}>
          <line x1={props.x(t)} x2={props.x(t)} y1={props.top} y2={props.bottom} stroke="#e3e3e3" />
          <text x={props.x(t)} y={props.bottom + 16} textAnchor="middle" fill="#333">
            {props.show(t)}
          </text>
        </g>
      ))}
      <text x={middle} y={props.bottom + 34} textAnchor="middle" fill="#333">
        {props.label}
      </text>
    </>
  );
}
