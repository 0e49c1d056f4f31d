// Kaplan-Meier drawing helpers: Greenwood confidence bands ("log" type, as R's survfit default; the library's
// one definition, @gexbert/model/maths), the number at risk at chosen times, and axis ticks. Input is the
// API's curve (one point per distinct time; curvePoints reads it from the API's parallel arrays).
import { confidenceZ, greenwoodTerm, logScaleLimits } from '@gexbert/model/maths';

export interface CurvePoint {
  timeDays: number;
  survival: number;
  atRisk: number;
  events: number;
}

/** A curve as the API's SurvivalGroup.steps gives it: parallel arrays, entry i of each being step i. */
export interface CurveSteps {
  timeDays: number[];
  survival: number[];
  atRisk: number[];
  events: number[];
}

/** The steps as one point per step. */
export function curvePoints(steps: CurveSteps): CurvePoint[] {
  return steps.timeDays.map((timeDays, i) => ({
    timeDays,
    survival: steps.survival[i]!,
    atRisk: steps.atRisk[i]!,
    events: steps.events[i]!,
  }));
}

export interface BandPoint {
  timeDays: number;
  lower: number;
  upper: number;
}

/** Two-sided 95% normal quantile. */
const Z95 = confidenceZ(0.95);

/**
 * Pointwise confidence limits, as the library's kaplanMeier computes them: S·exp(∓z·√Σ dᵢ/(nᵢ(nᵢ−dᵢ))), the
 * upper capped at 1. Where S reaches 0 (or a time has every patient at risk dying) the limits are undefined
 * and the band stops.
 */
export function confidenceBand(curve: readonly CurvePoint[], z = Z95): BandPoint[] {
  const band: BandPoint[] = [];
  let greenwood = 0;
  for (const point of curve) {
    if (point.events >= point.atRisk || point.survival <= 0) break;
    greenwood += greenwoodTerm(point.atRisk, point.events);
    band.push({ timeDays: point.timeDays, ...logScaleLimits(point.survival, greenwood, z) });
  }
  return band;
}

/** Patients still at risk just before time t (the at-risk count of the first point at or after t). */
export function atRiskAt(curve: readonly CurvePoint[], t: number): number {
  for (const point of curve) if (point.timeDays >= t) return point.atRisk;
  return 0;
}

/** Survival just after time t (1 before the first point). */
export function survivalAt(curve: readonly CurvePoint[], t: number): number {
  let s = 1;
  for (const point of curve) {
    if (point.timeDays > t) break;
    s = point.survival;
  }
  return s;
}

/** About `count` round tick values from 0 to at least max (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
