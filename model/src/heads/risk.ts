/**
 * The survival-risk head: embeddings standardised with training statistics, projected on k principal
 * components (scores scaled to unit training variance) and a ridge Cox model on those scores
 * (../survival coxph, validated against R). The score is the Cox linear predictor; a sorted copy of the
 * training scores is kept so new scores can be given as percentiles.
 */

import { colMeans, colVariances } from '../stats/matrix.ts';
import { fitPca, transformPca } from '../stats/pca.ts';
import { applyStandardizer, fitStandardizer } from '../stats/standardize.ts';
import { concordance } from '../survival/concordance.ts';
import { coxph } from '../survival/cox.ts';
import type { EventIndicator } from '../survival/types.ts';
import { checkEmbedding, checkPerSample, embeddingMatrix, standardise } from './embeddings.ts';

/** Fewest observed events a risk head is fitted on. */
export const MIN_EVENTS = 5;

/** A fitted PCA + Cox risk model over embeddings of one width. */
export interface RiskHead {
  kind: 'risk';
  /** Embedding width the head expects. */
  width: number;
  /** Standardisation fitted on the training embeddings (width each; sd > 0). */
  mean: number[];
  sd: number[];
  /** k x width: unit-length principal axes of the standardised training embeddings. */
  components: number[][];
  /** k: training standard deviation of each component score (scores are divided by it). */
  scoreSd: number[];
  /** k Cox coefficients on the scaled scores (a redundant score gets 0). */
  coefficients: number[];
  /** k centring values of the Cox linear predictor (R's `means`). */
  centre: number[];
  /** Ridge penalty of the Cox fit. */
  ridge: number;
  /** Strata levels the Cox model was fitted with (separate baseline hazards); ignored at prediction. */
  strata?: string[];
  trainedOn: number;
  events: number;
  /** trainConcordance: Harrell's C of the training scores (higher score = earlier event), unstratified. */
  metrics: { trainConcordance: number };
  /** Sorted training risk scores, for percentiles. */
  reference: number[];
}

/** Options for {@link fitRiskHead}. */
export interface RiskHeadOptions {
  /** Principal components (default min(5, width, n - 1)). */
  components?: number;
  /** Ridge penalty of the Cox fit on unit-variance scores (default 0.01). */
  ridge?: number;
  /** Optional stratum per sample (e.g. cancer type): one baseline hazard per stratum when fitting. */
  strata?: string[];
}

function checkOutcome(time: number[], event: boolean[], n: number): number {
  checkPerSample('survival times', time, n);
  checkPerSample('event flags', event, n);
  let events = 0;
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    if (!(Number.isFinite(t) && t >= 0))
      throw new RangeError(
        `survival time ${i} is ${t}: times must be finite and >= 0 (drop samples without follow-up)`,
      );
    if (typeof event[i] !== 'boolean') throw new RangeError(`event flag ${i} must be true or false`);
    if (event[i]) events++;
  }
  if (events < MIN_EVENTS)
    throw new RangeError(
      `the risk head needs at least ${MIN_EVENTS} observed events, got ${events}: add patients with recorded deaths`,
    );
  return events;
}

/** The linear predictor of a head for one embedding (no input checks). */
function linearPredictor(head: RiskHead, x: Float64Array): number {
  const z = standardise(x, head.mean, head.sd);
  let lp = 0;
  head.components.forEach((axis, c) => {
    let score = 0;
    for (let j = 0; j < z.length; j++) score += axis[j]! * z[j]!;
    lp += head.coefficients[c]! * (score / head.scoreSd[c]! - head.centre[c]!);
  });
  return lp;
}

/**
 * Fits the risk head on training embeddings (n, one width), survival times (n, finite, >= 0) and event
 * flags (n; true = death observed). Throws on mismatched lengths, mixed widths, non-finite values, fewer
 * than {@link MIN_EVENTS} events or an impossible number of components.
 */
export function fitRiskHead(
  embeddings: ArrayLike<number>[],
  time: number[],
  event: boolean[],
  options: RiskHeadOptions = {},
): RiskHead {
  const x = embeddingMatrix(embeddings); // n x width
  const n = x.rows;
  const events = checkOutcome(time, event, n);
  const kMax = Math.min(x.cols, n - 1);
  const k = options.components ?? Math.min(5, kMax);
  if (!(Number.isInteger(k) && k >= 1 && k <= kMax))
    throw new RangeError(
      `components must be an integer in [1, ${kMax}] (width ${x.cols}, ${n} samples), got ${k}`,
    );
  const ridge = options.ridge ?? 0.01;
  if (!(Number.isFinite(ridge) && ridge >= 0))
    throw new RangeError(`ridge must be a finite number >= 0, got ${ridge}`);
  if (options.strata) checkPerSample('strata', options.strata, n);

  const standardizer = fitStandardizer(x);
  const xs = applyStandardizer(x, standardizer); // n x width
  const pca = fitPca(xs, k);
  const scores = transformPca(pca, xs); // n x k
  const scoreSd = colVariances(scores, colMeans(scores)).map((v) => (v > 0 ? Math.sqrt(v) : 1));
  const covariates: Record<string, Float64Array> = {};
  for (let c = 0; c < k; c++)
    covariates[`PC${c + 1}`] = Float64Array.from(
      { length: n },
      (_, i) => scores.data[i * k + c]! / scoreSd[c]!,
    );
  const data = { time, event: event.map((e): EventIndicator => (e ? 1 : 0)) };
  const fit = coxph(data, covariates, { ridge, ...(options.strata ? { strata: options.strata } : {}) });
  if (!fit.coefficients.some(Number.isFinite))
    throw new RangeError(
      'the Cox fit of the risk head failed: check that the embeddings vary between samples',
    );

  const head: RiskHead = {
    kind: 'risk',
    width: x.cols,
    mean: Array.from(standardizer.mean),
    sd: Array.from(standardizer.sd),
    components: Array.from({ length: k }, (_, c) =>
      Array.from(pca.components.data.subarray(c * x.cols, (c + 1) * x.cols)),
    ),
    scoreSd: Array.from(scoreSd),
    coefficients: fit.coefficients.map((b) => (Number.isFinite(b) ? b : 0)),
    centre: fit.means.map((m) => m),
    ridge,
    ...(options.strata ? { strata: [...new Set(options.strata)].sort() } : {}),
    trainedOn: n,
    events,
    metrics: { trainConcordance: Number.NaN },
    reference: [],
  };
  const training = embeddings.map((e) => linearPredictor(head, Float64Array.from(e)));
  head.metrics.trainConcordance = concordance(data, training, { reverse: true }).concordance;
  head.reference = [...training].sort((a, b) => a - b);
  return head;
}

/** The Cox linear predictor of one embedding: higher means a higher hazard (worse prognosis). */
export function riskScore(head: RiskHead, embedding: ArrayLike<number>): number {
  return linearPredictor(head, checkEmbedding(embedding, head.width, 'risk'));
}

/** Percentile (0..100) of `score` among sorted scores: the share below it, ties counting half (NaN if none). */
export function percentileOfSorted(sorted: readonly number[], score: number): number {
  if (sorted.length === 0) return Number.NaN;
  const firstAtLeast = (strict: boolean): number => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? sorted[mid]! <= score : sorted[mid]! < score) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const below = firstAtLeast(false);
  const tied = firstAtLeast(true) - below;
  return (100 * (below + tied / 2)) / sorted.length;
}

/**
 * Percentile (0..100) of a score among the training scores: the share of reference scores below it,
 * counting ties as half. Non-decreasing in the score.
 */
export function riskPercentile(head: RiskHead, score: number): number {
  if (!Number.isFinite(score)) throw new RangeError(`risk score must be a finite number, got ${score}`);
  if (head.reference.length === 0) throw new RangeError('the risk head has no reference scores: refit it');
  return percentileOfSorted(head.reference, score);
}
