import { describe, expect, it } from 'vitest';
import { trigammaInverse } from '../../src/differential/index.ts';
import {
  digamma,
  studentTCdf,
  studentTQuantileUpper,
  studentTSurvival,
  tetragamma,
  trigamma,
} from '../../src/survival/index.ts';
import { expectClose } from './fixtures.ts';

// Reference values from mpmath at 30 digits (rounded to double).
const polygamma: [number, number, number, number][] = [
  [0.5, -1.9635100260214235, 4.934802200544679, -16.82879664423432],
  [1, -0.5772156649015329, 1.6449340668482264, -2.4041138063191885],
  [2.5, 0.7031566406452432, 0.49035775610023485, -0.2362040516417274],
  [7.3, 1.9178203356379862, 0.1467957681314271, -0.02151081444162025],
  [12, 2.442661679975812, 0.08690187287176838, -0.007547205368998912],
  [150.25, 5.008969095021217, 0.006677771512371827, -4.4592466667552565e-5],
];

describe('polygamma functions', () => {
  it.each(polygamma)('x = %d', (x, psi0, psi1, psi2) => {
    expectClose(digamma(x), psi0, 1e-14, 'digamma');
    expectClose(trigamma(x), psi1, 1e-14, 'trigamma');
    expectClose(tetragamma(x), psi2, 1e-13, 'tetragamma');
  });

  it('trigammaInverse inverts trigamma as limma does', () => {
    for (const y of [0.01, 0.7, 2, 45, 3000]) expectClose(trigammaInverse(trigamma(y)), y, 1e-8, `y=${y}`);
  });
});

describe("Student's t distribution", () => {
  // mpmath: I_{df/(df+t^2)}(df/2, 1/2) / 2
  const tails: [number, number, number][] = [
    [2, 5, 0.05096973941492918],
    [12, 3.5, 0.00028726709642806395],
    [0.3, 200.7, 0.3822438221077582],
    [40, 10, 1.1404288715428774e-12],
  ];
  it.each(tails)('P(T > %d), df %d', (t, df, p) => {
    expectClose(studentTSurvival(t, df), p, 1e-13, 'upper tail');
    expectClose(studentTCdf(-t, df), p, 1e-13, 'lower tail');
    expectClose(studentTQuantileUpper(p, df), t, 1e-12, 'quantile');
  });

  it('quantiles as R qt', () => {
    expectClose(studentTQuantileUpper(0.025, 5), 2.5705818356363155, 1e-14, 'qt(0.975, 5)');
    expect(studentTQuantileUpper(0.5, 7)).toBe(0);
    expectClose(studentTQuantileUpper(0.7, 30), -0.5300190039065046, 1e-13, 'qt(0.3, 30)');
  });
});
