// Survival of a 33-type cohort reads: the dashboard draws the six largest types (named in its caption, with
// a link to choose), keeps the test across all of them and lists every type; a chosen few are drawn in
// distinct colours; the survival page's URL carries the choice.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { expect, it } from 'vitest';
import { type Survival, SurvivalFigure, SurvivalSection } from '../src/app/cohorts/[id]/SurvivalSection.tsx';
import { chosenTypes, largestGroups, survivalHref } from '../src/lib/survivalChoice.ts';

/** A group of n patients dying one a day, with a name and n. */
function group(name: string, n: number): Survival['groups'][number] {
  const steps = {
    timeDays: [] as number[],
    survival: [] as number[],
    atRisk: [] as number[],
    events: [] as number[],
  };
  for (let i = 0; i < n; i++) {
    steps.timeDays.push(i + 1);
    steps.survival.push(1 - (i + 1) / n);
    steps.atRisk.push(n - i);
    steps.events.push(1);
  }
  return {
    name,
    cancerType: name,
    patients: n,
    events: n,
    medianDays: null,
    medianLowerDays: null,
    medianUpperDays: null,
    steps,
  } as Survival['groups'][number];
}

// 33 types of 10 to 42 patients, in name order as the API gives them
const NAMES = Array.from({ length: 33 }, (_, i) => `T${String(i).padStart(2, '0')}`);
const groups = NAMES.map((name, i) => group(name, 10 + ((i * 7) % 33)));
const logRank = { statistic: 50, df: 32, pValue: 0.02 };
const drawnGroups = (markup: string) => [...markup.matchAll(/data-group="([^"]+)"/g)].map((m) => m[1]!);
const strokeOf = (markup: string, name: string) =>
  new RegExp(`data-group="${name}"><path class="km-curve" d="[^"]*" fill="none" stroke="([^"]+)"`).exec(
    markup,
  )![1];

it('draws the six largest of 33 types, says so, tests across all and lists every type', () => {
  const markup = renderToStaticMarkup(
    createElement(SurvivalSection, { cohortId: '7', survival: { groups, logRank, missing: 3 } as Survival }),
  );
  const largest = largestGroups(groups, 6);
  expect(largest).toHaveLength(6);
  const smallestDrawn = Math.min(...largest.map((n) => groups.find((g) => g.name === n)!.patients));
  expect(groups.filter((g) => g.patients > smallestDrawn).every((g) => largest.includes(g.name))).toBe(true);
  expect(drawnGroups(markup).sort()).toEqual([...largest].sort());
  expect(markup).toContain('Drawn: the 6 largest of 33 cancer types');
  expect(markup).toContain('href="/cohorts/7/survival"');
  expect(markup).toContain('Log-rank test across all 33 groups');
  expect(markup).toContain('class="km-band"'); // six curves get their bands
  expect(markup).toMatch(/Rows 1(<!-- -->)?–(<!-- -->)?10(<!-- -->)? of (<!-- -->)?33/); // the table lists every type
});

it('draws every type of a six-type cohort, and a chosen few in distinct colours', () => {
  const six = groups.slice(0, 6);
  const dashboard = renderToStaticMarkup(
    createElement(SurvivalSection, {
      cohortId: '7',
      survival: { groups: six, logRank, missing: 0 } as Survival,
    }),
  );
  expect(drawnGroups(dashboard)).toEqual(six.map((g) => g.name));
  expect(dashboard).not.toContain('Drawn: the');
  // T01 and T18 were two greens when a type kept its place among 33 colours (seen on the survival page)
  const few = renderToStaticMarkup(
    createElement(SurvivalFigure, {
      drawn: [groups[1]!, groups[18]!, groups[25]!],
      logRank: null,
      across: 'the 3 drawn types',
      missing: 0,
    }),
  );
  const strokes = ['T01', 'T18', 'T25'].map((name) => strokeOf(few, name));
  expect(new Set(strokes).size).toBe(3);
  expect(few).toContain('No log-rank test'); // none given: said, not invented
});

it('reads the chosen types from the URL it writes', () => {
  const href = survivalHref('7', ['BRCA', 'LUAD']);
  expect(href).toBe('/cohorts/7/survival?types=BRCA&types=LUAD');
  const params = Object.fromEntries(
    [...new URL(href, 'http://portal').searchParams.keys()].map((k) => [
      k,
      new URL(href, 'http://portal').searchParams.getAll(k),
    ]),
  );
  expect(chosenTypes(params)).toEqual(['BRCA', 'LUAD']);
  expect(chosenTypes({ types: 'BRCA,LUAD+KIRC BRCA' })).toEqual(['BRCA', 'LUAD', 'KIRC']);
  expect(chosenTypes({})).toEqual([]);
  expect(survivalHref('7')).toBe('/cohorts/7/survival');
});
