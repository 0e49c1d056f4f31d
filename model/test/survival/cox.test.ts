import { describe, expect, it } from 'vitest';
import { concordance, coxPartialLikelihood, coxph, predictRisk } from '../../src/survival/index.ts';
import { expectRelClose, loadFixture, stad, stadRows } from './fixtures.ts';

interface CoxRef {
  ties: 'efron' | 'breslow';
  coef: Record<string, number>;
  se: Record<string, number>;
  loglik_null: number;
  loglik: number;
  n: number;
  n_event: number;
  wald_test: number;
  lr_test: number;
  score_test: number;
  concordance: number;
}
const ref = loadFixture<Record<string, CoxRef>>('stad_coxph.json');

const column = (name: 'TMEscore_plus' | 'GZMB' | 'CD274') => stadRows.map((r) => r[name]);
const one = { TMEscore_plus: column('TMEscore_plus') };
const three = { TMEscore_plus: column('TMEscore_plus'), GZMB: column('GZMB'), CD274: column('CD274') };

describe('coxph against R (stomach cohort)', () => {
  it.each([
    ['one_efron', one],
    ['one_breslow', one],
    ['three_efron', three],
    ['three_breslow', three],
  ] as const)('%s', (key, covariates) => {
    const r = ref[key]!;
    const fit = coxph(stad, covariates, { ties: r.ties });
    expect(fit.converged).toBe(true);
    expect(fit.n).toBe(r.n);
    expect(fit.nEvent).toBe(r.n_event);
    expect(fit.names).toEqual(Object.keys(r.coef));
    fit.names.forEach((name, i) => {
      expectRelClose(fit.coefficients[i]!, r.coef[name]!, 1e-6, `coef ${name}`);
      expectRelClose(fit.standardErrors[i]!, r.se[name]!, 1e-6, `se ${name}`);
    });
    expectRelClose(fit.logLikNull, r.loglik_null, 1e-6, 'loglik null');
    expectRelClose(fit.logLik, r.loglik, 1e-6, 'loglik');
    expectRelClose(fit.likelihoodRatioTest.statistic, r.lr_test, 1e-6, 'LR test');
    expectRelClose(fit.scoreTest.statistic, r.score_test, 1e-6, 'score test');
    // R's summary rounds the Wald statistic to 2 decimals.
    expect(Math.round(fit.waldTest.statistic * 100) / 100).toBe(r.wald_test);
    expectRelClose(fit.concordance.concordance, r.concordance, 1e-9, 'concordance');
    expect(fit.waldTest.df).toBe(fit.names.length);
  });

  it('finds the same optimum from poor starting values (step halving)', () => {
    const r = ref.one_efron!;
    for (const init of [-3, 3, 5]) {
      const fit = coxph(stad, one, { init: [init] });
      expect(fit.converged).toBe(true);
      expectRelClose(fit.coefficients[0]!, r.coef.TMEscore_plus!, 1e-6, `coef from ${init}`);
      expectRelClose(fit.logLik, r.loglik, 1e-9, `loglik from ${init}`);
    }
  });
});

describe('coxph closed forms', () => {
  // x = 1, 0, 1, 0 at times 1, 2, 3+, 4+ (no ties). With u = exp(beta):
  // l(beta) = beta - log(2u + 2) - log(u + 2);  l'(beta) = 1 - u/(u+1) - u/(u+2) = 0  =>  u^2 = 2.
  const toy = { time: [1, 2, 3, 4], event: [1, 1, 0, 0] as (0 | 1)[] };
  const x = { x: [1, 0, 1, 0] };

  it('one binary covariate without ties: beta = log(2)/2, SE, loglik and all three tests', () => {
    const fit = coxph(toy, x);
    const u = Math.SQRT2;
    const info = u / (u + 1) ** 2 + (2 * u) / (u + 2) ** 2;
    expect(fit.coefficients[0]).toBeCloseTo(Math.log(2) / 2, 8);
    expect(fit.standardErrors[0]).toBeCloseTo(1 / Math.sqrt(info), 8);
    const loglik = Math.log(u) - Math.log(2 * u + 2) - Math.log(u + 2);
    const loglik0 = -Math.log(4) - Math.log(3);
    expect(fit.logLik).toBeCloseTo(loglik, 12);
    expect(fit.logLikNull).toBeCloseTo(loglik0, 14);
    expect(fit.likelihoodRatioTest.statistic).toBeCloseTo(2 * (loglik - loglik0), 11);
    // Score at 0: 1 - 1/2 - 1/3 = 1/6; information at 0: 1/4 + 2/9 = 17/36.
    expect(fit.scoreTest.statistic).toBeCloseTo(1 / 36 / (17 / 36), 14);
    expect(fit.waldTest.statistic).toBeCloseTo((Math.log(2) / 2) ** 2 * info, 8);
    // Efron and Breslow coincide without ties.
    expect(coxph(toy, x, { ties: 'breslow' }).coefficients[0]).toBeCloseTo(fit.coefficients[0]!, 12);
  });

  it('Efron and Breslow partial likelihoods for two tied deaths', () => {
    // Times 1, 1, 2+ with x = 1, 0, 0; r = exp(b).
    const data = { time: [1, 1, 2], event: [1, 1, 0] as (0 | 1)[] };
    const b = 0.7;
    const r = Math.exp(b);
    const breslow = coxPartialLikelihood(data, { x: [1, 0, 0] }, [b], { ties: 'breslow' });
    expect(breslow.logLik).toBeCloseTo(b - 2 * Math.log(r + 2), 14);
    expect(breslow.score[0]).toBeCloseTo(1 - (2 * r) / (r + 2), 14);
    expect(breslow.information[0]![0]).toBeCloseTo((4 * r) / (r + 2) ** 2, 14);
    // Efron: the second death's risk set keeps half of each death's risk: r/2 + 1/2 + 1.
    const efron = coxPartialLikelihood(data, { x: [1, 0, 0] }, [b], { ties: 'efron' });
    expect(efron.logLik).toBeCloseTo(b - Math.log(r + 2) - Math.log((r + 3) / 2), 14);
    expect(efron.score[0]).toBeCloseTo(1 - r / (r + 2) - r / (r + 3), 14);
    expect(efron.information[0]![0]).toBeCloseTo((2 * r) / (r + 2) ** 2 + (3 * r) / (r + 3) ** 2, 14);
  });

  it('at the estimate the score is 0 and maxIter = 0 stays at init', () => {
    const fit = coxph(stad, three);
    const at = coxPartialLikelihood(stad, three, fit.coefficients);
    for (const s of at.score) expect(Math.abs(s)).toBeLessThan(1e-6);
    expect(at.logLik).toBeCloseTo(fit.logLik, 10);
    const frozen = coxph(stad, three, { maxIter: 0 });
    expect(frozen.coefficients).toEqual([0, 0, 0]);
    expect(frozen.logLik).toBe(frozen.logLikNull);
  });

  it('strata: two identical copies as strata give the same beta, twice the loglik, SE / sqrt(2)', () => {
    const single = coxph(stad, three);
    const doubled = {
      time: [...stad.time, ...stad.time],
      event: [...stad.event, ...stad.event],
    };
    const covariates = Object.fromEntries(Object.entries(three).map(([k, v]) => [k, [...v, ...v]]));
    const strata = [...stad.time.map(() => 'A'), ...stad.time.map(() => 'B')];
    const fit = coxph(doubled, covariates, { strata });
    fit.coefficients.forEach((c, i) => {
      expectRelClose(c, single.coefficients[i]!, 1e-6, 'coef');
      expectRelClose(fit.standardErrors[i]!, single.standardErrors[i]! / Math.SQRT2, 1e-6, 'se');
    });
    expectRelClose(fit.logLik, 2 * single.logLik, 1e-9, 'loglik');
    // Without strata the copies would share risk sets, which changes the likelihood.
    expect(Math.abs(coxph(doubled, covariates).logLik - 2 * single.logLik)).toBeGreaterThan(1);
    // Stratified partial likelihood = sum of the per-stratum ones.
    const beta = [0.1, -0.2, 0.3];
    const stratumA = coxPartialLikelihood(stad, three, beta);
    const both = coxPartialLikelihood(doubled, covariates, beta, { strata });
    expect(both.logLik).toBeCloseTo(2 * stratumA.logLik, 9);
  });

  it('ridge: lambda/2 sum(beta^2) shrinks every fit towards 0 monotonically, with score = lambda beta', () => {
    const lambdas = [0, 0.5, 2, 10, 50, 200, 1000];
    const norms = lambdas.map((lambda) => {
      const fit = coxph(stad, three, { ridge: lambda });
      expect(fit.converged).toBe(true);
      // Stationarity of the penalised likelihood: U(beta) - lambda beta = 0.
      const at = coxPartialLikelihood(stad, three, fit.coefficients);
      at.score.forEach((s, i) => {
        expect(Math.abs(s - lambda * fit.coefficients[i]!)).toBeLessThan(1e-5);
      });
      expect(fit.penalizedLogLik).toBeCloseTo(
        fit.logLik - (lambda / 2) * fit.coefficients.reduce((s, b) => s + b * b, 0),
        10,
      );
      return Math.hypot(...fit.coefficients);
    });
    for (let k = 1; k < norms.length; k++) expect(norms[k]).toBeLessThan(norms[k - 1]!);
    const oneCovariate = lambdas.map((lambda) =>
      Math.abs(coxph(stad, one, { ridge: lambda }).coefficients[0]!),
    );
    for (let k = 1; k < oneCovariate.length; k++) expect(oneCovariate[k]).toBeLessThan(oneCovariate[k - 1]!);
    // lambda = 0 is the plain fit; the effective df falls below the number of coefficients.
    expect(coxph(stad, three, { ridge: 0 }).coefficients).toEqual(coxph(stad, three).coefficients);
    const ridged = coxph(stad, three, { ridge: 10 });
    expect(ridged.effectiveDf).toBeLessThan(3);
    expect(ridged.effectiveDf).toBeGreaterThan(0);
  });

  it('a redundant covariate gets NaN (R: NA) and the rest equals the smaller model', () => {
    const fit = coxph(stad, { TMEscore_plus: one.TMEscore_plus, twice: one.TMEscore_plus.map((v) => 2 * v) });
    expect(fit.coefficients[1]).toBeNaN();
    expectRelClose(fit.coefficients[0]!, ref.one_efron!.coef.TMEscore_plus!, 1e-6, 'coef');
    expect(fit.waldTest.df).toBe(1);
  });
});

describe('predictRisk', () => {
  it('gives R-style centred linear predictors, exp() for type risk, and the fit concordance', () => {
    const fit = coxph(stad, three);
    const lp = predictRisk(fit, three);
    expect(lp).toEqual(fit.linearPredictors);
    const meanLp = lp.reduce((s, v) => s + v, 0) / lp.length;
    expect(Math.abs(meanLp)).toBeLessThan(1e-12); // centred at the column means
    const manual = stadRows.map(
      (r, i) =>
        fit.coefficients[0]! * (r.TMEscore_plus - fit.means[0]!) +
        fit.coefficients[1]! * (r.GZMB - fit.means[1]!) +
        fit.coefficients[2]! * (r.CD274 - fit.means[2]!) -
        lp[i]!,
    );
    for (const d of manual) expect(Math.abs(d)).toBeLessThan(1e-12);
    predictRisk(fit, three, { type: 'risk' }).forEach((r, i) => {
      expect(r).toBeCloseTo(Math.exp(lp[i]!), 12);
    });
    expect(concordance(stad, lp, { reverse: true }).concordance).toBe(fit.concordance.concordance);
    expect(() => predictRisk(fit, { TMEscore_plus: three.TMEscore_plus })).toThrow(RangeError);
  });

  it('leaves 0/1 covariates uncentred like R', () => {
    const high = stadRows.map((r) => (r.TMEscore_plus_binary === 'High' ? 1 : 0));
    const fit = coxph(stad, { high });
    expect(fit.means).toEqual([0]);
    expect(predictRisk(fit, { high: [0, 1] })).toEqual([0, fit.coefficients[0]]);
  });
});
