import { describe, expect, it } from 'vitest';
import { createRng, logFactorial, Rng } from '../../src/simulate/random.ts';
import { chiSquare, chiSquareOk, meanZ, moments, varianceZ } from './helpers.ts';

const DRAWS = 200_000;

function draw(n: number, f: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
}

/** Mean and variance within 5 standard errors of the closed forms. */
function expectMoments(xs: Float64Array, mean: number, variance: number): void {
  const m = moments(xs);
  expect(meanZ(m, mean, variance), `mean ${m.mean} vs ${mean}`).toBeLessThan(5);
  expect(varianceZ(m, variance), `variance ${m.variance} vs ${variance}`).toBeLessThan(5);
}

describe('Rng streams', () => {
  it('repeats exactly for the same seed and stream', () => {
    const a = createRng(42, 7);
    const b = createRng(42, 7);
    const xs = Array.from({ length: 1000 }, () => a.nextUint32());
    const ys = Array.from({ length: 1000 }, () => b.nextUint32());
    expect(xs).toEqual(ys);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });

  it('differs between seeds (including seeds above 2^32) and between streams', () => {
    const first = (seed: number, stream: number) => {
      const r = createRng(seed, stream);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    const base = first(1, 0);
    expect(first(2, 0)).not.toEqual(base);
    expect(first(1, 1)).not.toEqual(base);
    expect(first(1 + 2 ** 32, 0)).not.toEqual(base);
    expect(first(0, 0)).not.toEqual(first(2 ** 32, 0));
  });

  it('rejects seeds that are not non-negative safe integers', () => {
    expect(() => new Rng(-1)).toThrow(RangeError);
    expect(() => new Rng(1.5)).toThrow(RangeError);
    expect(() => new Rng(1, -2)).toThrow(RangeError);
  });

  it('gives uniforms in (0, 1) with the uniform moments and flat 64-bin histogram', () => {
    const r = createRng(3);
    const xs = draw(DRAWS, () => r.uniform());
    expect(xs.filter((x) => !(x > 0 && x < 1)).length).toBe(0);
    expectMoments(xs, 0.5, 1 / 12);
    const bins = new Float64Array(64);
    for (const x of xs) bins[Math.floor(x * 64)]!++;
    const e = DRAWS / 64;
    const stat = bins.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
    expect(chiSquareOk({ stat, df: 63 })).toBe(true);
  });

  it('shuffles into a permutation and int(n) stays in range', () => {
    const r = createRng(4);
    const xs = r.shuffle(Array.from({ length: 100 }, (_, i) => i));
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});

describe('continuous samplers', () => {
  it.each([0.3, 1, 2.5, 30])('gamma(shape %s, scale 2): mean k*s, variance k*s^2', (shape) => {
    const r = createRng(6);
    expectMoments(
      draw(DRAWS, () => r.gamma(shape, 2)),
      2 * shape,
      4 * shape,
    );
  });

  it('exponential(rate 0.25): mean 4, variance 16', () => {
    const r = createRng(7);
    expectMoments(
      draw(DRAWS, () => r.exponential(0.25)),
      4,
      16,
    );
  });

  it('weibull: mean scale*G(1+1/k), variance scale^2*(G(1+2/k) - G(1+1/k)^2)', () => {
    const r = createRng(8);
    // shape 2: G(1.5) = sqrt(pi)/2, G(2) = 1; shape 0.5: G(3) = 2, G(5) = 24.
    const g15 = Math.sqrt(Math.PI) / 2;
    expectMoments(
      draw(DRAWS, () => r.weibull(2, 100)),
      100 * g15,
      100 * 100 * (1 - g15 * g15),
    );
    expectMoments(
      draw(DRAWS, () => r.weibull(0.5, 3)),
      3 * 2,
      9 * (24 - 4),
    );
  });
});

describe('discrete samplers', () => {
  const poissonPmf = (lambda: number) => (k: number) =>
    Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k));

  it.each([0.5, 4, 9.99, 10, 37.5, 1000, 1e5])('poisson(%s): mean = variance = lambda', (lambda) => {
    const r = createRng(9);
    expectMoments(
      draw(DRAWS, () => r.poisson(lambda)),
      lambda,
      lambda,
    );
  });

  it.each([3, 12, 150])('poisson(%s) matches the pmf (chi-square)', (lambda) => {
    const r = createRng(10);
    const xs = draw(DRAWS, () => r.poisson(lambda));
    const result = chiSquare(xs, poissonPmf(lambda), Math.ceil(lambda + 10 * Math.sqrt(lambda) + 10));
    expect(result.df).toBeGreaterThan(3);
    expect(chiSquareOk(result), `chi2 ${result.stat} on ${result.df} df`).toBe(true);
  });

  it('poisson(0) is 0 and NaN is rejected', () => {
    const r = createRng(11);
    expect(r.poisson(0)).toBe(0);
    expect(() => r.poisson(Number.NaN)).toThrow(RangeError);
  });

  const nbCases: [number, number][] = [
    [0.3, 2],
    [5, 0.5],
    [100, 5],
    [2000, 10],
    [40, Number.POSITIVE_INFINITY],
  ];

  it.each(nbCases)('negativeBinomial(mu %s, theta %s): variance mu + mu^2/theta', (mu, theta) => {
    const r = createRng(12);
    expectMoments(
      draw(DRAWS, () => r.negativeBinomial(mu, theta)),
      mu,
      mu + (mu * mu) / theta,
    );
  });

  it.each(nbCases)('fillNegativeBinomial(mu %s, theta %s): same moments, row at a time', (mu, theta) => {
    const r = createRng(13);
    const out = r.fillNegativeBinomial(new Float64Array(DRAWS).fill(mu), theta, new Uint32Array(DRAWS));
    expectMoments(Float64Array.from(out), mu, mu + (mu * mu) / theta);
  });

  it('fillNegativeBinomial matches the NB pmf (chi-square), also for varying means', () => {
    const r = createRng(14);
    for (const [mu, theta] of [
      [8, 2],
      [60, 0.7],
    ] as const) {
      const pmf = (k: number) => {
        // P(k) = C(k + theta - 1, k) (theta / (theta + mu))^theta (mu / (theta + mu))^k, by recursion.
        let p = (theta / (theta + mu)) ** theta;
        for (let j = 1; j <= k; j++) p *= ((j - 1 + theta) / j) * (mu / (theta + mu));
        return p;
      };
      const out = r.fillNegativeBinomial(new Float64Array(DRAWS).fill(mu), theta, new Uint32Array(DRAWS));
      const result = chiSquare(out, pmf, Math.ceil(mu * 8 + 30));
      expect(chiSquareOk(result), `NB(${mu}, ${theta}): chi2 ${result.stat} on ${result.df} df`).toBe(true);
    }
    // Alternating means: the two halves keep their own means.
    const mu = Float64Array.from({ length: DRAWS }, (_, i) => (i % 2 ? 3 : 300));
    const out = r.fillNegativeBinomial(mu, 4, new Uint32Array(DRAWS));
    const odd = Float64Array.from(out.filter((_, i) => i % 2 === 1));
    const even = Float64Array.from(out.filter((_, i) => i % 2 === 0));
    expectMoments(odd, 3, 3 + 9 / 4);
    expectMoments(even, 300, 300 + 90000 / 4);
  });

  it('fillNegativeBinomial gives 0 for non-positive means and rejects bad input', () => {
    const r = createRng(15);
    expect(Array.from(r.fillNegativeBinomial([0, -1, 0], 2, new Uint32Array(3)))).toEqual([0, 0, 0]);
    expect(() => r.fillNegativeBinomial([Number.NaN], 2, new Uint32Array(1))).toThrow(RangeError);
    expect(() => r.fillNegativeBinomial([1], 0, new Uint32Array(1))).toThrow(RangeError);
    expect(() => r.fillNegativeBinomial([1], 2, new Uint32Array(2))).toThrow(RangeError);
  });

  it('logFactorial agrees with summed logs across the table/Stirling switch', () => {
    let sum = 0;
    for (let k = 1; k <= 5000; k++) {
      sum += Math.log(k);
      expect(Math.abs(logFactorial(k) - sum)).toBeLessThan(1e-12 * Math.max(1, sum));
    }
    expect(logFactorial(0)).toBe(0);
  });
});
