// A cohort's imputation quality: how well a model restores held-out vocabulary genes from a small panel of
// the most variable ones, against the measured values, with the per-gene training mean as the baseline.
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import type { Profile } from '@gexbert/model/inference';
import { pearson as pearsonOf, rmse } from '@gexbert/model/stats';
import type { Context } from '../context.ts';
import { badInput, notFound, parseId } from '../errors.ts';
import type { ResolversTypes } from '../generated/graphql.ts';
import { storedModelAnswer } from '../inference/cohortAnswers.ts';
import { cohortReference } from '../inference/reference.ts';

export interface ImputationArgs {
  model?: string | number | null;
  panelSize?: number | null;
  genes?: number | null;
  samples?: number | null;
}

/** `count` of the IDs, evenly spaced (the first always included): a deterministic spread over the cohort. */
export function evenlySpaced(ids: readonly number[], count: number): number[] {
  if (ids.length <= count) return [...ids];
  return Array.from({ length: count }, (_, i) => ids[Math.floor((i * ids.length) / count)]!);
}

/**
 * Pearson correlation of paired values (the model's, model/src/stats/metrics.ts); null where it is
 * undefined: fewer than 2 pairs, or a constant side (such as the per-gene-mean baseline).
 */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const constant = (v: readonly number[]) => v.every((a) => a === v[0]);
  if (x.length < 2 || constant(x) || constant(y)) return null;
  return pearsonOf(x, y);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Paired (measured, predicted) values of one gene over the samples, per prediction. */
interface GenePairs {
  measured: number[];
  restored: number[];
  baseline: number[];
}

function summary(pairs: GenePairs[], which: 'restored' | 'baseline') {
  const perGene = pairs.flatMap((p) => {
    const r = pearson(p.measured, p[which]);
    return r === null ? [] : [r];
  });
  const measured = pairs.flatMap((p) => p.measured);
  const predicted = pairs.flatMap((p) => p[which]);
  return {
    medianGenePearson: median(perGene),
    overallPearson: pearson(measured, predicted),
    rmse: rmse(measured, predicted),
  };
}

/** The arguments with their defaults (the schema's, for callers outside GraphQL). */
function withDefaults(args: ImputationArgs) {
  return { panelSize: args.panelSize ?? 64, genes: args.genes ?? 200, samples: args.samples ?? 50 };
}

function checkArgs(context: Context, args: ImputationArgs, vocabularySize: number) {
  const { panelSize, genes, samples } = withDefaults(args);
  const { maxImputationSamples, maxImputationGenes } = context.config;
  if (panelSize < 1 || genes < 1 || samples < 1)
    throw badInput('panelSize, genes and samples must each be at least 1');
  if (samples > maxImputationSamples)
    throw badInput(`samples is ${samples}; at most ${maxImputationSamples} may be restored at once`);
  if (genes > maxImputationGenes)
    throw badInput(`genes is ${genes}; at most ${maxImputationGenes} may be restored at once`);
  if (panelSize + genes > vocabularySize)
    throw badInput(
      `panelSize + genes is ${panelSize + genes}, but the model's vocabulary has ${vocabularySize} genes; ask for fewer`,
    );
  return { panelSize, genes, samples };
}

export async function imputationQuality(
  context: Context,
  cohortId: number,
  version: ModelVersion,
  args: ImputationArgs,
): Promise<ResolversTypes['ImputationQuality']> {
  const stats = await context.models.stats(version);
  const { panelSize, genes, samples } = checkArgs(context, args, stats.genes.length);
  const reference = await cohortReference(context.db, cohortId);
  if (!reference) throw notFound(`cohort ${cohortId}`);
  const chosen = evenlySpaced(reference.sampleIds, samples);
  // Measured and restored values are compared on the log2(CPM+1) scale: RSEM-only samples are left out.
  const profiles = (await context.models.profiles(version, chosen)).filter(
    (p): p is Profile => p !== null && p.unit === 'log2cpm',
  );
  const panel = new Set(stats.genes.slice(0, panelSize));
  const heldOut = stats.genes.slice(panelSize, panelSize + genes); // (genes), vocabulary order
  const inputs = profiles.map((p) => {
    const keep = p.genes.flatMap((g, i) => (panel.has(g) && Number.isFinite(p.values[i]!) ? [i] : []));
    return {
      genes: keep.map((i) => p.genes[i]!),
      values: Float32Array.from(keep, (i) => p.values[i]!),
      unit: p.unit,
    };
  });
  const usable = inputs.flatMap((input, s) => (input.genes.length > 0 ? [s] : []));
  if (usable.length === 0)
    throw badInput(
      `${reference.label} has no samples with raw counts measuring the ${panelSize}-gene panel; choose another cohort`,
    );
  const restored = await context.models.restoreProfiles(
    version,
    usable.map((s) => inputs[s]!),
    heldOut,
  );
  const pairs: GenePairs[] = heldOut.map((gene, q) => {
    const rank = panelSize + q;
    const out: GenePairs = { measured: [], restored: [], baseline: [] };
    usable.forEach((s, k) => {
      const profile = profiles[s]!;
      const at = profile.genes.indexOf(gene);
      const measured = at < 0 ? Number.NaN : profile.values[at]!;
      const value = restored.values[k]![q]!;
      if (!Number.isFinite(measured) || !Number.isFinite(value)) return;
      out.measured.push(measured);
      out.restored.push(value);
      out.baseline.push(stats.mean[rank]!);
    });
    return out;
  });
  const symbols = await context.loaders.gene.loadMany(heldOut);
  return {
    model: version,
    panelSize,
    sampleCount: usable.length,
    genes: heldOut.map((ensemblId, q) => {
      const row = symbols[q];
      return {
        gene: { rank: panelSize + q, ensemblId, symbol: row && !(row instanceof Error) ? row.symbol : null },
        pearson: pearson(pairs[q]!.measured, pairs[q]!.restored),
        rmse: pairs[q]!.measured.length > 0 ? rmse(pairs[q]!.measured, pairs[q]!.restored) : null,
      };
    }),
    restored: summary(pairs, 'restored'),
    baseline: summary(pairs, 'baseline'),
  };
}

export async function cohortImputationQuality(
  context: Context,
  cohort: { id: number },
  args: ImputationArgs,
): Promise<ResolversTypes['ImputationQuality']> {
  const version = await context.models.version(args.model == null ? null : parseId(args.model, 'model ID'));
  const { panelSize, genes, samples } = withDefaults(args);
  const key = `imputation/${version.id}/${panelSize}/${genes}/${samples}`;
  const quality = await storedModelAnswer(context, cohort.id, key, version, () =>
    imputationQuality(context, cohort.id, version, args),
  );
  return quality!;
}
