// The promotion gate: a retrained model replaces the active one only if, on the fixed validation set, it is
// not worse on any metric both can be measured on:
//   restorationLoss     mask a seeded subset (15%) of each validation sample's measured genes (genes in both
//                       vocabularies; the same masks for both models), restore them, MSE in z units of the
//                       active model's normalisation (one scale for both); lower is better.
//   cancerTypeAccuracy  each model's cancer-type head, fitted on the same training samples (the candidate's
//                       snapshot), top-1 accuracy on the labelled validation samples; higher is better.
//   riskConcordance     each model's risk head (same training samples), Harrell's C on the validation
//                       samples with overall survival, when they have at least MIN_EVENTS deaths.
// Tolerance t: the candidate is worse when its loss > active × (1 + t), or a score < active − t.
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { fitHeads, type ModelRuntime, sampleProfiles } from '@gexbert/core/inference/modelRuntime';
import { type SampleLabels, sampleLabels } from '@gexbert/core/sample/records';
import type { ModelHeads } from '@gexbert/model/heads';
import { MIN_EVENTS, predictCancerType, riskScore } from '@gexbert/model/heads';
import { embed, type Profile, restore, vocabularyIndex } from '@gexbert/model/inference';
import { Rng } from '@gexbert/model/random';
import { concordance } from '@gexbert/model/survival';
import type pg from 'pg';

export const GATE_MASK_FRACTION = 0.15;
export const GATE_SEED = 20_240_601;

export interface GateMetrics {
  restorationLoss: number | null;
  cancerTypeAccuracy: number | null;
  riskConcordance: number | null;
}

export interface GateCheck {
  metric: keyof GateMetrics;
  candidate: number | null;
  active: number | null;
  worse: boolean;
}

export interface GateRecord {
  decision: 'PROMOTED' | 'HELD';
  reason: string;
  comparedWith: { id: number; name: string } | null;
  validationSamples: number;
  maskedValues: number;
  maskFraction: number;
  seed: number;
  tolerance: number;
  /** How many training samples the compared heads were fitted on. */
  headsFittedOn: number;
  candidate: GateMetrics;
  active: GateMetrics | null;
  checks: GateCheck[];
  evaluatedAt: string;
}

/** Per validation sample, the genes to mask: a seeded subset of the measured genes of `genes`. */
function chooseMasks(ids: readonly number[], profiles: (Profile | null)[], genes: ReadonlySet<string>) {
  return ids.map((id, i) => {
    const p = profiles[i];
    if (!p) return [];
    const measured = p.genes.filter((g, k) => genes.has(g) && Number.isFinite(p.values[k]!));
    const k = Math.max(1, Math.round(measured.length * GATE_MASK_FRACTION));
    if (measured.length < 2) return [];
    const order = Int32Array.from(measured, (_, j) => j);
    const n = new Rng(GATE_SEED, `gate/${id}`).sampleInPlace(order, k);
    return [...order.subarray(0, n)].map((j) => measured[j]!).sort();
  });
}

/** Mean squared restoration error over the masked values, in z units of `reference` sd. */
async function restorationLoss(
  runtime: ModelRuntime,
  pool: pg.Pool,
  ids: readonly number[],
  masks: string[][],
  reference: ModelRuntime,
): Promise<{ loss: number | null; values: number }> {
  const profiles = await sampleProfiles(pool, runtime.stats, ids);
  const refIndex = vocabularyIndex(reference.stats);
  let sum = 0;
  let n = 0;
  for (const [i, masked] of masks.entries()) {
    const p = profiles[i];
    // Restoration is compared on the log2(CPM+1) scale: RSEM-only samples (unit rsem) are not scored here.
    if (p?.unit !== 'log2cpm' || masked.length === 0) continue;
    const hide = new Set(masked);
    const truth = new Map<string, number>();
    const values = Float32Array.from(p.values, (v, k) => {
      if (!hide.has(p.genes[k]!)) return v;
      truth.set(p.genes[k]!, v);
      return Number.NaN; // given as missing: the level masked values get in training
    });
    const out = await restore(runtime.predictor, runtime.stats, [{ ...p, values }], masked, {
      unit: 'log2cpm',
    });
    for (const [q, gene] of out.genes.entries()) {
      const sd = reference.stats.sd[refIndex.get(gene)!]!;
      const restored = out.values[0]![q]!;
      if (!(sd > 0) || !Number.isFinite(restored)) continue;
      sum += ((restored - truth.get(gene)!) / sd) ** 2;
      n++;
    }
  }
  return { loss: n > 0 ? sum / n : null, values: n };
}

/** Accuracy and concordance of the whole-profile heads on the validation samples' embeddings. */
async function downstream(
  runtime: ModelRuntime,
  { full: heads }: ModelHeads,
  pool: pg.Pool,
  ids: readonly number[],
  labels: Map<number, SampleLabels>,
): Promise<Pick<GateMetrics, 'cancerTypeAccuracy' | 'riskConcordance'>> {
  const profiles = await sampleProfiles(pool, runtime.stats, ids);
  const usable = ids.flatMap((id, i) => (profiles[i] ? [{ id, p: profiles[i]! }] : []));
  const { embeddings, reports } = await embed(
    runtime.predictor,
    runtime.stats,
    usable.map((u) => u.p),
  );
  let correct = 0;
  let typed = 0;
  const time: number[] = [];
  const event: (0 | 1)[] = [];
  const score: number[] = [];
  for (const [i, { id }] of usable.entries()) {
    const l = labels.get(id);
    if (!l || reports[i]!.inputGenes === 0) continue;
    if (heads.cancerType && l.cancerType) {
      typed++;
      if (predictCancerType(heads.cancerType, embeddings[i]!)[0]!.cancerType === l.cancerType) correct++;
    }
    if (heads.risk && l.osDays !== null && l.osDays > 0 && l.osEvent !== null) {
      time.push(l.osDays);
      event.push(l.osEvent === 1 ? 1 : 0);
      score.push(riskScore(heads.risk, embeddings[i]!));
    }
  }
  const events = event.filter((e) => e === 1).length;
  return {
    cancerTypeAccuracy: typed > 0 ? correct / typed : null,
    riskConcordance:
      events >= MIN_EVENTS ? concordance({ time, event }, score, { reverse: true }).concordance : null,
  };
}

function compare(candidate: GateMetrics, active: GateMetrics, tolerance: number): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const metric of ['restorationLoss', 'cancerTypeAccuracy', 'riskConcordance'] as const) {
    const c = candidate[metric];
    const a = active[metric];
    if (a === null && c === null) continue;
    let worse: boolean;
    if (a === null) worse = false;
    else if (c === null) worse = true;
    else if (metric === 'restorationLoss') worse = c > a * (1 + tolerance);
    else worse = c < a - tolerance;
    checks.push({ metric, candidate: c, active: a, worse });
  }
  return checks;
}

export interface GateInput {
  pool: pg.Pool;
  prisma: PrismaClient;
  candidate: ModelRuntime;
  /** The active model, or null when none is active (the candidate is then promoted). */
  active: ModelRuntime | null;
  trainingSampleIds: readonly number[];
  validationSampleIds: readonly number[];
  tolerance: number;
  /** Fit the heads on simulated training samples too (only when the run asked for them). */
  includeSimulated?: boolean;
  log?: (line: string) => void;
}

/** Evaluates the gate; also returns the candidate's heads (fitted on its training samples). */
export async function evaluateGate(
  input: GateInput,
): Promise<{ gate: GateRecord; candidateHeads: ModelHeads }> {
  const { pool, candidate, active, validationSampleIds: ids } = input;
  const started = Date.now();
  const lap = (what: string) =>
    input.log?.(`gate: ${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const fitOptions = { includeSimulated: input.includeSimulated === true };
  const candidateHeads = await fitHeads(candidate, pool, input.trainingSampleIds, fitOptions);
  await candidate.releaseSessions();
  lap('candidate heads fitted');
  const labels = await sampleLabels(input.prisma, ids);
  const reference = active ?? candidate;
  const shared = new Set(
    active
      ? candidate.stats.genes.filter((g) => vocabularyIndex(active.stats).has(g))
      : candidate.stats.genes,
  );
  const masks = chooseMasks(ids, await sampleProfiles(pool, reference.stats, ids), shared);
  // One model's working memory at a time: each step's sessions are released after it, since
  // onnxruntime's arenas keep the largest batch a session ran (the heads' calibration restores).
  const measure = async (runtime: ModelRuntime, heads: ModelHeads) => {
    const r = await restorationLoss(runtime, pool, ids, masks, reference);
    const metrics = { restorationLoss: r.loss, ...(await downstream(runtime, heads, pool, ids, labels)) };
    await runtime.releaseSessions();
    return { metrics, values: r.values };
  };
  const cand = await measure(candidate, candidateHeads);
  lap('candidate measured');
  const base = {
    comparedWith: active ? { id: active.version.id, name: active.version.name } : null,
    validationSamples: ids.length,
    maskedValues: cand.values,
    maskFraction: GATE_MASK_FRACTION,
    seed: GATE_SEED,
    tolerance: input.tolerance,
    headsFittedOn: input.trainingSampleIds.length,
    candidate: cand.metrics,
    evaluatedAt: new Date().toISOString(),
  };
  if (!active) {
    return {
      gate: { ...base, decision: 'PROMOTED', reason: 'no model was active', active: null, checks: [] },
      candidateHeads,
    };
  }
  // The active model's heads are only scored here (downstream reads their whole-profile head set) and never
  // stored: no intervals on restored values are calibrated for them (about 70% of a heads fit).
  const activeHeads = await fitHeads(active, pool, input.trainingSampleIds, {
    ...fitOptions,
    intervals: 'none',
  });
  await active.releaseSessions();
  lap('active heads fitted');
  const act = await measure(active, activeHeads);
  lap('active measured');
  const checks = compare(cand.metrics, act.metrics, input.tolerance);
  const worse = checks.filter((c) => c.worse).map((c) => c.metric);
  const gate: GateRecord = {
    ...base,
    active: act.metrics,
    checks,
    decision: worse.length === 0 && checks.length > 0 ? 'PROMOTED' : 'HELD',
    reason:
      checks.length === 0
        ? 'no metric could be measured on the validation set'
        : worse.length === 0
          ? `not worse than ${active.version.name} on ${checks.map((c) => c.metric).join(', ')}`
          : `worse than ${active.version.name} on ${worse.join(', ')}`,
  };
  return { gate, candidateHeads };
}
