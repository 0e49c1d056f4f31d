// A cohort's imputation quality: how well a model restores held-out vocabulary genes from a small panel of
// the most variable ones, against the measured values, with the per-gene training mean as the baseline.
// Samples are compared in the unit the model reads them in: raw counts as log2(CPM + 1), or, through a model
// with RSEM statistics (tcga-33types), RSEM as log2(RSEM + 1) over the genes those statistics cover. A mixed
// cohort is measured in one unit (one panel, one scale): the one most of its samples measuring the panel are
// read in, counts on a tie.
import { type ModelVersion, TCGA_33_MODEL_NAME } from '@gexbert/core/registry/modelVersion';
import { log2OfZ, momentsOf, type NormStats, type Profile, toLog2Cpm } from '@gexbert/model/inference';
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

/** A unit samples are compared in: raw counts (and TPM/FPKM) as log2(CPM + 1), or RSEM as log2(RSEM + 1). */
type ComparedUnit = 'log2cpm' | 'rsem';
const SCALE = { log2cpm: 'LOG2_CPM', rsem: 'LOG2_RSEM' } as const;

/**
 * The genes of an imputation measurement on samples read in `unit`: the vocabulary genes the model has
 * statistics of in that unit (all of them for log2(CPM + 1); for RSEM those of its RSEM statistics), in
 * vocabulary order (most variable first). The first `panelSize` are the input panel, the next (up to
 * `genes`) are restored; as vocabulary indices.
 */
export function imputationGenes(stats: NormStats, unit: ComparedUnit, panelSize: number, genes: number) {
  const mean = momentsOf(stats, unit).mean;
  const read = stats.genes.flatMap((_, v) => (Number.isFinite(mean[v]!) ? [v] : [])); // (genes read in unit)
  if (read.length <= panelSize)
    throw badInput(
      `panelSize is ${panelSize}, but the model reads ${read.length} genes from ${unit === 'rsem' ? 'RSEM' : 'raw counts'}; ask for a smaller panel`,
    );
  return { panel: read.slice(0, panelSize), heldOut: read.slice(panelSize, panelSize + genes) };
}

/** The model inputs of `profiles` restricted to the panel genes they measure (none: not usable). */
function panelInputs(profiles: Profile[], panel: Set<string>) {
  return profiles.map((p) => {
    const keep = p.genes.flatMap((g, i) => (panel.has(g) && Number.isFinite(p.values[i]!) ? [i] : []));
    return {
      genes: keep.map((i) => p.genes[i]!),
      values: Float32Array.from(keep, (i) => p.values[i]!),
      unit: p.unit,
    };
  });
}

/** Profiles that measure the panel, in `unit`, with the panel and held-out genes (null: none does). */
function comparable(stats: NormStats, read: (Profile | null)[], unit: ComparedUnit, sizes: ArgSizes) {
  const profiles = read.filter((p): p is Profile => p !== null && p.unit === unit);
  if (profiles.length === 0) return null;
  const { panel, heldOut } = imputationGenes(stats, unit, sizes.panelSize, sizes.genes);
  const inputs = panelInputs(profiles, new Set(panel.map((v) => stats.genes[v]!)));
  const usable = inputs.flatMap((input, s) => (input.genes.length > 0 ? [s] : []));
  if (usable.length === 0) return null;
  return { unit, heldOut, profiles: usable.map((s) => profiles[s]!), inputs: usable.map((s) => inputs[s]!) };
}

type ArgSizes = ReturnType<typeof withDefaults>;

/** Why a cohort has nothing to compare, naming what would have one. */
function refusal(label: string, panelSize: number, read: (Profile | null)[], stats: NormStats): string {
  const rsem = read.some((p) => p?.unit === 'rsem') && !stats.rsem;
  const why = rsem
    ? ` (its samples stored in RSEM need a model that reads RSEM, such as ${TCGA_33_MODEL_NAME})`
    : '';
  return `${label} has no samples with raw counts measuring the ${panelSize}-gene panel${why}; choose another cohort`;
}

export async function imputationQuality(
  context: Context,
  cohortId: number,
  version: ModelVersion,
  args: ImputationArgs,
): Promise<ResolversTypes['ImputationQuality']> {
  const stats = await context.models.stats(version);
  const sizes = checkArgs(context, args, stats.genes.length);
  const { panelSize } = sizes;
  const reference = await cohortReference(context.db, cohortId);
  if (!reference) throw notFound(`cohort ${cohortId}`);
  const chosen = evenlySpaced(reference.sampleIds, sizes.samples);
  const read = await context.models.profiles(version, chosen);
  // the unit most samples measuring its panel are read in (counts on a tie); RSEM only through a model with
  // RSEM statistics
  const counts = comparable(stats, read, 'log2cpm', sizes);
  const rsem = stats.rsem ? comparable(stats, read, 'rsem', sizes) : null;
  const compared = rsem && rsem.profiles.length > (counts?.profiles.length ?? 0) ? rsem : counts;
  if (!compared) throw badInput(refusal(reference.label, panelSize, read, stats));
  const { unit, heldOut, profiles } = compared;
  const queries = heldOut.map((v) => stats.genes[v]!); // (genes), vocabulary order
  const restored = await context.models.restoreProfiles(version, compared.inputs, queries, 'z');
  const baseline = momentsOf(stats, unit).mean;
  const measuredLog = profiles.map((p) => toLog2Cpm(p.values, p.unit)); // per profile: log2(CPM or RSEM + 1)
  const pairs: GenePairs[] = heldOut.map((v, q) => {
    const out: GenePairs = { measured: [], restored: [], baseline: [] };
    profiles.forEach((profile, k) => {
      const at = profile.genes.indexOf(stats.genes[v]!);
      const measured = at < 0 ? Number.NaN : measuredLog[k]![at]!;
      const value = log2OfZ(stats, v, restored.values[k]![q]!, unit);
      if (!Number.isFinite(measured) || !Number.isFinite(value)) return;
      out.measured.push(measured);
      out.restored.push(value);
      out.baseline.push(baseline[v]!);
    });
    return out;
  });
  const symbols = await context.loaders.gene.loadMany(queries);
  return {
    model: version,
    scale: SCALE[unit],
    panelSize,
    sampleCount: profiles.length,
    genes: queries.map((ensemblId, q) => {
      const row = symbols[q];
      return {
        gene: { rank: heldOut[q]!, ensemblId, symbol: row && !(row instanceof Error) ? row.symbol : null },
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
  // an answer stored before the scale was reported was of count samples (RSEM ones were refused)
  return { ...quality!, scale: quality!.scale ?? 'LOG2_CPM' };
}
