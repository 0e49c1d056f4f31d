// Kaplan-Meier curves of a TCGA-sized cohort stay small enough to send: coordinates at half a pixel, no
// moves that go nowhere, runs of moves in one direction merged, one censoring tick per pixel column, and the curve still ends where S does.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { expect, it } from 'vitest';
import { KaplanMeierPlot, MAX_BANDED_GROUPS } from '../src/components/plots/KaplanMeierPlot.tsx';
import { UNKNOWN_COLOUR } from '../src/lib/embeddingMap.ts';
import { categoryColour, OKABE_ITO } from '../src/lib/palette.ts';
import type { CurveSteps } from '../src/lib/survivalBands.ts';

/** The product-limit curve of n patients, one per day, two of three dying (the rest censored). */
function curveOf(n: number): CurveSteps {
  const steps: CurveSteps = { timeDays: [], survival: [], atRisk: [], events: [] };
  let survival = 1;
  for (let i = 0; i < n; i++) {
    const events = i % 3 === 0 ? 0 : 1;
    survival *= 1 - events / (n - i);
    steps.timeDays.push(i + 1);
    steps.survival.push(survival);
    steps.atRisk.push(n - i);
    steps.events.push(events);
  }
  return steps;
}

const attribute = (markup: string, className: string) =>
  markup.match(new RegExp(`class="${className}" d="([^"]*)"`))![1]!;

it('draws a 10,000-patient curve at pixel precision in a few tens of kilobytes', () => {
  const curve = curveOf(10_000);
  const markup = renderToStaticMarkup(
    createElement(KaplanMeierPlot, {
      groups: [{ name: 'all', patients: 10_000, steps: curve }],
      label: 'KM',
    }),
  );
  const d = attribute(markup, 'km-curve');
  const numbers = d.match(/-?\d+(\.\d+)?/g)!;
  expect(numbers.every((v) => Number.isInteger(Number(v) * 2))).toBe(true);
  // runs of moves in one direction are one move, and the path alternates H and V after its start
  expect(d).not.toMatch(/H-?[\d.]+H|V-?[\d.]+V/);
  expect(d.replace(/^M[^HV]+/, '')).toMatch(/^(H-?[\d.]+V-?[\d.]+)*(H-?[\d.]+)?$/);
  expect(d.length).toBeLessThan(15_000); // at a tenth of a pixel: 36 kB; at full precision, several hundred
  expect(markup.length).toBeLessThan(80_000);
  // the last move reaches the last survival, as the plot places it (top 16, 300 px high)
  const last = Number(d.match(/V(-?[\d.]+)$/)![1]);
  expect(last).toBeCloseTo(16 + 300 * (1 - curve.survival.at(-1)!), 1);
  // one tick per pixel column of censored patients
  const ticks = attribute(markup, 'km-censor').match(/M[^M]+/g)!;
  const columns = ticks.map((t) => Number(t.match(/^M(-?\d+),/)![1]));
  expect(new Set(columns).size).toBe(ticks.length);
  expect(ticks.length).toBeGreaterThan(100);
  expect(ticks.length).toBeLessThan(curve.events.filter((e) => e === 0).length);
});

it('draws confidence bands for a few groups, not for 33 cancer types, each type in its own colour', () => {
  const plot = (n: number) =>
    renderToStaticMarkup(
      createElement(KaplanMeierPlot, {
        groups: Array.from({ length: n }, (_, i) => ({ name: `T${i}`, patients: 30, steps: curveOf(30) })),
        label: 'KM',
      }),
    );
  const count = (markup: string, className: string) => markup.split(`class="${className}"`).length - 1;
  expect(count(plot(MAX_BANDED_GROUPS), 'km-band')).toBe(MAX_BANDED_GROUPS);
  const many = plot(33);
  expect(count(many, 'km-curve')).toBe(33);
  expect(count(many, 'km-band')).toBe(0);
  const colours = Array.from({ length: 33 }, (_, i) => categoryColour(i).toUpperCase());
  expect(new Set(colours).size).toBe(33);
  expect(colours.slice(0, 8)).toEqual(OKABE_ITO.map((c) => c.toUpperCase()));
  expect(colours).not.toContain(UNKNOWN_COLOUR.toUpperCase());
});
