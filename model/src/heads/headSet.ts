/**
 * A head set: the cancer-type, novelty and risk heads fitted on the reference's embeddings from one set of
 * measured genes (the whole profile, or a panel), and how they answer for one embedding.
 */
import {
  type CancerTypeHead,
  type CancerTypeProbability,
  fitCancerTypeHead,
  predictCancerType,
} from './cancerType.ts';
import { fitNoveltyHead, type NoveltyHead, noveltyOf } from './novelty.ts';
import { parseHeads } from './parse.ts';
import type { HeadReference } from './reference.ts';
import { fitRiskHead, MIN_EVENTS, type RiskHead, riskPercentile, riskScore } from './risk.ts';

export interface HeadSet {
  /** Measured vocabulary genes the set was fitted from (V = the whole profile). */
  inputGenes: number;
  cancerType?: CancerTypeHead;
  novelty?: NoveltyHead;
  risk?: RiskHead;
}

/** The cancer-type answer for one sample. */
export interface TypePrediction {
  /** The predicted type; null when the sample is out of distribution (an explicit unknown). */
  predictedType: string | null;
  /** Calibrated probability of `closestType`. */
  probability: number;
  /** The most probable known type (given even when flagged). */
  closestType: string;
  /** Every known type, most probable first (calibrated; they sum to 1). */
  probabilities: CancerTypeProbability[];
  /** Mean distance to the 5 nearest reference samples over the measured genes, over the threshold (> 1 = flagged). */
  novelty: number;
  outOfDistribution: boolean;
}

/** The risk answer for one sample. */
export interface RiskPrediction {
  score: number;
  /** Percentile among the reference patients' scores. */
  trainingPercentile: number;
  /** Patients and events the risk head was fitted on. */
  patients: number;
  events: number;
}

/**
 * Fits the heads of one measured-gene set (vocabulary positions) on the reference's embeddings from those
 * genes (n, reference order).
 */
export function fitHeadSet(
  embeddings: ArrayLike<number>[],
  reference: HeadReference,
  measured: readonly number[],
): HeadSet {
  const set: HeadSet = { inputGenes: measured.length };
  const typed = reference.cancerTypes.flatMap((t, i) => (t ? [i] : []));
  const labels = typed.map((i) => reference.cancerTypes[i]!);
  if (new Set(labels).size >= 2) {
    set.cancerType = fitCancerTypeHead(
      typed.map((i) => embeddings[i]!),
      labels,
    );
    set.novelty = fitNoveltyHead(reference, typed, measured);
  }
  const survival = reference.osDays.flatMap((d, i) =>
    d !== null && d > 0 && reference.osEvent[i] !== null ? [i] : [],
  );
  if (survival.filter((i) => reference.osEvent[i] === 1).length >= MIN_EVENTS)
    set.risk = fitRiskHead(
      survival.map((i) => embeddings[i]!),
      survival.map((i) => reference.osDays[i]!),
      survival.map((i) => reference.osEvent[i] === 1),
    );
  return set;
}

/** Validates a stored head set (`path` names it in errors, e.g. "full") and returns it typed. */
export function parseHeadSet(value: unknown, path: string): HeadSet {
  const f = value as Partial<Record<keyof HeadSet, unknown>> | null;
  if (!f || typeof f !== 'object') throw new RangeError(`heads: ${path} must be a head set object`);
  let checked: ReturnType<typeof parseHeads>;
  try {
    checked = parseHeads({ cancerType: f.cancerType ?? null, risk: f.risk ?? null });
  } catch (error) {
    throw new RangeError(`heads: ${path}: ${(error as Error).message}`);
  }
  const novelty = f.novelty as NoveltyHead | undefined;
  if (
    checked.cancerType &&
    (novelty?.kind !== 'novelty' || !Array.isArray(novelty.genes) || !Array.isArray(novelty.rows))
  )
    throw new RangeError(`heads: ${path}.novelty (genes, rows) must accompany ${path}.cancerType`);
  return { inputGenes: Number(f.inputGenes), ...checked, ...(novelty ? { novelty } : {}) };
}

/**
 * The set's cancer-type answer for a sample: its embedding and its z values over the vocabulary (V). Null
 * without a cancer-type head.
 */
export function predictType(
  set: HeadSet,
  reference: HeadReference,
  embedding: ArrayLike<number>,
  z: ArrayLike<number>,
): TypePrediction | null {
  if (!set.cancerType || !set.novelty) return null;
  const probabilities = predictCancerType(set.cancerType, embedding);
  const { novelty, outOfDistribution } = noveltyOf(set.novelty, reference, z);
  const top = probabilities[0]!;
  return {
    predictedType: outOfDistribution ? null : top.cancerType,
    probability: top.probability,
    closestType: top.cancerType,
    probabilities,
    novelty,
    outOfDistribution,
  };
}

/** The set's risk answer for an embedding (null without a risk head). */
export function predictRisk(set: HeadSet, embedding: ArrayLike<number>): RiskPrediction | null {
  if (!set.risk) return null;
  const score = riskScore(set.risk, embedding);
  return {
    score,
    trainingPercentile: riskPercentile(set.risk, score),
    patients: set.risk.trainedOn,
    events: set.risk.events,
  };
}
