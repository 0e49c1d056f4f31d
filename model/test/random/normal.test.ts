// The one standard normal sampler (src/random/normal.ts), through each way the library draws it: the
// library's Rng (training's weight init), the simulator's Rng (counts) and randomNormal over a Random
// (the stats toolkit). Checked against closed forms: mean 0 and variance 1, the normal CDF (KS), the tail
// rates beyond 3 and beyond the ziggurat's R, and a chi-square over 160 bins.
import { describe, expect, it } from 'vitest';
import { ZIG_R } from '../../src/random/normal.ts';
import { createRandom, randomNormal } from '../../src/random/random.ts';
import { Rng } from '../../src/random/rng.ts';
import { createRng } from '../../src/simulate/random.ts';
import { chiSquareOk, meanZ, moments, normalCdf, varianceZ } from '../simulate/helpers.ts';

const DRAWS = 200_000;

const samplers: [string, (seed: number) => () => number][] = [
  [
    'library Rng',
    (seed) => {
      const r = new Rng(seed, 'normal-test');
      return () => r.normal();
    },
  ],
  [
    'simulator Rng',
    (seed) => {
      const r = createRng(seed);
      return () => r.normal();
    },
  ],
  [
    'randomNormal',
    (seed) => {
      const random = createRandom(seed);
      return () => randomNormal(random);
    },
  ],
];

describe.each(samplers)('normal draws (%s)', (_name, sampler) => {
  it('mean 0, variance 1, the normal CDF (KS) and the tail rates', () => {
    const next = sampler(5);
    const xs = Float64Array.from({ length: DRAWS }, next);
    const m = moments(xs);
    expect(meanZ(m, 0, 1), `mean ${m.mean}`).toBeLessThan(5);
    expect(varianceZ(m, 1), `variance ${m.variance}`).toBeLessThan(5);
    const sorted = Float64Array.from(xs).sort();
    let ks = 0;
    for (let i = 0; i < sorted.length; i++) {
      const f = normalCdf(sorted[i]!);
      ks = Math.max(ks, Math.abs(f - i / sorted.length), Math.abs(f - (i + 1) / sorted.length));
    }
    expect(ks).toBeLessThan(1.95 / Math.sqrt(DRAWS)); // 0.1% critical value
    // the ziggurat's wedges (|z| > 3) and its tail strip (|z| > R) are sampled at the right rate
    for (const z of [3, ZIG_R]) {
      const beyond = xs.filter((x) => Math.abs(x) > z).length / DRAWS;
      const p = 2 * (1 - normalCdf(z));
      expect(Math.abs(beyond - p), `P(|Z| > ${z})`).toBeLessThan(5 * Math.sqrt(p / DRAWS));
    }
  });

  it('2M draws fill 160 bins over [-4, 4] as the normal CDF says (chi-square)', () => {
    // sensitive to the wedge and tail handling, which moments and KS barely see
    const next = sampler(55);
    const n = 2_000_000;
    const bins = 160;
    const counts = new Float64Array(bins + 2);
    for (let i = 0; i < n; i++) {
      const x = next();
      counts[x < -4 ? 0 : x >= 4 ? bins + 1 : 1 + Math.floor(((x + 4) / 8) * bins)]!++;
    }
    let stat = 0;
    for (let b = 0; b < bins + 2; b++) {
      const lo = b === 0 ? Number.NEGATIVE_INFINITY : -4 + ((b - 1) * 8) / bins;
      const hi = b === bins + 1 ? Number.POSITIVE_INFINITY : -4 + (b * 8) / bins;
      const e = n * (normalCdf(hi) - normalCdf(lo));
      stat += (counts[b]! - e) ** 2 / e;
    }
    expect(chiSquareOk({ stat, df: bins + 1 }), `chi2 ${stat}`).toBe(true);
  });
});

it('one sampler: the library Rng and randomNormal over its uniforms draw the same numbers', () => {
  const a = new Rng(9, 'random');
  const random = createRandom(9); // Rng(9, 'random') underneath
  for (let i = 0; i < 10_000; i++) expect(randomNormal(random)).toBe(a.normal());
});
