// The embedding map's axes and legend room: ticks over ranges that cross zero are round numbers (0 is 0),
// and a legend of 33 cancer types and "unknown" fits inside the figure.
import { expect, it } from 'vitest';
import { figureHeight, MAP_LAYOUT, rangeTicks } from '../src/lib/mapAxes.ts';

it('puts ticks at whole multiples of a round step, 0 included as 0', () => {
  // the 11,000-sample dashboard's PC1 range, whose middle tick read -5.55112e-17
  const ticks = rangeTicks(-0.62, 0.27);
  expect(ticks).toEqual([-0.6, -0.4, -0.2, 0, 0.2]);
  expect(Object.is(ticks[3], 0)).toBe(true);
  for (const [min, max] of [
    [-3.3, 7.1],
    [0.013, 0.092],
    [-1e-4, 2e-4],
    [12, 12],
  ] as const) {
    const t = rangeTicks(min, max);
    expect(t.length).toBeGreaterThan(0);
    expect(t.every((v) => (v >= min - 1e-9 && v <= max + 1e-9 && !/e-/.test(String(v))) || v === 0)).toBe(
      true,
    );
    const steps = t.slice(1).map((v, i) => v - t[i]!);
    for (const s of steps) expect(s).toBeCloseTo(steps[0]!, 9);
  }
});

it('makes the figure tall enough for every legend row', () => {
  const { HEIGHT, MARGIN, LEGEND_ROW } = MAP_LAYOUT;
  expect(figureHeight(6)).toBe(HEIGHT);
  for (const rows of [24, 34, 60]) {
    const height = figureHeight(rows);
    // the last row's baseline (MARGIN.top + 8 + (rows - 1) * LEGEND_ROW) and its descent are inside
    expect(MARGIN.top + 8 + (rows - 1) * LEGEND_ROW + 4).toBeLessThanOrEqual(height);
  }
});
