// Gene attributions served by the API: one sample's (computed by the model holder, kept in memory per model,
// heads and newest import) and a cohort's per-type gene importance (mean |attribution| over a bounded number
// of its samples of the type, stored once for the cohort: inference/cohortAnswers.ts).
import { cohortSamplesOfCancerType } from '@gexbert/core/cohort/records';
import {
  type AttributionTarget,
  meanAbsoluteAttribution,
  type ProfileAttributions,
  type TargetAttributions,
} from '@gexbert/core/inference/attribution';
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import { GraphQLError } from 'graphql/index.js';
import type { Context } from '../context.ts';
import { badInput } from '../errors.ts';
import { storedModelAnswer } from './cohortAnswers.ts';

/** Most genes one attributions answer lists. */
export const MAX_ATTRIBUTION_GENES = 1000;
/** Sample attributions kept in memory per API process. */
const KEPT = 64;

export interface GeneAttributionRow {
  rank: number;
  ensemblId: string;
  value: number;
  attribution: number;
  occluded: number;
}

export interface SampleAttributionsRow {
  target: AttributionTarget;
  model: ModelVersion;
  cancerType: string | null;
  baseline: number;
  inputGenes: number;
  headInputGenes: number;
  genes: GeneAttributionRow[];
}

export interface GeneImportanceRow {
  rank: number;
  ensemblId: string;
  meanAbsAttribution: number;
  meanAttribution: number;
}

export interface TypeGeneImportanceRow {
  cancerType: string;
  target: AttributionTarget;
  model: ModelVersion;
  samplesUsed: number;
  samplesOfType: number;
  rankedGenes: number;
  /** Every ranked gene (the `genes` field lists the `top`). */
  ranking: GeneImportanceRow[];
  top: number;
}

const kept = new Map<string, Promise<ProfileAttributions | null>>();

/** A stored sample's attributions by the version (null without model input), kept in memory. */
export function sampleAttributions(
  context: Context,
  version: ModelVersion,
  sampleId: number,
): Promise<ProfileAttributions | null> {
  const heads = context.models.headsOf(version);
  const key = `${version.id}/${heads?.id}/${context.models.dataVersion}/${sampleId}`;
  let answer = kept.get(key);
  if (answer) kept.delete(key);
  else {
    answer = (async () => {
      const [profile] = await context.models.profiles(version, [sampleId]);
      return profile ? context.models.attribute(version, profile) : null;
    })();
    answer.catch(() => kept.delete(key));
  }
  kept.set(key, answer);
  while (kept.size > KEPT) kept.delete(kept.keys().next().value!);
  return answer;
}

/** The target's attributions of an answer; MODEL_UNAVAILABLE when the heads lack the target's head. */
export function targetOf(
  version: ModelVersion,
  answer: ProfileAttributions,
  target: AttributionTarget,
): TargetAttributions {
  const t = {
    CANCER_TYPE: answer.cancerType,
    CANCER_TYPE_LOG_ODDS: answer.cancerTypeLogOdds,
    RISK: answer.risk,
  }[target];
  if (!t)
    throw new GraphQLError(
      `model version ${version.id} (${version.name}) has no ${target === 'RISK' ? 'risk' : 'cancer-type'} head to attribute: fit its heads on labelled samples, or choose another model`,
      { extensions: { code: 'MODEL_UNAVAILABLE' } },
    );
  return t;
}

/** `top` checked (1 ... MAX_ATTRIBUTION_GENES). */
export function checkedTop(top: number | null | undefined, fallback: number): number {
  const n = top ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_ATTRIBUTION_GENES)
    throw badInput(`top must be an integer from 1 to ${MAX_ATTRIBUTION_GENES}; got ${n}`);
  return n;
}

export function sampleAttributionsRow(
  version: ModelVersion,
  answer: ProfileAttributions,
  target: AttributionTarget,
  top: number,
): SampleAttributionsRow {
  const t = targetOf(version, answer, target);
  return {
    target,
    model: version,
    cancerType: t.cancerType,
    baseline: t.baseline,
    inputGenes: answer.inputGenes,
    headInputGenes: answer.headInputGenes,
    genes: t.genes.slice(0, top).map((g, i) => ({
      rank: i + 1,
      ensemblId: g.gene,
      value: g.value,
      attribution: g.attribution,
      occluded: g.occluded,
    })),
  };
}

/**
 * Gene importance for the cohort's samples of a cancer type: mean |attribution| over the first
 * `attributionSamples` (API config) of them with model input, stored for the cohort (null when none has model input).
 */
export function typeGeneImportance(
  context: Context,
  version: ModelVersion,
  cohortId: number,
  cancerType: string,
  target: AttributionTarget,
): Promise<Omit<TypeGeneImportanceRow, 'top'> | null> {
  const heads = context.models.headsOf(version);
  const bound = context.config.attributionSamples;
  const type = cancerType.toUpperCase().replace(/^TCGA-/, ''); // as cohortSamplesOfCancerType matches it
  const key = `geneImportance/${version.id}/${heads?.id ?? ''}/${target}/${type}/${bound}`;
  return storedModelAnswer(context, cohortId, key, version, async () => {
    const ids = await cohortSamplesOfCancerType(context.db, cohortId, cancerType);
    const used: TargetAttributions[] = [];
    for (const id of ids) {
      if (used.length === bound) break;
      const answer = await sampleAttributions(context, version, id);
      if (answer) used.push(targetOf(version, answer, target));
    }
    if (used.length === 0) return null;
    const ranking = meanAbsoluteAttribution(used).map((g, i) => ({
      rank: i + 1,
      ensemblId: g.gene,
      meanAbsAttribution: g.meanAbs,
      meanAttribution: g.meanSigned,
    }));
    return {
      cancerType,
      target,
      model: version,
      samplesUsed: used.length,
      samplesOfType: ids.length,
      rankedGenes: ranking.length,
      ranking,
    };
  });
}
