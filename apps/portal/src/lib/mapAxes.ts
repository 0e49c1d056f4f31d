// The embedding map's frame: its size and margins, axis ticks over any range, and a height that fits the
// legend (one row per category: 33 TCGA types and "unknown" do not fit beside a 400-pixel plot).
import { niceTicks } from './survivalBands.ts';

export const MAP_LAYOUT = {
  WIDTH: 760,
  HEIGHT: 460,
  MARGIN: { left: 56, right: 170, top: 16, bottom: 44 },
  LEGEND_ROW: 18,
} as const;

/** The figure's height: the plot's, or taller when the legend's rows need it. */
export function figureHeight(legendRows: number): number {
  const { HEIGHT, MARGIN, LEGEND_ROW } = MAP_LAYOUT;
  return Math.max(HEIGHT, MARGIN.top + 8 + legendRows * LEGEND_ROW);
}

/**
 * Evenly spaced ticks covering [min, max] (niceTicks works from 0 upwards): whole multiples of the step,
 * so 0 is 0 (adding steps up from the first tick gave -5.55e-17).
 */
export function rangeTicks(min: number, max: number): number[] {
  const span = max - min || 1;
  const step = niceTicks(span, 5)[1] ?? span;
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + 1e-9; k++)
    ticks.push(Number((k * step).toPrecision(6)) || 0);
  return ticks;
}
