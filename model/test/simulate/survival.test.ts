import { describe, expect, it } from 'vitest';
import { simulateCohort, simulateCounts } from '../../src/simulate/cohort.ts';
import { pearson } from '../../src/stats/metrics.ts';
import { concordance, logCpm, meanZ, moments, varianceZ } from './helpers.ts';

const cohort = simulateCohort({ samples: 2000, genes: 600, types: 5, seed: 31 });
const P = cohort.patients.ids.length;

describe('simulated survival', () => {
  it.each([0.2, 0.4, 0.6])('censors close to the configured fraction (%s)', (target) => {
    const c = simulateCohort({ samples: 3000, genes: 100, types: 3, seed: 32, censoring: target });
    const events = c.patients.event;
    const censored = 1 - events.reduce((s, e) => s + e, 0) / events.length;
    // Binomial SE is ~0.009 at 3,000 patients.
    expect(Math.abs(censored - target)).toBeLessThan(0.04);
  });

  it('orders observed times by the true risk: concordance well above 0.5', () => {
    const { logHazard, time, event } = cohort.patients;
    const c = concordance(logHazard, time, event);
    expect(c).toBeGreaterThan(0.68);
    expect(
      concordance(
        logHazard.map((x) => -x),
        time,
        event,
      ),
    ).toBeCloseTo(1 - c, 6);
  });

  it('draws event times from the Weibull proportional-hazards model: H(T) = (T/scale)^k e^lp ~ Exp(1)', () => {
    const { logHazard, eventTime } = cohort.patients;
    const { shape, scale } = cohort.truth.survival;
    const h = eventTime.map((t, p) => (t / scale) ** shape * Math.exp(logHazard[p]!));
    const m = moments(h);
    expect(meanZ(m, 1, 1)).toBeLessThan(5);
    expect(varianceZ(m, 1)).toBeLessThan(5);
    // Without covariate effects, the median event time is the configured median.
    const flat = simulateCohort({
      samples: 4000,
      genes: 50,
      types: 2,
      seed: 33,
      prognosticModules: 0,
      prognosticGenes: 0,
      typeHazardSd: 0,
      medianSurvivalDays: 900,
    });
    expect(flat.patients.logHazard.every((x) => Math.abs(x) < 1e-12)).toBe(true);
    const sorted = Float64Array.from(flat.patients.eventTime).sort();
    expect(Math.abs(sorted[Math.floor(sorted.length / 2)]! / 900 - 1)).toBeLessThan(0.08);
  });

  it('builds the log-hazard from the prognostic modules, genes and type as the truth says', () => {
    const { samples, patients, truth } = cohort;
    const N = samples.barcodes.length;
    const prognostic = truth.modules.filter((m) => m.hazardCoef !== 0);
    expect(prognostic.length).toBe(3);
    expect(truth.prognosticGenes.length).toBe(5);
    const raw = Array.from({ length: P }, (_, p) => {
      const i = patients.tumourSample[p]!;
      let lp = truth.typeHazard[patients.type[p]!]!;
      truth.modules.forEach((m, k) => {
        lp += m.hazardCoef * samples.moduleActivity[k * N + i]!;
      });
      truth.prognosticGenes.forEach((g, k) => {
        lp += g.coef * samples.geneLatent[k * N + i]!;
      });
      return lp - truth.survival.logHazardOffset;
    });
    for (let p = 0; p < P; p++) expect(raw[p]!).toBeCloseTo(patients.logHazard[p]!, 10);
  });

  it('keeps times whole days within follow-up, with events where the event came before censoring', () => {
    const { time, event, eventTime } = cohort.patients;
    const max = cohort.truth.survival.maxFollowupDays;
    for (let p = 0; p < P; p++) {
      expect(Number.isInteger(time[p])).toBe(true);
      expect(time[p]!).toBeGreaterThanOrEqual(1);
      expect(time[p]!).toBeLessThanOrEqual(Math.round(max));
      if (event[p] === 1) expect(time[p]).toBe(Math.max(1, Math.round(eventTime[p]!)));
      else expect(time[p]!).toBeLessThanOrEqual(Math.max(1, Math.round(eventTime[p]!)));
    }
  });

  it('leaves recoverable signal in the counts: a module-score risk from log-CPM is concordant', () => {
    const G = cohort.genes.ids.length;
    const N = cohort.samples.barcodes.length;
    const lc = logCpm(simulateCounts(cohort), G, N);
    const { patients, truth } = cohort;
    const risk = Array.from({ length: P }, (_, p) => {
      const i = patients.tumourSample[p]!;
      let r = truth.typeHazard[patients.type[p]!]!;
      for (const m of truth.modules) {
        if (m.hazardCoef === 0) continue;
        let s = 0;
        for (const g of m.genes) s += lc[g * N + i]!;
        r += m.hazardCoef * (s / m.genes.length);
      }
      return r;
    });
    expect(pearson(risk, patients.logHazard)).toBeGreaterThan(0.6);
    expect(concordance(risk, patients.time, patients.event)).toBeGreaterThan(0.62);
  });

  it('reports the configured fraction of OS times as missing', () => {
    const c = simulateCohort({ samples: 3000, genes: 50, types: 2, seed: 34, missingClinicalFraction: 0.2 });
    const missing = c.patients.missing.reduce((s, m) => s + m, 0) / c.patients.missing.length;
    expect(Math.abs(missing - 0.2)).toBeLessThan(0.04);
    expect(cohort.patients.missing.every((m) => m === 0)).toBe(true);
  });
});
