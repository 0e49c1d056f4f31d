// The API rows of what the heads say of one sample (a stored one, or a profile that is not stored).
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import type { SamplePrediction } from '@gexbert/model/heads';
import type { CancerTypePredictionRow, RiskScoreRow } from './rows.ts';

/** The cancer-type row of a prediction (null without a type answer). */
export function cancerTypeRow(version: ModelVersion, p: SamplePrediction): CancerTypePredictionRow | null {
  const t = p.cancerType;
  if (!t) return null;
  return {
    model: version,
    heads: p.heads,
    cancerType: t.predictedType,
    closestType: t.closestType,
    probability: t.probability,
    probabilities: t.probabilities,
    novelty: t.novelty,
    outOfDistribution: t.outOfDistribution,
  };
}

/** The risk row of a prediction without a reference set: the percentile among the head's training patients. */
export function riskRow(version: ModelVersion, p: SamplePrediction, note: string): RiskScoreRow | null {
  const r = p.risk;
  if (!r) return null;
  return {
    model: version,
    heads: p.heads,
    score: r.score,
    percentile: null,
    reference: 'none',
    referenceSize: 0,
    referenceNote: note,
    trainingPercentile: r.trainingPercentile,
    patients: r.patients,
    events: r.events,
  };
}
