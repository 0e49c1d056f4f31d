import { describe, expect, it } from 'vitest';
import {
  cancerTypeCoxRisk,
  pcaCoxRisk,
  riskGroupSurvival,
  scaleByTraining,
  typeDummies,
} from '../../src/evaluate/survival.ts';
import { createRandom } from '../../src/random/random.ts';
import { type Matrix, quantile, row, selectRows } from '../../src/stats/index.ts';
import type { EventIndicator } from '../../src/survival/index.ts';
import { lowRank } from '../stats/synthetic.ts';

/** Exponential survival times with hazard exp(beta * z), uniform censoring; about a third censored. */
function simulateSurvival(
  z: number[],
  beta: number,
  seed: number,
): { time: number[]; event: EventIndicator[] } {
  const random = createRandom(seed);
  const time: number[] = [];
  const event: EventIndicator[] = [];
  for (const zi of z) {
    const t = -Math.log(1 - random()) / Math.exp(beta * zi);
    const c = random() * 3;
    time.push(Math.min(t, c));
    event.push(t <= c ? 1 : 0);
  }
  return { time, event };
}

function subset<T>(values: T[], rows: number[]): T[] {
  return rows.map((i) => values[i]!);
}

describe('PCA + Cox', () => {
  const n = 300;
  const { x, loadings } = lowRank(n, 40, [4, 2], 0.5, 31);
  // Planted risk: the (standardised) score on the first planted component.
  const score = Array.from({ length: n }, (_, i) => {
    const r = row(x, i);
    let s = 0;
    for (let j = 0; j < 40; j++) s += (r[j]! - 3) * loadings[0]![j]!;
    return s / 4;
  });
  const train = Array.from({ length: 200 }, (_, i) => i);
  const test = Array.from({ length: 100 }, (_, i) => 200 + i);
  const split = (xm: Matrix, surv: { time: number[]; event: EventIndicator[] }) =>
    [
      selectRows(xm, train),
      { time: subset(surv.time, train), event: subset(surv.event, train) },
      selectRows(xm, test),
      { time: subset(surv.time, test), event: subset(surv.event, test) },
    ] as const;

  it('finds a risk carried by the first principal component (held-out C-index)', () => {
    const surv = simulateSurvival(score, 1, 7);
    const result = pcaCoxRisk(...split(x, surv), { k: 2 });
    expect(result.cIndex).toBeGreaterThan(0.65);
    expect(result.testRisk.length).toBe(100);
    expect(result.fit.names).toEqual(['PC1', 'PC2']);
    expect(Math.abs(result.fit.coefficients[0]!)).toBeGreaterThan(Math.abs(result.fit.coefficients[1]!));
  });

  it('scores ~0.5 when survival does not depend on expression', () => {
    const surv = simulateSurvival(score, 0, 8);
    const result = pcaCoxRisk(...split(x, surv), { k: 2 });
    expect(Math.abs(result.cIndex - 0.5)).toBeLessThan(0.1);
  });

  it('cancer type alone predicts survival when the types differ in hazard', () => {
    const types = Array.from({ length: n }, (_, i) => ['A', 'B', 'C'][i % 3]!);
    const surv = simulateSurvival(
      types.map((t) => (t === 'A' ? -1 : t === 'B' ? 0 : 1)),
      1,
      9,
    );
    const result = cancerTypeCoxRisk(
      subset(types, train),
      { time: subset(surv.time, train), event: subset(surv.event, train) },
      subset(types, test),
      { time: subset(surv.time, test), event: subset(surv.event, test) },
    );
    expect(result.fit.names).toEqual(['type_B', 'type_C']);
    expect(result.fit.coefficients[1]!).toBeGreaterThan(result.fit.coefficients[0]!);
    expect(result.fit.coefficients[0]!).toBeGreaterThan(0);
    expect(result.cIndex).toBeGreaterThan(0.6);
  });
});

describe('covariate building blocks', () => {
  it('scales columns by the training standard deviation (hand-computed)', () => {
    // Column 1: mean 2, sd 1 (values 1, 2, 3); column 2 constant (sd taken as 1).
    const train = { rows: 3, cols: 2, data: Float64Array.from([1, 5, 2, 5, 3, 5]) };
    const test = { rows: 1, cols: 2, data: Float64Array.from([4, 7]) };
    const [a, b] = scaleByTraining(train, [test], true);
    expect(Array.from(a!.data)).toEqual([-1, 0, 0, 0, 1, 0]);
    expect(Array.from(b!.data)).toEqual([2, 2]);
    expect(Array.from(scaleByTraining(test, [], false)[0]!.data)).toEqual([4, 7]);
  });

  it('codes cancer types as dummies against the first sorted level', () => {
    expect(typeDummies(['UVM', 'ACC', 'CHOL'], ['ACC', 'UVM', 'CHOL', 'KICH'])).toEqual({
      type_CHOL: Float64Array.from([0, 0, 1, 0]),
      type_UVM: Float64Array.from([0, 1, 0, 0]),
    });
  });
});

describe('risk groups', () => {
  it('quantile interpolates like R type 7', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 1 / 3)).toBeCloseTo(2, 12);
  });

  it('splits at the median / tertiles and separates informative risk groups by log-rank', () => {
    const z = Array.from({ length: 150 }, (_, i) => (i / 150) * 4 - 2);
    const surv = simulateSurvival(z, 1.2, 3);
    const median = riskGroupSurvival(surv, z, 'median');
    expect(median.names).toEqual(['low', 'high']);
    expect(median.group.filter((g) => g === 'high').length).toBe(75);
    expect(median.km.groups).toEqual(['high', 'low']);
    expect(median.logRank.pValue).toBeLessThan(1e-4);
    // The high-risk group dies more than expected under equal hazards.
    expect(median.logRank.observed[0]!).toBeGreaterThan(median.logRank.expected[0]!);
    const tertile = riskGroupSurvival(surv, z, 'tertile');
    expect(tertile.cutoffs.length).toBe(2);
    expect(['low', 'mid', 'high'].map((g) => tertile.group.filter((x) => x === g).length)).toEqual([
      50, 50, 50,
    ]);
    expect(tertile.logRank.df).toBe(2);
    // Uninformative risk: no separation.
    const random = createRandom(99);
    const noise = Array.from({ length: 150 }, () => random());
    expect(riskGroupSurvival(simulateSurvival(z, 0, 4), noise, 'median').logRank.pValue).toBeGreaterThan(
      0.01,
    );
  });
});
