// Kaplan-Meier curves as SVG: one step line per group with its 95% confidence band, censoring ticks,
// a legend and the number-at-risk table under the time axis.
import { categoryColour } from '../../lib/palette.ts';
import {
  atRiskAt,
  type CurvePoint,
  type CurveSteps,
  confidenceBand,
  curvePoints,
  niceTicks,
} from '../../lib/survivalBands.ts';
import { ChartSvg } from './Chart.tsx';

export interface KaplanMeierGroup {
  name: string;
  patients: number;
  /** The curve as the API gives it (SurvivalGroup.steps). */
  steps: CurveSteps;
}

/**
 * Confidence bands are drawn for at most this many groups: 33 cancer types' bands overlap into one grey
 * wash that hides the curves (seen on the 33-type TCGA dashboard), and they were half the figure's bytes.
 */
export const MAX_BANDED_GROUPS = 6;

const WIDTH = 760;
const MARGIN = { left: 110, right: 150, top: 16, bottom: 44 };
const PLOT_HEIGHT = 300;
const RISK_ROW = 18;

/**
 * A coordinate to half a pixel: one device pixel on a high-density screen, and a curve of 10,000 steps
 * stays small (at a tenth of a pixel, the 11,000-sample dashboard's curves were 0.6 MB of the page).
 */
const pixel = (v: number) => Math.round(v * 2) / 2;

/**
 * Builds a path of horizontal and vertical moves at half-pixel precision, leaving out moves that go nowhere
 * (steps closer than half a pixel draw the same line) and merging runs of moves in one direction into one
 * (absolute H and V: "H1H2" draws what "H2" draws).
 */
class StepPath {
  private readonly parts: string[];
  private last: 'H' | 'V' | null = null;
  private at: { x: number; y: number };
  constructor(x: number, y: number) {
    this.at = { x: pixel(x), y: pixel(y) };
    this.parts = [`M${this.at.x},${this.at.y}`];
  }
  private move(direction: 'H' | 'V', to: number): this {
    const axis = direction === 'H' ? 'x' : 'y';
    if (to === this.at[axis]) return this;
    this.at[axis] = to;
    if (this.last === direction) this.parts[this.parts.length - 1] = `${direction}${to}`;
    else this.parts.push(`${direction}${to}`);
    this.last = direction;
    return this;
  }
  h(x: number): this {
    return this.move('H', pixel(x));
  }
  v(y: number): this {
    return this.move('V', pixel(y));
  }
  toString(): string {
    return this.parts.join('');
  }
}

/** The step path through (t, S) points starting at (0, 1). */
function stepPath(
  points: { t: number; s: number }[],
  x: (t: number) => number,
  y: (s: number) => number,
): string {
  const path = new StepPath(x(0), y(1));
  for (const p of points) path.h(x(p.t)).v(y(p.s));
  return path.toString();
}

/** The closed band polygon: upper limits forward as steps, lower limits back. */
function bandPath(curve: CurvePoint[], x: (t: number) => number, y: (s: number) => number): string {
  const band = confidenceBand(curve);
  if (!band.length) return '';
  const path = new StepPath(x(0), y(1));
  for (const b of band) path.h(x(b.timeDays)).v(y(b.upper));
  const stop = (curve[band.length] ?? curve.at(-1)!).timeDays;
  path.h(x(stop)).v(y(band.at(-1)!.lower));
  for (let i = band.length - 1; i >= 0; i--) {
    const previousLower = i > 0 ? band[i - 1]!.lower : 1;
    path.h(x(band[i]!.timeDays)).v(y(previousLower));
  }
  return `${path.h(x(0))}Z`;
}

/**
 * One path of short vertical ticks where patients were censored: one 8-pixel tick per pixel column (the
 * first censoring in it), since ticks in one column draw the same mark.
 */
function censorPath(curve: CurvePoint[], x: (t: number) => number, y: (s: number) => number): string {
  const ticks = new Map<number, string>();
  curve.forEach((p, k) => {
    const column = Math.round(x(p.timeDays));
    if (p.atRisk - p.events > (curve[k + 1]?.atRisk ?? 0) && !ticks.has(column))
      ticks.set(column, `M${column},${Math.round(y(p.survival)) - 4}v8`);
  });
  return [...ticks.values()].join('');
}

export function KaplanMeierPlot(props: { groups: KaplanMeierGroup[]; label: string }) {
  const groups = props.groups
    .map((g, i) => ({
      name: g.name,
      patients: g.patients,
      colour: categoryColour(i), // by place: a few drawn types get the most distinct colours
      curve: curvePoints(g.steps),
    }))
    .filter((g) => g.curve.length > 0);
  const maxTime = Math.max(1, ...groups.map((g) => g.curve.at(-1)!.timeDays));
  const ticks = niceTicks(maxTime / 365.25, 6).map((years) => years * 365.25);
  const end = ticks.at(-1)!;
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (t: number) => MARGIN.left + (innerWidth * t) / end;
  const y = (s: number) => MARGIN.top + PLOT_HEIGHT * (1 - s);
  const riskTop = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + 20;
  const height = riskTop + RISK_ROW * groups.length + 8;
  return (
    <ChartSvg width={WIDTH} height={height} label={props.label}>
      <g className="axis" stroke="#888" strokeWidth="1">
        <line x1={MARGIN.left} x2={MARGIN.left} y1={y(1)} y2={y(0)} />
        <line x1={MARGIN.left} x2={x(end)} y1={y(0)} y2={y(0)} />
      </g>
      {[0, 0.25, 0.5, 0.75, 1].map((s) => (
        <g key={s}>
          <line x1={MARGIN.left} x2={x(end)} y1={y(s)} y2={y(s)} stroke="#e3e3e3" />
          <text x={MARGIN.left - 8} y={y(s) + 4} textAnchor="end" fill="#333">
            {s.toFixed(2)}
          </text>
        </g>
      ))}
      {ticks.map((t) => (
        <text key={t} x={x(t)} y={y(0) + 18} textAnchor="middle" fill="#333">
          {Math.round(t / 365.25)}
        </text>
      ))}
      <text x={MARGIN.left + innerWidth / 2} y={y(0) + 36} textAnchor="middle" fill="#333">
        Years since diagnosis
      </text>
      <text
        transform={`translate(${MARGIN.left - 48} ${y(0.5)}) rotate(-90)`}
        textAnchor="middle"
        fill="#333"
      >
        Overall survival
      </text>
      {(groups.length <= MAX_BANDED_GROUPS ? groups : []).map((g) => (
        <path
          key={`band-${g.name}`}
          className="km-band"
          d={bandPath(g.curve, x, y)}
          fill={g.colour}
          opacity="0.12"
        />
      ))}
      {groups.map((g) => (
        <g key={`curve-${g.name}`} data-group={g.name}>
          <path
            className="km-curve"
            d={stepPath(
              g.curve.map((p) => ({ t: p.timeDays, s: p.survival })),
              x,
              y,
            )}
            fill="none"
            stroke={g.colour}
            strokeWidth="2"
          />
          <path className="km-censor" d={censorPath(g.curve, x, y)} stroke={g.colour} />
        </g>
      ))}
      <g className="legend">
        {groups.map((g, i) => (
          <g key={g.name} transform={`translate(${WIDTH - MARGIN.right + 16} ${MARGIN.top + 8 + i * 20})`}>
            <rect width="12" height="12" y="-10" fill={g.colour} />
            <text x="18" fill="#222">
              {g.name} (n={g.patients})
            </text>
          </g>
        ))}
      </g>
      <text x={8} y={riskTop - 6} fill="#222" fontWeight="600">
        Number at risk
      </text>
      {groups.map((g, i) => (
        <g key={`risk-${g.name}`} className="at-risk">
          <text x={MARGIN.left - 24} y={riskTop + 12 + i * RISK_ROW} textAnchor="end" fill={g.colour}>
            {g.name}
          </text>
          {ticks.map((t) => (
            <text key={t} x={x(t)} y={riskTop + 12 + i * RISK_ROW} textAnchor="middle" fill="#222">
              {atRiskAt(g.curve, t)}
            </text>
          ))}
        </g>
      ))}
    </ChartSvg>
  );
}
