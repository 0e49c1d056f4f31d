// Which models know a cohort's cancer types: samples are counted per type the head knows, the active model
// comes first, models still training or without heads are never offered, and only a model knowing more of
// the cohort's samples than the one drawn is offered.
import { expect, it } from 'vitest';
import {
  type ChoosableModel,
  cohortTypes,
  modelCoverage,
  modelPanelsHref,
  modelsKnowingMore,
} from '../src/lib/modelChoice.ts';

const composition = [
  { cancerType: 'BRCA', count: 60 },
  { cancerType: 'ACC', count: 10 },
  { cancerType: 'BRCA', count: 5 }, // normal samples of the same type
  { cancerType: 'CHOL', count: 3 },
  { cancerType: null, count: 7 },
];

const model = (id: string, status: string, known: string[], accuracy?: number): ChoosableModel => ({
  id,
  name: `m${id}`,
  status,
  knownCancerTypes: known,
  headsInfo: accuracy === undefined ? null : { metrics: [{ name: 'whole.accuracy', value: accuracy }] },
});

it('sums a type over sample types, largest first, and leaves untyped samples out', () => {
  expect(cohortTypes(composition)).toEqual([
    { type: 'BRCA', samples: 65 },
    { type: 'ACC', samples: 10 },
    { type: 'CHOL', samples: 3 },
  ]);
});

it('counts the samples each model knows, the active model first, and offers those knowing more', () => {
  const models = [
    model('1', 'ACTIVE', ['ACC', 'CHOL', 'KICH'], 0.97),
    model('2', 'CANDIDATE', ['ACC', 'BRCA', 'CHOL'], 0.66),
    model('3', 'TRAINING', ['ACC', 'BRCA', 'CHOL'], 0.5),
    model('4', 'CANDIDATE', ['BRCA']), // no heads: cannot answer
    model('5', 'RETIRED', ['BRCA'], 0.9),
  ];
  const coverage = modelCoverage(models, '1', composition);
  expect(coverage.map((c) => [c.id, c.knownSamples])).toEqual([
    ['1', 13],
    ['2', 78],
    ['5', 65],
  ]);
  expect(coverage[0]).toMatchObject({ active: true, knownTypes: ['ACC', 'CHOL'], unknownTypes: ['BRCA'] });
  expect(coverage[1]).toMatchObject({ accuracy: 0.66, noveltyAuroc: null, unknownTypes: [] });
  expect(modelsKnowingMore(coverage, coverage[0]!).map((c) => c.id)).toEqual(['2', '5']);
  expect(modelsKnowingMore(coverage, coverage[1]!)).toEqual([]);
  expect(modelPanelsHref('12', '2')).toBe('/cohorts/12/model/2');
});

it('offers, among models knowing as many samples, the most accurate first (a retrained companion before the one it replaced)', () => {
  const models = [
    model('1', 'ACTIVE', ['ACC'], 0.97),
    model('2', 'CANDIDATE', ['ACC', 'BRCA', 'CHOL'], 0.66),
    model('6', 'CANDIDATE', ['ACC', 'BRCA', 'CHOL'], 0.73),
    model('7', 'CANDIDATE', ['ACC', 'BRCA', 'CHOL'], 0.7),
  ];
  const coverage = modelCoverage(models, '1', composition);
  expect(coverage.map((c) => c.id)).toEqual(['1', '6', '7', '2']);
  expect(modelsKnowingMore(coverage, coverage[0]!).map((c) => c.id)).toEqual(['6', '7', '2']);
});
