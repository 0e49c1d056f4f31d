// Gene attributions served by the API: one sample's (stored in SampleAttribution once computed by the model
// holder, its progress meanwhile in SampleAttributionProgress, and kept in memory per API process, model,
// heads and newest import) and a cohort's per-type gene importance (mean
// |attribution| over a bounded number of its samples of the type: core inference/geneImportance.ts), stored
// once for the cohort by the worker's gene-importance job or by the first request (inference/cohortAnswers.ts).
import { loadConfig } from '@gexbert/core/config';
import {
  type AttributionTarget,
  type ProfileAttributions,
  type TargetAttributions,
  targetAttributions,
} from '@gexbert/core/inference/attribution';
import { type AttributionStage, readAttributionProgress } from '@gexbert/core/inference/attributionProgress';
import { cohortFingerprint } from '@gexbert/core/inference/cohortAnswers';
import {
  computeTypeGeneImportance,
  type GeneImportanceEntry,
  type GeneImportanceProgress,
  geneImportanceKey,
  geneImportanceProgress,
  type StoredGeneImportance,
} from '@gexbert/core/inference/geneImportance';
import {
  sampleAttributionsStored,
  storedSampleAttributions,
} from '@gexbert/core/inference/storedAttributions';
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

export type GeneImportanceRow = GeneImportanceEntry;

/** A stored ranking (its `ranking` has every ranked gene; the `genes` field lists the `top`). */
export interface TypeGeneImportanceRow extends StoredGeneImportance {
  model: ModelVersion;
  top: number;
}

interface Kept {
  answer: Promise<ProfileAttributions | null>;
  /** Whether this process has read or computed it. */
  settled: boolean;
}

/** Per API process (its model holder): the sample attributions it has read or is computing. */
const keptBy = new WeakMap<object, Map<string, Kept>>();

function keptOf(context: Context): Map<string, Kept> {
  let kept = keptBy.get(context.models);
  if (!kept) {
    kept = new Map();
    keptBy.set(context.models, kept);
  }
  return kept;
}

const keptKey = (context: Context, version: ModelVersion, sampleId: number) =>
  `${version.id}/${context.models.headsOf(version)?.id}/${context.models.dataVersion}/${sampleId}`;

/**
 * A stored sample's attributions by the version (null without model input): read from SampleAttribution
 * when stored there, else computed (its progress in SampleAttributionProgress) and stored; kept in memory too.
 */
export function sampleAttributions(
  context: Context,
  version: ModelVersion,
  sampleId: number,
): Promise<ProfileAttributions | null> {
  const kept = keptOf(context);
  const headsId = context.models.headsOf(version)?.id ?? '';
  const key = keptKey(context, version, sampleId);
  let entry = kept.get(key);
  if (entry) kept.delete(key);
  else {
    const answer = storedSampleAttributions(
      context.db,
      context.prisma,
      version.id,
      headsId,
      sampleId,
      async (progress) => {
        const [profile] = await context.models.profiles(version, [sampleId]);
        return profile ? context.models.attribute(version, profile, progress) : null;
      },
    );
    const made: Kept = { answer, settled: false };
    answer.then(
      () => {
        made.settled = true;
      },
      () => kept.delete(key),
    );
    entry = made;
  }
  kept.set(key, entry);
  while (kept.size > KEPT) kept.delete(kept.keys().next().value!);
  return entry.answer;
}

export interface AttributionsReadiness {
  /** Stored, or read by this process: `attributions` answers at once. */
  ready: boolean;
  /** Being computed, by this API process or another one, or a worker. */
  computing: boolean;
  /** What the computation is doing (null when none is under way). */
  stage: AttributionStage | null;
  /** While WAITING: the computations ahead of it on the model. */
  computationsAhead: number | null;
  secondsComputing: number | null;
  /** Measured genes occluded so far, of genesTotal (null while unknown). */
  genesDone: number | null;
  genesTotal: number | null;
}

const READY: AttributionsReadiness = {
  ready: true,
  computing: false,
  stage: null,
  computationsAhead: null,
  secondsComputing: null,
  genesDone: null,
  genesTotal: null,
};

/**
 * Whether a sample's attributions can be served at once, or how far their computation has got (the same in
 * every API replica: SampleAttributionProgress); with `start`, a computation under way nowhere is started in
 * the background (its answer is stored, so the next request reads it).
 */
export async function attributionsReadiness(
  context: Context,
  version: ModelVersion,
  sampleId: number,
  start: boolean,
): Promise<AttributionsReadiness> {
  const kept = keptOf(context);
  const entry = kept.get(keptKey(context, version, sampleId));
  if (entry?.settled) return READY;
  const headsId = context.models.headsOf(version)?.id ?? '';
  if (await sampleAttributionsStored(context.prisma, version.id, headsId, sampleId)) return READY;
  const key = { sampleId, modelVersionId: version.id, headsId };
  const progress = await readAttributionProgress(context.db, key);
  if (progress) return { ready: false, computing: true, ...progress };
  const starting: AttributionsReadiness = {
    ready: false,
    computing: true,
    stage: 'STARTING',
    computationsAhead: null,
    secondsComputing: 0,
    genesDone: 0,
    genesTotal: null,
  };
  if (entry) return starting; // started here a moment ago: its progress row is not written yet
  if (!start) return { ...READY, ready: false };
  // The computation claims the progress row before it reads anything: a replica asked a moment later either
  // sees it under way or, asked before the claim, starts a computation that finds the row claimed and waits for
  // this one's answer (core storedSampleAttributions), so the model runs once.
  sampleAttributions(context, version, sampleId).catch(() => {}); // its error is the next request's
  return starting;
}

/** The target's attributions of an answer; MODEL_UNAVAILABLE when the heads lack the target's head. */
export function targetOf(
  version: ModelVersion,
  answer: ProfileAttributions,
  target: AttributionTarget,
): TargetAttributions {
  const t = targetAttributions(answer, target);
  if (!t)
    throw new GraphQLError(
      `model version ${version.id} (${version.name}) has no ${target === 'RISK' ? 'risk' : 'cancer-type'} head to attribute: fit its heads on labelled samples, or choose another model`,
      { extensions: { code: 'MODEL_UNAVAILABLE' } },
    );
  return t;
}

export interface GeneImportanceProgressRow extends GeneImportanceProgress {
  model: ModelVersion;
  rankings: number;
}

/** How far the cohort's rankings by the version's heads have got (null when the cohort does not exist). */
export async function typeGeneImportanceProgress(
  context: Context,
  version: ModelVersion,
  cohortId: number,
): Promise<GeneImportanceProgressRow | null> {
  const heads = context.models.headsOf(version);
  const fingerprint = await cohortFingerprint(context.db, cohortId);
  if (fingerprint === null) return null;
  const progress = await geneImportanceProgress(
    context.db,
    context.prisma,
    cohortId,
    version.id,
    heads?.id ?? '',
    loadConfig().attributionSamples,
    fingerprint,
  );
  // probability and log-odds from the cancer-type head, the risk score from the risk head
  const targets = (heads?.full.cancerType ? 2 : 0) + (heads?.full.risk ? 1 : 0);
  return { ...progress, model: version, rankings: progress.types * targets };
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
 * Gene importance for the cohort's samples of a cancer type (core inference/geneImportance.ts): the answer
 * the worker's gene-importance job stored, else computed here and stored (null when none has model input).
 */
export async function typeGeneImportance(
  context: Context,
  version: ModelVersion,
  cohortId: number,
  cancerType: string,
  target: AttributionTarget,
): Promise<Omit<TypeGeneImportanceRow, 'top'> | null> {
  const headsId = context.models.headsOf(version)?.id ?? '';
  const bound = loadConfig().attributionSamples;
  const key = geneImportanceKey(version.id, headsId, target, cancerType, bound);
  const answer = await storedModelAnswer(context, cohortId, key, version, async () => {
    const value = await computeTypeGeneImportance(
      context.db,
      cohortId,
      cancerType,
      target,
      bound,
      (id) => sampleAttributions(context, version, id),
      (answer) => targetOf(version, answer, target),
    );
    return value && { ...value, model: version };
  });
  return answer && { ...answer, cancerType }; // as asked (the stored one may be spelled otherwise)
}
