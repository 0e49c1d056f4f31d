// Why the model says so: per-sample gene attributions by occlusion through the learned missing token.
//
// For a profile with measured vocabulary genes M, the heads that answer for it are the head set fitted for M
// (HeadServer.headSetFor: the whole-profile heads, or a panel's). The attribution of gene g in M is that head
// set's output on the whole profile minus its output on the same profile with g given as missing (NaN: the
// encoder reads it as the learned missing level, as masked values in training), the head set held fixed:
//   cancer type: probability of the sample's predicted (closest) type, all genes − g missing;
//   log-odds:    log(p / (1 − p)) of that type (the probability saturates near 1, so differences vanish),
//   risk:        risk score, all genes − g missing.
// Positive = the gene pushes towards the predicted type (or towards higher risk). The occluded copies are
// embedded together in batches (the model library's passPlan bounds each pass's attention).
//
// Each gene costs one encoder pass (a 1,000-gene profile: 12-17 s on this 2-core machine at load 2-10).
// Screens that hide genes in groups to pick which genes to occlude one at a time were tried and rejected
// (model/EXPERIMENTS.md §16): the effects are spread over many genes and not additive, so even pairs (half
// the passes) found only 2-9 of the exact top 10, and larger groups 0-6.

import type { HeadServer, HeadSet } from '@gexbert/model/heads';
import { predictCancerType, riskScore } from '@gexbert/model/heads';
import type { NormStats } from '@gexbert/model/inference';
import { embed, type InferOptions, type Predictor, type Profile } from '@gexbert/model/inference';

export type AttributionTarget = 'CANCER_TYPE' | 'CANCER_TYPE_LOG_ODDS' | 'RISK';

/** One measured gene's attribution (Ensembl ID; its input value in the profile's unit). */
export interface GeneAttribution {
  gene: string;
  value: number;
  /** Head output with all genes − head output with this gene given as missing. */
  attribution: number;
  /** Head output with this gene given as missing. */
  occluded: number;
}

export interface TargetAttributions {
  target: AttributionTarget;
  /** The predicted (closest) type whose probability (or log-odds) is explained; null for RISK. */
  cancerType: string | null;
  /** Head output with all measured genes. */
  baseline: number;
  /** Every measured vocabulary gene, largest |attribution| first. */
  genes: GeneAttribution[];
}

export interface ProfileAttributions {
  /** Measured vocabulary genes. */
  inputGenes: number;
  /** Measured genes the answering head set was fitted from. */
  headInputGenes: number;
  cancerType: TargetAttributions | null;
  cancerTypeLogOdds: TargetAttributions | null;
  risk: TargetAttributions | null;
  /** Wall-clock milliseconds of the forward passes and heads. */
  ms: number;
}

/** What attribution runs on: a loaded model's predictor and normalisation, and its head server. */
export interface AttributionModel {
  predictor: Predictor;
  stats: NormStats;
  server: HeadServer;
}

/** The head set's output for a target on one embedding (`cancerType` = the class whose probability is read). */
export function headOutput(
  set: HeadSet,
  target: AttributionTarget,
  embedding: ArrayLike<number>,
  cancerType: string | null,
): number {
  if (target === 'RISK') return riskScore(set.risk!, embedding);
  const probabilities = predictCancerType(set.cancerType!, embedding);
  const p = probabilities.find((c) => c.cancerType === cancerType)?.probability ?? 0;
  if (target === 'CANCER_TYPE') return p;
  // log(p / (1 − p)) with 1 − p summed over the other types, which keeps its precision as p nears 1
  let rest = 0;
  for (const c of probabilities) if (c.cancerType !== cancerType) rest += c.probability;
  return Math.log(Math.max(p, Number.MIN_VALUE)) - Math.log(Math.max(rest, Number.MIN_VALUE));
}

/** The profile's measured genes only (NaN values dropped: absent, as the heads' predictions leave them out). */
function measuredOnly(stats: NormStats, profile: Profile): Profile {
  const known = new Set(stats.genes);
  const keep = profile.genes.flatMap((g, i) =>
    known.has(g) && Number.isFinite(profile.values[i]!) ? [i] : [],
  );
  return {
    genes: keep.map((i) => profile.genes[i]!),
    values: Float32Array.from(keep, (i) => profile.values[i]!),
    unit: profile.unit,
  };
}

/** The profile with gene `at` given as missing. */
export function occlude(profile: Profile, at: readonly number[]): Profile {
  const values = profile.values.slice();
  for (const i of at) values[i] = Number.NaN;
  return { ...profile, values };
}

/** Every attribution target, in the order the API lists them. */
export const ATTRIBUTION_TARGETS: readonly AttributionTarget[] = [
  'CANCER_TYPE',
  'CANCER_TYPE_LOG_ODDS',
  'RISK',
];

/**
 * Attributions of every measured vocabulary gene of a profile, for the cancer type (probability and
 * log-odds) and the risk score (null for a target the heads lack); null when the profile measures no
 * vocabulary gene.
 */
export async function attributeProfile(
  model: AttributionModel,
  profile: Profile,
  options: Pick<InferOptions, 'batchSize' | 'attentionBudget'> & {
    /** Hears how many measured genes are occluded (embedded) of how many: first 0, then after each pass. */
    onProgress?: (genesDone: number, genesTotal: number) => Promise<void>;
  } = {},
): Promise<ProfileAttributions | null> {
  const started = performance.now();
  const base = measuredOnly(model.stats, profile);
  if (base.genes.length === 0) return null;
  const { onProgress, ...infer } = options;
  const genesTotal = base.genes.length;
  await onProgress?.(0, genesTotal);
  const z = model.server.zOf(base);
  const measured: number[] = [];
  for (let v = 0; v < z.length; v++) if (Number.isFinite(z[v]!)) measured.push(v);
  const set = await model.server.headSetFor(measured);
  const copies = [base, ...base.genes.map((_, i) => occlude(base, [i]))];
  const { embeddings } = await embed(model.predictor, model.stats, copies, {
    ...infer,
    missing: 'token',
    // the first copy is the whole profile, each other one a gene occluded
    ...(onProgress ? { onPass: (done: number) => onProgress(Math.max(0, done - 1), genesTotal) } : {}),
  });
  const [whole, ...occluded] = embeddings;
  const closest = set.cancerType ? predictCancerType(set.cancerType, whole!)[0]!.cancerType : null;
  const targets = ATTRIBUTION_TARGETS.filter((t) => (t === 'RISK' ? set.risk : set.cancerType));
  const typeOf = (t: AttributionTarget) => (t === 'RISK' ? null : closest);
  const baseline = new Map(targets.map((t) => [t, headOutput(set, t, whole!, typeOf(t))]));
  const explain = (target: AttributionTarget): TargetAttributions => {
    const cancerType = typeOf(target);
    const all = baseline.get(target)!;
    const genes = base.genes.map((gene, i) => {
      const without = headOutput(set, target, occluded[i]!, cancerType);
      return { gene, value: base.values[i]!, attribution: all - without, occluded: without };
    });
    genes.sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution));
    return { target, cancerType, baseline: all, genes };
  };
  const of = (t: AttributionTarget) => (targets.includes(t) ? explain(t) : null);
  return {
    inputGenes: base.genes.length,
    headInputGenes: set.inputGenes,
    cancerType: of('CANCER_TYPE'),
    cancerTypeLogOdds: of('CANCER_TYPE_LOG_ODDS'),
    risk: of('RISK'),
    ms: performance.now() - started,
  };
}

/** Gene importance over several samples' attributions: mean |attribution| per gene, largest first. */
export function meanAbsoluteAttribution(
  perSample: readonly TargetAttributions[],
): { gene: string; meanAbs: number; meanSigned: number; samples: number }[] {
  const sums = new Map<string, { abs: number; signed: number; n: number }>();
  for (const s of perSample)
    for (const g of s.genes) {
      const e = sums.get(g.gene) ?? { abs: 0, signed: 0, n: 0 };
      e.abs += Math.abs(g.attribution);
      e.signed += g.attribution;
      e.n++;
      sums.set(g.gene, e);
    }
  return [...sums.entries()]
    .map(([gene, e]) => ({ gene, meanAbs: e.abs / e.n, meanSigned: e.signed / e.n, samples: e.n }))
    .sort((a, b) => b.meanAbs - a.meanAbs);
}

/** The target's attributions of an answer; null when the heads lack the target's head. */
export function targetAttributions(
  answer: ProfileAttributions,
  target: AttributionTarget,
): TargetAttributions | null {
  return {
    CANCER_TYPE: answer.cancerType,
    CANCER_TYPE_LOG_ODDS: answer.cancerTypeLogOdds,
    RISK: answer.risk,
  }[target];
}
