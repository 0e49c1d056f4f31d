// Temperature scaling and calibration error against closed forms and hand-computed cases.
import { describe, expect, it } from 'vitest';
import { fitTemperature, softmaxAt, temperatureNll } from '../../src/heads/temperature.ts';
import { createRandom, randomNormal } from '../../src/random/random.ts';
import { expectedCalibrationError, reliabilityBins } from '../../src/stats/metrics.ts';

describe('reliability and expected calibration error', () => {
  it('bins by confidence and weighs |accuracy - confidence| by count (hand-computed)', () => {
    const confidence = [0.95, 0.95, 0.95, 0.95, 0.55, 0.55];
    const correct = [true, true, true, false, true, false];
    const bins = reliabilityBins(confidence, correct, 10);
    expect(bins[9]).toMatchObject({ count: 4, accuracy: 0.75 });
    expect(bins[9]!.confidence).toBeCloseTo(0.95, 12);
    expect(bins[5]).toMatchObject({ count: 2, accuracy: 0.5 });
    // (4/6) * |0.75 - 0.95| + (2/6) * |0.5 - 0.55|
    expect(expectedCalibrationError(confidence, correct)).toBeCloseTo((4 / 6) * 0.2 + (2 / 6) * 0.05, 12);
  });

  it('is 0 for perfectly calibrated bins and NaN without predictions', () => {
    expect(expectedCalibrationError([1, 1], [true, true])).toBe(0);
    expect(expectedCalibrationError([], [])).toBeNaN();
  });
});

describe('temperature scaling', () => {
  it('recovers the temperature that made calibrated logits over-confident', () => {
    const random = createRandom(3);
    const logits: number[][] = [];
    const truth: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const l = [0, 1, 2].map(() => 1.5 * randomNormal(random)); // calibrated logits
      const p = softmaxAt(l);
      const u = random();
      truth.push(u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2); // labels drawn from them
      logits.push(l.map((v) => 3 * v)); // over-confident by a factor 3
    }
    const t = fitTemperature(logits, truth);
    expect(t).toBeGreaterThan(2.6);
    expect(t).toBeLessThan(3.4);
    expect(temperatureNll(logits, truth, t)).toBeLessThan(temperatureNll(logits, truth, 1));
  });

  it('never changes the most probable class', () => {
    const l = [0.3, 2.1, -1];
    for (const t of [0.2, 1, 5]) {
      const p = softmaxAt(l, t);
      expect(p.indexOf(Math.max(...p))).toBe(1);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it('refuses mismatched rows', () => {
    expect(() => fitTemperature([[1, 2]], [0, 1])).toThrow(/one per sample/);
  });
});
