// The two groups' expression as one genes x samples matrix for the differential tests: raw counts (voom) or
// log values. Log values of count-like units come from the one log2(CPM + 1) definition
// (model/src/gexbert/inference/normalise.ts toLog2Cpm): raw counts with the library size over the whole profile, RSEM,
// TPM and FPKM as log2(x + 1); stored log2 units are taken as they are. Count units are filtered as edgeR
// users do: a gene is kept when its CPM (whole-profile library size) exceeds `minCpm` in at least
// `minSamples` samples.
import { toLog2Cpm } from '@gexbert/model/inference';
import type pg from 'pg';
import { type Profile, readProfiles } from '../expression/store.ts';
import { type ExpressionUnit, LOG2_UNITS, NORMALISED_UNITS } from '../formats/types.ts';
import { ComparisonInputError, type ResolvedGroup } from './groups.ts';

export type ValueScale = 'counts' | 'log';

/** Units read as log2(x + 1) (values per million already); units stored as log2 values are LOG2_UNITS. */
const PER_MILLION_UNITS: ReadonlySet<ExpressionUnit> = new Set(NORMALISED_UNITS);

export interface GeneFilter {
  /** Restrict to these Ensembl IDs (default: every gene all the samples measure). */
  genes?: readonly string[];
  /** Count units: CPM threshold (default 1) and how many samples must exceed it (default min(10, smaller group)). */
  minCpm?: number;
  minSamples?: number;
}

export interface GroupExpression {
  /** Ensembl IDs of the rows. */
  genes: string[];
  /** Gene-major, genes.length * samples.length. */
  values: Float64Array;
  /** The compared samples, group A's first; `inB[j]` says which group sample j is in. */
  sampleIds: number[];
  inB: boolean[];
  /** Samples of each group left out for having no profile in the unit. */
  withoutValues: [number, number];
  /** Genes measured by every sample, and how many of them passed the filter. */
  genesMeasured: number;
  minCpm: number | null;
  minSamples: number | null;
}

/** Refuses a unit the scale cannot be made from (voom needs raw counts). */
export function checkUnit(unit: ExpressionUnit, scale: ValueScale, method: string): void {
  if (scale === 'counts' && unit !== 'RAW_COUNT')
    throw new ComparisonInputError(
      `${method} models raw read counts; ${unit} values cannot be used (ask for unit RAW_COUNT, or use LIMMA, WELCH or WILCOXON on log values)`,
    );
  if (scale === 'log' && unit !== 'RAW_COUNT' && !PER_MILLION_UNITS.has(unit) && !LOG2_UNITS.has(unit))
    throw new ComparisonInputError(`${unit} values cannot be compared`);
}

/** Reads both groups' profiles in `unit` and lays out the filtered genes x samples matrix. */
export async function readGroupExpression(
  db: pg.Pool,
  groups: readonly [ResolvedGroup, ResolvedGroup],
  unit: ExpressionUnit,
  scale: ValueScale,
  filter: GeneFilter = {},
): Promise<GroupExpression> {
  const read = await Promise.all(groups.map((g) => readProfiles(db, g.sampleIds, unit)));
  const profiles: Profile[] = [];
  const inB: boolean[] = [];
  const withoutValues: [number, number] = [0, 0];
  read.forEach((list, k) => {
    for (const p of list) {
      if (p) {
        profiles.push(p);
        inB.push(k === 1);
      } else withoutValues[k]!++;
    }
    const n = list.length - withoutValues[k]!;
    if (n < 2)
      throw new ComparisonInputError(
        `group ${k === 0 ? 'A' : 'B'} (${groups[k]!.label}) has ${n} sample(s) with ${unit} values; at least 2 are needed`,
      );
  });
  const positions = commonGenes(profiles, filter.genes);
  const counts = unit === 'RAW_COUNT';
  const smaller = Math.min(...[false, true].map((b) => inB.filter((x) => x === b).length));
  const minCpm = counts ? (filter.minCpm ?? 1) : null;
  const minSamples = counts ? (filter.minSamples ?? Math.min(10, smaller)) : null;
  const kept = counts
    ? keepExpressed(profiles, positions.at, minCpm!, minSamples!)
    : keepMeasured(profiles, positions.at, inB);
  const columns = profiles.map((p) => (scale === 'counts' ? p.values : logValues(p, unit)));
  const n = profiles.length;
  const values = new Float64Array(kept.length * n);
  kept.forEach((g, row) => {
    for (let j = 0; j < n; j++) values[row * n + j] = columns[j]![positions.at[j]![g]!]!;
  });
  return {
    genes: kept.map((g) => positions.genes[g]!),
    values,
    sampleIds: profiles.map((p) => p.sampleId),
    inB,
    withoutValues,
    genesMeasured: positions.genes.length,
    minCpm,
    minSamples,
  };
}

/** One profile on the log scale: log2(CPM + 1) of counts, log2(x + 1) of per-million units, log units as stored. */
function logValues(profile: Profile, unit: ExpressionUnit): ArrayLike<number> {
  if (LOG2_UNITS.has(unit)) return profile.values;
  return toLog2Cpm(Float32Array.from(profile.values), unit === 'RAW_COUNT' ? 'counts' : 'cpm');
}

/**
 * The genes every profile measures (in the first profile's order), optionally only `wanted`; `at[j][g]` is
 * where gene g sits in profile j.
 */
function commonGenes(profiles: readonly Profile[], wanted?: readonly string[]) {
  const byLayout = new Map<number, Map<string, number>>();
  for (const p of profiles)
    if (!byLayout.has(p.layoutId)) byLayout.set(p.layoutId, new Map(p.genes.map((g, i) => [g, i])));
  const only = wanted ? new Set(wanted) : null;
  const layouts = [...byLayout.values()];
  const genes = profiles[0]!.genes.filter((g) => (!only || only.has(g)) && layouts.every((l) => l.has(g)));
  if (genes.length === 0)
    throw new ComparisonInputError(
      wanted
        ? 'none of the genes asked for is measured in every sample of both groups'
        : 'the groups share no gene',
    );
  // one position array per layout, shared by its profiles
  const positions = new Map<number, Int32Array>();
  for (const [layoutId, layout] of byLayout)
    positions.set(
      layoutId,
      Int32Array.from(genes, (g) => layout.get(g)!),
    );
  return { genes, at: profiles.map((p) => positions.get(p.layoutId)!) };
}

/** Genes (indices into the common genes) whose CPM exceeds minCpm in at least minSamples profiles. */
function keepExpressed(
  profiles: readonly Profile[],
  at: readonly Int32Array[],
  minCpm: number,
  minSamples: number,
): number[] {
  const nGenes = at[0]!.length;
  const above = new Int32Array(nGenes);
  profiles.forEach((p, j) => {
    let library = 0;
    for (const v of p.values) if (Number.isFinite(v)) library += v;
    if (library <= 0) return;
    const threshold = (minCpm * library) / 1e6;
    const where = at[j]!;
    for (let g = 0; g < nGenes; g++) if (p.values[where[g]!]! > threshold) above[g]!++;
  });
  const kept: number[] = [];
  for (let g = 0; g < nGenes; g++) if (above[g]! >= minSamples) kept.push(g);
  if (kept.length === 0)
    throw new ComparisonInputError(
      `no gene has more than ${minCpm} CPM in at least ${minSamples} samples; lower minCpm or minSamples`,
    );
  return kept;
}

/** Genes with a value in at least two samples of each group and not the same value everywhere. */
function keepMeasured(
  profiles: readonly Profile[],
  at: readonly Int32Array[],
  inB: readonly boolean[],
): number[] {
  const kept: number[] = [];
  const nGenes = at[0]!.length;
  for (let g = 0; g < nGenes; g++) {
    const finite = [0, 0];
    let first = Number.NaN;
    let varies = false;
    profiles.forEach((p, j) => {
      const v = p.values[at[j]![g]!]!;
      if (!Number.isFinite(v)) return;
      finite[inB[j] ? 1 : 0]!++;
      if (Number.isNaN(first)) first = v;
      else if (v !== first) varies = true;
    });
    if (finite[0]! >= 2 && finite[1]! >= 2 && varies) kept.push(g);
  }
  if (kept.length === 0)
    throw new ComparisonInputError('no gene has values in at least two samples of each group');
  return kept;
}
