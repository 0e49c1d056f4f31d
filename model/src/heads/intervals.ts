/**
 * Intervals on restored values: a split-conformal head that turns every restored (imputed) gene value into
 * an interval with a stated nominal coverage.
 *
 * The interval of gene g restored from m measured input genes is `value ± multiplier[bin(m)] * scale[g]`,
 * in log2(CPM + 1) units. `scale` is a per-gene residual scale (how hard the gene is to restore), `multiplier`
 * a per-bin conformal quantile of |residual| / scale, so that on samples exchangeable with the calibration
 * samples the interval covers the measured value with probability >= `coverage` (marginally over genes and
 * samples of a bin). Calibration samples should be exchangeable with the samples served: held-out samples
 * are the safe choice. For the shipped checkpoint its 262 training samples were measured to restore no better
 * than its 29 held-out ones, and calibrating on them covers 91.5-91.7% of held-out values at 30-90% missing
 * (model/EXPERIMENTS.md, "Intervals on restored values"); a checkpoint that fits its training samples more
 * closely would give too-narrow intervals that way, so re-measure with model/experiments/intervals-coverage.ts.
 */
import { OMIT, type Predictor, restore, zProfiles } from '../gexbert/inference/infer.ts';
import type { NormStats } from '../gexbert/inference/normalise.ts';
import { createRandom, sampleWithoutReplacement } from '../random/random.ts';
import type { Matrix } from '../stats/matrix.ts';

/** The interval head of one model (JSON-serialisable). */
export interface RestorationIntervals {
  kind: 'restoration-intervals';
  /** Nominal coverage of every interval, e.g. 0.9. */
  coverage: number;
  /** Vocabulary size V. */
  genes: number;
  /** V: per-gene residual scale in log2(CPM+1) units (> 0). */
  scale: number[];
  /** Ascending upper bounds (inclusive) of the "measured input genes" bins, e.g. [16, 64, 256, 1000000]. */
  bins: number[];
  /** One per bin: the conformal quantile of |residual| / scale at the nominal coverage (> 0). */
  multiplier: number[];
  /** Samples the multipliers were calibrated on. */
  calibratedOn: number;
  /** One sentence: how the head was fitted. */
  method: string;
}

/** One calibration entry: a measured value hidden from the model and restored from the rest. */
export interface Residual {
  /** Vocabulary index of the gene. */
  gene: number;
  /** Measured vocabulary genes the model restored it from. */
  measuredInputs: number;
  /** restored - measured, log2(CPM + 1). */
  residual: number;
  /** Row of the sample in the z matrix it came from (for grouping; not used by the fit). */
  sample?: number;
}

export const DEFAULT_BINS = [16, 64, 256, 1_000_000];

export interface FitIntervalsOptions {
  /** Upper bounds of the measured-input bins (default `DEFAULT_BINS`). */
  bins?: number[];
  /** Vocabulary size (default: 1 + the largest gene index seen). */
  genes?: number;
  /**
   * Residuals to fit the per-gene scale on (default: `residuals` themselves). Fitting the scale on other
   * samples (even training samples) keeps the conformal quantile on `residuals` exact.
   */
  scaleResiduals?: Residual[];
  /** Pseudo-residuals at the median scale each gene's scale is shrunk with (default 10). */
  shrinkage?: number;
  /** Samples behind `residuals` (recorded as `calibratedOn`; default: distinct `sample` fields). */
  samples?: number;
}

/** Index of the bin holding `measuredInputs` (the last bin for counts above every bound). */
export function binOf(bins: readonly number[], measuredInputs: number): number {
  for (let b = 0; b < bins.length; b++) if (measuredInputs <= bins[b]!) return b;
  return bins.length - 1;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * Per-gene scale (V): the RMS residual of each gene, shrunk toward the median RMS of genes with
 * residuals: sqrt((sum r^2 + k * med^2) / (n + k)). Genes without residuals get the median; every scale is
 * floored at 5% of the median (a gene never seen restored badly is not trusted to be exact).
 */
export function fitScale(residuals: Residual[], genes: number, shrinkage = 10): number[] {
  const sum = new Float64Array(genes); // (V) sum of squared residuals
  const n = new Float64Array(genes); // (V) residuals per gene
  for (const r of residuals) {
    if (!(r.gene >= 0 && r.gene < genes) || !Number.isFinite(r.residual)) continue;
    sum[r.gene]! += r.residual * r.residual;
    n[r.gene]! += 1;
  }
  const rms: number[] = [];
  for (let g = 0; g < genes; g++) if (n[g]! > 0) rms.push(Math.sqrt(sum[g]! / n[g]!));
  const med = median(rms);
  if (!(med > 0)) throw new Error('fitScale: no non-zero residuals to fit a scale on');
  const floor = 0.05 * med;
  return Array.from({ length: genes }, (_, g) =>
    Math.max(floor, Math.sqrt((sum[g]! + shrinkage * med * med) / (n[g]! + shrinkage))),
  );
}

/**
 * Split-conformal quantile of `scores` at coverage q: the ceil((n+1)q)-th smallest score (the finite-sample
 * correction). With too few scores for that rank (n < q/(1-q)) it returns the largest score.
 */
export function conformalQuantile(scores: number[], q: number): number {
  const s = [...scores].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.ceil((n + 1) * q)); // 1-based
  return s[rank - 1]!;
}

/**
 * Fits the interval head from calibration residuals. Per-gene scale: `fitScale` on `scaleResiduals`
 * (default the residuals themselves); per bin of measured inputs: the conformal quantile of |r| / scale.
 * A bin without residuals takes the multiplier of the nearest bin with fewer inputs (harder, so
 * conservative), or else of the nearest bin with more.
 */
export function fitRestorationIntervals(
  residuals: Residual[],
  coverage = 0.9,
  opts: FitIntervalsOptions = {},
): RestorationIntervals {
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`coverage must be in (0, 1), got ${coverage}`);
  if (residuals.length === 0) throw new Error('fitRestorationIntervals: no residuals');
  const bins = opts.bins ?? DEFAULT_BINS;
  const genes = opts.genes ?? 1 + Math.max(...residuals.map((r) => r.gene));
  const shrinkage = opts.shrinkage ?? 10;
  const scale = fitScale(opts.scaleResiduals ?? residuals, genes, shrinkage);
  const scores: number[][] = bins.map(() => []); // per bin: |r| / scale
  for (const r of residuals) {
    if (!(r.gene >= 0 && r.gene < genes) || !Number.isFinite(r.residual)) continue;
    scores[binOf(bins, r.measuredInputs)]!.push(Math.abs(r.residual) / scale[r.gene]!);
  }
  const fitted = scores.map((s) => conformalQuantile(s, coverage));
  const multiplier = fitted.map((m, b) => {
    if (Number.isFinite(m)) return Math.max(m, 1e-6);
    for (let c = b - 1; c >= 0; c--) if (Number.isFinite(fitted[c]!)) return Math.max(fitted[c]!, 1e-6);
    for (let c = b + 1; c < bins.length; c++)
      if (Number.isFinite(fitted[c]!)) return Math.max(fitted[c]!, 1e-6);
    return Number.NaN; // unreachable: residuals is non-empty
  });
  const samples = opts.samples ?? new Set(residuals.map((r) => r.sample).filter((s) => s !== undefined)).size;
  return {
    kind: 'restoration-intervals',
    coverage,
    genes,
    scale,
    bins: [...bins],
    multiplier,
    calibratedOn: Math.max(1, samples),
    method:
      `split conformal: per-gene RMS residual shrunk toward the median (k = ${shrinkage})` +
      `${opts.scaleResiduals ? ' fitted on separate residuals' : ''}, times the per-bin ceil((n+1)q)/n ` +
      `quantile of |residual|/scale over ${residuals.length} held-out restored values`,
  };
}

/** Missing rates of the calibration masks (model/EXPERIMENTS.md section 11). */
export const CALIBRATION_RATES = [0.3, 0.5, 0.7, 0.9, 0.95, 0.99];
/** Missing rates at which held-out coverage is reported. */
export const COVERAGE_RATES = [0.3, 0.7, 0.9];

/** How many held-out residuals fall within their intervals, and the intervals' summed width (log2 units). */
export function coverageOf(
  head: RestorationIntervals,
  residuals: readonly Residual[],
): { covered: number; width: number; values: number } {
  let covered = 0;
  let width = 0;
  for (const r of residuals) {
    const { lower, upper } = restorationInterval(head, r.gene, 0, r.measuredInputs);
    if (r.residual >= lower && r.residual <= upper) covered++;
    width += upper - lower;
  }
  return { covered, width, values: residuals.length };
}

/** The interval (log2(CPM + 1)) around a restored `value` of vocabulary gene `geneIndex`. */
export function restorationInterval(
  head: RestorationIntervals,
  geneIndex: number,
  value: number,
  measuredInputs: number,
): { lower: number; upper: number } {
  if (!(Number.isInteger(geneIndex) && geneIndex >= 0 && geneIndex < head.genes))
    throw new RangeError(`gene index ${geneIndex} is outside the vocabulary of ${head.genes}`);
  const half = head.multiplier[binOf(head.bins, measuredInputs)]! * head.scale[geneIndex]!;
  return { lower: value - half, upper: value + half };
}

/** Thrown by {@link parseRestorationIntervals}: `message` names the bad field. */
export class InvalidIntervalsError extends Error {
  constructor(path: string, problem: string) {
    super(`invalid intervals: ${path} ${problem}; refit the interval head or restore it from a valid copy`);
    this.name = 'InvalidIntervalsError';
  }
}

function positiveNumbers(value: unknown, path: string, length?: number): number[] {
  if (!Array.isArray(value)) throw new InvalidIntervalsError(path, 'must be an array of numbers');
  if (length !== undefined && value.length !== length)
    throw new InvalidIntervalsError(path, `must have ${length} numbers, has ${value.length}`);
  if (value.length === 0) throw new InvalidIntervalsError(path, 'must not be empty');
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0))
      throw new InvalidIntervalsError(`${path}[${i}]`, 'must be a finite number > 0');
  });
  return value as number[];
}

/** Validates a stored interval head (e.g. `JSON.parse` of a database column) and returns it typed. */
export function parseRestorationIntervals(json: unknown, path = 'intervals'): RestorationIntervals {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new InvalidIntervalsError(path, 'must be an object');
  const f = json as Record<string, unknown>;
  if (f.kind !== 'restoration-intervals')
    throw new InvalidIntervalsError(`${path}.kind`, 'must be "restoration-intervals"');
  const coverage = f.coverage;
  if (typeof coverage !== 'number' || !(coverage > 0 && coverage < 1))
    throw new InvalidIntervalsError(`${path}.coverage`, 'must be a number in (0, 1)');
  const genes = f.genes;
  if (typeof genes !== 'number' || !Number.isInteger(genes) || genes < 1)
    throw new InvalidIntervalsError(`${path}.genes`, 'must be an integer >= 1');
  const scale = positiveNumbers(f.scale, `${path}.scale`, genes);
  const bins = positiveNumbers(f.bins, `${path}.bins`);
  bins.forEach((b, i) => {
    if (i > 0 && !(b > bins[i - 1]!))
      throw new InvalidIntervalsError(`${path}.bins`, 'must be strictly ascending');
  });
  const multiplier = positiveNumbers(f.multiplier, `${path}.multiplier`, bins.length);
  const calibratedOn = f.calibratedOn;
  if (typeof calibratedOn !== 'number' || !Number.isInteger(calibratedOn) || calibratedOn < 1)
    throw new InvalidIntervalsError(`${path}.calibratedOn`, 'must be an integer >= 1');
  if (typeof f.method !== 'string' || f.method === '')
    throw new InvalidIntervalsError(`${path}.method`, 'must be a non-empty string');
  return {
    kind: 'restoration-intervals',
    coverage,
    genes,
    scale,
    bins,
    multiplier,
    calibratedOn,
    method: f.method,
  };
}

/**
 * Calibration residuals: for each sample in `rows` of `z` (samples x V, per-gene z of the model's
 * normalisation) and each missing rate, hides a seeded MCAR round(rate * V) of its vocabulary genes,
 * restores them from the rest (hidden genes omitted from the input), and returns restored - measured in
 * log2(CPM + 1) units (z difference x stats.sd), with the number of measured inputs.
 */
export async function collectResiduals(
  predictor: Predictor,
  stats: NormStats,
  z: Matrix,
  rows: number[],
  missingRates: number[],
  seed: number,
): Promise<Residual[]> {
  const V = z.cols;
  if (V !== stats.genes.length)
    throw new Error(`z has ${V} columns, the vocabulary ${stats.genes.length} genes`);
  const random = createRandom(seed);
  const sub: Matrix = { rows: rows.length, cols: V, data: new Float64Array(rows.length * V) }; // (n x V)
  rows.forEach((r, i) => {
    sub.data.set(z.data.subarray(r * V, (r + 1) * V), i * V);
  });
  const out: Residual[] = [];
  for (const rate of missingRates) {
    if (!(rate > 0 && rate < 1)) throw new RangeError(`missing rate must be in (0, 1), got ${rate}`);
    const k = Math.round(rate * V);
    const hidden = new Uint8Array(rows.length * V); // (n x V) 1 = hidden
    for (let i = 0; i < rows.length; i++)
      for (const v of sampleWithoutReplacement(V, k, random)) hidden[i * V + v] = 1;
    const profiles = zProfiles(sub, stats.genes, (i, v) => hidden[i * V + v] === 0);
    // Restores every vocabulary gene (one query list for the batch); only the hidden ones are kept.
    const res = await restore(predictor, stats, profiles, stats.genes, { ...OMIT, unit: 'z' });
    for (let i = 0; i < rows.length; i++) {
      const restored = res.values[i]!; // (V) z
      const inputs = res.reports[i]!.inputGenes;
      for (let v = 0; v < V; v++) {
        // A gene the sample never measured (an RSEM profile's, say) has no truth to score against.
        const measured = sub.data[i * V + v]!;
        if (hidden[i * V + v] === 0 || !Number.isFinite(restored[v]!) || !Number.isFinite(measured)) continue;
        out.push({
          gene: v,
          measuredInputs: inputs,
          residual: (restored[v]! - measured) * stats.sd[v]!,
          sample: rows[i]!,
        });
      }
    }
  }
  return out;
}
