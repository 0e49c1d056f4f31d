// Comparing two groups of samples gene by gene: the groups' stored expression (groupExpression.ts) through
// the model library's differential tests (limma moderated t on log values, limma-voom on raw counts with
// TMM, Welch t, Wilcoxon rank-sum), each with Benjamini-Hochberg adjusted p-values. Group A is the
// reference: a positive log fold change is higher in group B.
import { compareGroups as differentialTests } from '@gexbert/model/differential';
import type pg from 'pg';
import type { ExpressionUnit } from '../formats/types.ts';
import { checkUnit, type GeneFilter, readGroupExpression, type ValueScale } from './groupExpression.ts';
import { type GroupSpec, type ResolvedGroup, resolveGroups } from './groups.ts';

export const COMPARISON_METHODS = ['LIMMA', 'VOOM', 'WELCH', 'WILCOXON'] as const;
export type ComparisonMethod = (typeof COMPARISON_METHODS)[number];

/** False discovery rate at which genes are counted as significant in a comparison's summary. */
export const SIGNIFICANT_FDR = 0.05;

export interface ComparisonRequest {
  a: GroupSpec;
  b: GroupSpec;
  method: ComparisonMethod;
  /** Stored unit to read (default RAW_COUNT: counts for VOOM, log2(CPM + 1) for the others). */
  unit?: ExpressionUnit;
  filter?: GeneFilter;
}

export interface GeneDifference {
  ensemblId: string;
  symbol: string | null;
  /** log2 fold change, B minus A. */
  logFC: number;
  /** Mean log expression over both groups. */
  aveExpr: number;
  /** Moderated t (LIMMA, VOOM), Welch t, or Wilcoxon W. */
  statistic: number;
  pValue: number;
  adjPValue: number;
}

export interface GroupSummary {
  label: string;
  /** Samples compared (those with values in the unit). */
  samples: number;
  /** Samples of the group without values in the unit, left out. */
  withoutValues: number;
}

export interface GroupComparison {
  method: ComparisonMethod;
  unit: ExpressionUnit;
  groups: [GroupSummary, GroupSummary];
  /** Genes every compared sample measures, and the filter that chose the tested ones among them. */
  genesMeasured: number;
  minCpm: number | null;
  minSamples: number | null;
  /** One row per tested gene, in the order the store holds them. */
  genes: GeneDifference[];
  /** Genes with adjusted p-value below SIGNIFICANT_FDR. */
  significant: number;
}

const SCALE: Record<ComparisonMethod, ValueScale> = {
  LIMMA: 'log',
  VOOM: 'counts',
  WELCH: 'log',
  WILCOXON: 'log',
};

/** The work a comparison would be (compared samples x genes read), to decide whether it runs as a job. */
export async function comparisonSize(db: pg.Pool, request: ComparisonRequest): Promise<number> {
  checkUnit(request.unit ?? 'RAW_COUNT', SCALE[request.method], request.method);
  const groups = await resolveGroups(db, request.a, request.b);
  // raw SQL: a sum over profiles joined to blocks and layouts, for thousands of samples
  const { rows } = await db.query<{ size: string | null }>(
    `SELECT sum(l."geneCount")::text AS size FROM "ExpressionProfile" p JOIN "ExpressionBlock" b ON b.id = p."blockId"
     JOIN "GeneLayout" l ON l.id = b."layoutId" WHERE p."sampleId" = ANY($1::int[]) AND p.unit = $2`,
    [[...groups[0].sampleIds, ...groups[1].sampleIds], request.unit ?? 'RAW_COUNT'],
  );
  return Number(rows[0]?.size ?? 0);
}

/** Every tested gene's difference between the groups, with the groups' sizes and the filter applied. */
export async function compareSampleGroups(
  db: pg.Pool,
  request: ComparisonRequest,
  onProgress: (done: number, stage: string) => void = () => {},
): Promise<GroupComparison> {
  const unit = request.unit ?? 'RAW_COUNT';
  const scale = SCALE[request.method];
  checkUnit(unit, scale, request.method);
  onProgress(0, 'choosing the samples');
  const groups = await resolveGroups(db, request.a, request.b);
  onProgress(0.1, 'reading expression');
  const data = await readGroupExpression(db, groups, unit, scale, request.filter);
  onProgress(0.6, `testing ${data.genes.length} genes`);
  const result = differentialTests({
    values: data.values,
    groups: data.inB.map((b) => (b ? 'B' : 'A')),
    method: request.method.toLowerCase() as Lowercase<ComparisonMethod>,
    reference: 'A',
    genes: data.genes,
  });
  onProgress(0.95, 'naming the genes');
  const symbols = await symbolsOf(db, data.genes);
  const genes = result.rows.map((r) => ({
    ensemblId: r.gene,
    symbol: symbols.get(r.gene) ?? null,
    logFC: r.logFC,
    aveExpr: r.aveExpr,
    statistic: r.statistic,
    pValue: r.pValue,
    adjPValue: r.adjPValue,
  }));
  onProgress(1, 'done');
  return {
    method: request.method,
    unit,
    groups: [0, 1].map((k) => summary(groups[k]!, data.inB, k === 1, data.withoutValues[k]!)) as [
      GroupSummary,
      GroupSummary,
    ],
    genesMeasured: data.genesMeasured,
    minCpm: data.minCpm,
    minSamples: data.minSamples,
    genes,
    significant: genes.filter((g) => g.adjPValue < SIGNIFICANT_FDR).length,
  };
}

function summary(
  group: ResolvedGroup,
  inB: readonly boolean[],
  b: boolean,
  withoutValues: number,
): GroupSummary {
  return { label: group.label, samples: inB.filter((x) => x === b).length, withoutValues };
}

async function symbolsOf(db: pg.Pool, ensemblIds: readonly string[]): Promise<Map<string, string | null>> {
  // raw SQL: bulk: symbols of every gene a comparison reports (thousands)
  const { rows } = await db.query<{ ensemblId: string; symbol: string | null }>(
    `SELECT "ensemblId", symbol FROM "Gene" WHERE "ensemblId" = ANY($1::text[])`,
    [ensemblIds],
  );
  return new Map(rows.map((r) => [r.ensemblId, r.symbol]));
}
