// Why the model says so: per-sample gene attributions by occlusion through the learned missing token.
//
// For a profile with measured vocabulary genes M, the heads that answer for it are the head set fitted for M
// (HeadServer.headSetFor: the whole-profile heads, or a panel's). The attribution of gene g in M is that head
// set's output on the whole profile minus its output on the same profile with g given as missing (NaN: the
// encoder reads it as the learned missing level, as masked values in training), the head set held fixed:
//   cancer type: probability of the sample's predicted (closest) type, all genes − g missing;
//   risk:        risk score, all genes − g missing.
// Positive = the gene pushes towards the predicted type (or towards higher risk). The |M| occluded copies
// are embedded together in batches (the model library's passPlan bounds each pass's attention).
import { embed, type InferOptions, type Predictor, type Profile } from '@gexbert/model/gexbert/infer';
import type { NormStats } from '@gexbert/model/gexbert/normalise';
import { predictCancerType } from '@gexbert/model/heads/cancerType';
import type { HeadSet } from '@gexbert/model/heads/headSet';
import { riskScore } from '@gexbert/model/heads/risk';
import type { HeadServer } from '@gexbert/model/heads/serve';

export type AttributionTarget = 'CANCER_TYPE' | 'RISK';

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
  /** The predicted (closest) type whose probability is explained; null for RISK. */
  cancerType: string | null;
  /** Head output with all measured genes. */
  baseline: number;
  /** Every measured vocabulary gene, largest |attribution| first. */
  genes: GeneAttribution[];
}

export interface ProfileAttributions {
  /** Measured vocabulary genes (each occluded once). */
  inputGenes: number;
  /** Measured genes the answering head set was fitted from. */
  headInputGenes: number;
  cancerType: TargetAttributions | null;
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
  const p = predictCancerType(set.cancerType!, embedding).find((c) => c.cancerType === cancerType);
  return p?.probability ?? 0;
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

/**
 * Attributions of every measured vocabulary gene of a profile, for the cancer type and the risk score (null
 * for a target the heads lack); null when the profile measures no vocabulary gene.
 */
export async function attributeProfile(
  model: AttributionModel,
  profile: Profile,
  options: Pick<InferOptions, 'batchSize' | 'attentionBudget'> = {},
): Promise<ProfileAttributions | null> {
  const started = performance.now();
  const base = measuredOnly(model.stats, profile);
  if (base.genes.length === 0) return null;
  const z = model.server.zOf(base);
  const measured: number[] = [];
  for (let v = 0; v < z.length; v++) if (Number.isFinite(z[v]!)) measured.push(v);
  const set = await model.server.headSetFor(measured);
  const copies = [base, ...base.genes.map((_, i) => occlude(base, [i]))];
  const { embeddings } = await embed(model.predictor, model.stats, copies, { ...options, missing: 'token' });
  const closest = set.cancerType ? predictCancerType(set.cancerType, embeddings[0]!)[0]!.cancerType : null;
  const explain = (target: AttributionTarget, cancerType: string | null): TargetAttributions => {
    const baseline = headOutput(set, target, embeddings[0]!, cancerType);
    const genes = base.genes.map((gene, i) => {
      const occluded = headOutput(set, target, embeddings[i + 1]!, cancerType);
      return { gene, value: base.values[i]!, attribution: baseline - occluded, occluded };
    });
    genes.sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution));
    return { target, cancerType, baseline, genes };
  };
  return {
    inputGenes: base.genes.length,
    headInputGenes: set.inputGenes,
    cancerType: set.cancerType ? explain('CANCER_TYPE', closest) : null,
    risk: set.risk ? explain('RISK', null) : null,
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
