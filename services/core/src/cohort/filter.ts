// A cohort's filter: which samples it holds, by cancer type, sample type, clinical attribute conditions and
// gene expression thresholds (e.g. ESR1 > 10 log2 CPM). Validated with zod (CohortFilterError names the field
// and the fix); evaluated against the database: cancer type, sample type and clinical conditions as one SQL
// WHERE clause over "Sample" s JOIN "Patient" p, each expression threshold on one gene's values read
// column-wise (its stored slices, never whole profiles) for the samples the SQL part kept.
//
// Semantics (every condition must hold):
// - a clinical condition holds only for a sample whose patient has the attribute (a missing value never
//   matches, NOT_IN included); comparisons (GT, GE, LT, LE) take NUMERIC attributes, IN / NOT_IN any attribute
//   (compared as the stored text);
// - an expression threshold compares the gene's value in its unit after its transform: by default raw counts
//   as log2(CPM + 1) (library size = the sample's whole raw-count profile). A sample with no value of the gene
//   in that unit (e.g. stored only as RSEM or log2 values, or a profile without the gene) does not match; the
//   evaluation says how many samples were left out that way, per threshold. To filter samples stored in another
//   unit, give that unit (transform NONE).
import type pg from 'pg';
import { z } from 'zod';
import { EXPRESSION_UNITS, type ExpressionUnit } from '../formats/types.ts';
import { type AttributeType, attributeTypes, NUMBER_PATTERN } from './attributes.ts';

export const SAMPLE_TYPES = ['TUMOR', 'NORMAL', 'CONTROL', 'OTHER'] as const;
export const COMPARISONS = ['GT', 'GE', 'LT', 'LE'] as const;
export const CLINICAL_OPERATORS = ['IN', 'NOT_IN', ...COMPARISONS] as const;
export const TRANSFORMS = ['NONE', 'LOG2_CPM'] as const;
type Comparison = (typeof COMPARISONS)[number];
const SQL_COMPARISON: Record<Comparison, string> = { GT: '>', GE: '>=', LT: '<', LE: '<=' };

/** Limits that keep one filter a reasonable request. */
export const FILTER_LIMITS = { values: 1000, clinical: 50, expression: 20 } as const;

const text = z.string().trim().min(1, 'must not be empty').max(200, 'must have at most 200 characters');

const clinicalCondition = z
  .object({
    attribute: text,
    op: z.enum(CLINICAL_OPERATORS),
    values: z.array(text).min(1).max(FILTER_LIMITS.values).nullish(),
    value: z.number().finite().nullish(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const list = c.op === 'IN' || c.op === 'NOT_IN';
    if (list && (c.values == null || c.value != null))
      ctx.addIssue({
        code: 'custom',
        message: `${c.op} takes \`values\` (a list of categories), not \`value\``,
      });
    if (!list && (c.value == null || c.values != null))
      ctx.addIssue({ code: 'custom', message: `${c.op} takes \`value\` (a number), not \`values\`` });
  })
  .transform(
    ({ attribute, op, values, value }): ClinicalCondition =>
      op === 'IN' || op === 'NOT_IN' ? { attribute, op, values: values! } : { attribute, op, value: value! },
  );

/** A condition on a clinical attribute: one of categories (IN / NOT_IN) or a comparison with a number. */
export type ClinicalCondition =
  | { attribute: string; op: 'IN' | 'NOT_IN'; values: string[] }
  | { attribute: string; op: Comparison; value: number };

const expressionCondition = z
  .object({
    gene: text,
    op: z.enum(COMPARISONS),
    value: z.number().finite(),
    unit: z.enum(EXPRESSION_UNITS).nullish(),
    transform: z.enum(TRANSFORMS).nullish(),
  })
  .strict()
  .transform((c, ctx) => {
    const unit: ExpressionUnit = c.unit ?? 'RAW_COUNT';
    const transform = c.transform ?? (unit === 'RAW_COUNT' ? 'LOG2_CPM' : 'NONE');
    if (transform === 'LOG2_CPM' && unit !== 'RAW_COUNT')
      ctx.addIssue({
        code: 'custom',
        message: `LOG2_CPM takes raw counts (unit RAW_COUNT), not ${unit}; use transform NONE`,
      });
    return { gene: c.gene, op: c.op, value: c.value, unit, transform };
  });

export const cohortFilterSchema = z
  .object({
    cancerTypes: z
      .array(text.transform((t) => t.toUpperCase().replace(/^TCGA-/, '')))
      .max(FILTER_LIMITS.values)
      .nullish(),
    sampleTypes: z.array(z.enum(SAMPLE_TYPES)).nullish(),
    clinical: z.array(clinicalCondition).max(FILTER_LIMITS.clinical).nullish(),
    expression: z.array(expressionCondition).max(FILTER_LIMITS.expression).nullish(),
  })
  .strict()
  .transform((f) => ({
    cancerTypes: f.cancerTypes?.length ? [...new Set(f.cancerTypes)] : [],
    sampleTypes: f.sampleTypes?.length ? [...new Set(f.sampleTypes)] : [],
    clinical: f.clinical ?? [],
    expression: f.expression ?? [],
  }));

/** A validated filter (empty lists = no condition of that kind). */
export type CohortFilter = z.output<typeof cohortFilterSchema>;
export type ExpressionCondition = CohortFilter['expression'][number];

/** A filter that cannot be used: the message names the field and what to do. */
export class CohortFilterError extends Error {
  override name = 'CohortFilterError';
}

/** The filter, validated (CohortFilterError naming `where` and the field otherwise). */
export function parseCohortFilter(input: unknown, where = 'filter'): CohortFilter {
  const parsed = cohortFilterSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : `${s}.${String(p)}`),
    where,
  );
  throw new CohortFilterError(`${at}: ${issue.message}`);
}

/** What the filter's gene thresholds need from the caller: gene lookup and one gene's values over samples. */
export interface GeneValueSource {
  /** The stored gene a query names (symbol, alias, Ensembl or Entrez ID), or null when unknown. */
  gene(query: string): Promise<{ id: number; ensemblId: string; symbol: string | null } | null>;
  /** The gene's values over `members` in the unit after the transform: the members with a stored value. */
  column(
    geneId: number,
    scale: { unit: ExpressionUnit; transform: (typeof TRANSFORMS)[number] },
    members: readonly number[],
  ): Promise<{ sampleIds: number[]; values: (number | null)[] }>;
}

/** One expression threshold's outcome over the samples the other conditions kept. */
export interface ThresholdOutcome {
  condition: ExpressionCondition;
  ensemblId: string;
  symbol: string | null;
  /** Samples considered (those that passed every earlier condition). */
  considered: number;
  /** Of those, samples with no value of the gene in the unit: left out. */
  withoutValue: number;
  /** Samples that passed. */
  passed: number;
}

export interface FilterResult {
  /** Matching sample IDs, ascending. */
  sampleIds: number[];
  thresholds: ThresholdOutcome[];
}

/** The SQL part of the filter (all but the expression thresholds), over "Sample" s JOIN "Patient" p. */
export function filterWhereSql(
  filter: CohortFilter,
  types: ReadonlyMap<string, AttributeType>,
  params: unknown[],
): string {
  const where: string[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filter.cancerTypes.length) where.push(`p."cancerType" = ANY(${param(filter.cancerTypes)}::text[])`);
  if (filter.sampleTypes.length)
    where.push(`s."sampleType"::text = ANY(${param(filter.sampleTypes)}::text[])`);
  filter.clinical.forEach((c, i) => {
    const type = types.get(c.attribute);
    if (!type) {
      const known = [...types.keys()];
      throw new CohortFilterError(
        `filter.clinical[${i}].attribute: no stored clinical attribute is named ${JSON.stringify(c.attribute)}; ` +
          (known.length
            ? `the stored ones are ${known.join(', ')}`
            : 'no clinical table has been ingested (gexbert ingest clinical)'),
      );
    }
    const value = `(p.clinical ->> ${param(c.attribute)})`;
    if ('values' in c)
      where.push(`${value} ${c.op === 'IN' ? '= ANY' : '<> ALL'}(${param(c.values)}::text[])`);
    else {
      if (type !== 'NUMERIC')
        throw new CohortFilterError(
          `filter.clinical[${i}]: ${c.attribute} is ${type.toLowerCase()}, so ${c.op} cannot compare it; use IN or NOT_IN with its values`,
        );
      where.push(
        `(CASE WHEN ${value} ~ ${param(NUMBER_PATTERN)} THEN ${value}::float8 END) ${SQL_COMPARISON[c.op]} ${param(c.value)}::float8`,
      );
    }
  });
  return where.length ? where.join(' AND ') : 'TRUE';
}

/** The samples matching the filter (see the file comment for what each condition means). */
export async function evaluateFilter(
  db: pg.Pool,
  filter: CohortFilter,
  genes: GeneValueSource,
): Promise<FilterResult> {
  const types = filter.clinical.length ? await attributeTypes(db) : new Map<string, AttributeType>();
  const params: unknown[] = [];
  const where = filterWhereSql(filter, types, params);
  // raw SQL: the filter compiles to SQL conditions over "Sample" s JOIN "Patient" p
  const { rows } = await db.query<{ id: number }>(
    `SELECT s.id FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE ${where} ORDER BY s.id`,
    params,
  );
  let sampleIds = rows.map((r) => r.id);
  const thresholds: ThresholdOutcome[] = [];
  for (const [i, condition] of filter.expression.entries()) {
    const gene = await genes.gene(condition.gene);
    if (!gene)
      throw new CohortFilterError(
        `filter.expression[${i}].gene: no stored gene is named ${JSON.stringify(condition.gene)}; give an HGNC symbol, alias, Ensembl or Entrez ID`,
      );
    const column = await genes.column(gene.id, condition, sampleIds);
    const passes = compare(condition.op, condition.value);
    const kept = column.sampleIds.filter((_, k) => column.values[k] != null && passes(column.values[k]!));
    const withValue = column.values.filter((v) => v != null).length;
    thresholds.push({
      condition,
      ensemblId: gene.ensemblId,
      symbol: gene.symbol,
      considered: sampleIds.length,
      withoutValue: sampleIds.length - withValue,
      passed: kept.length,
    });
    const keep = new Set(kept);
    sampleIds = sampleIds.filter((id) => keep.has(id));
  }
  return { sampleIds, thresholds };
}

function compare(op: Comparison, threshold: number): (v: number) => boolean {
  switch (op) {
    case 'GT':
      return (v) => v > threshold;
    case 'GE':
      return (v) => v >= threshold;
    case 'LT':
      return (v) => v < threshold;
    case 'LE':
      return (v) => v <= threshold;
  }
}

/** A filter in words, e.g. "cancer type ACC or UVM; ESR1 > 10 log2 CPM" (for lists and descriptions). */
export function describeFilter(filter: CohortFilter): string {
  const parts: string[] = [];
  if (filter.cancerTypes.length) parts.push(`cancer type ${filter.cancerTypes.join(' or ')}`);
  if (filter.sampleTypes.length)
    parts.push(`sample type ${filter.sampleTypes.map((t) => t.toLowerCase()).join(' or ')}`);
  for (const c of filter.clinical)
    parts.push(
      'values' in c
        ? `${c.attribute} ${c.op === 'IN' ? 'is' : 'is not'} ${c.values.join(' or ')}`
        : `${c.attribute} ${symbol(c.op)} ${c.value}`,
    );
  for (const e of filter.expression)
    parts.push(`${e.gene} ${symbol(e.op)} ${e.value} ${e.transform === 'LOG2_CPM' ? 'log2 CPM' : e.unit}`);
  return parts.length ? parts.join('; ') : 'all samples';
}

const symbol = (op: Comparison) => ({ GT: '>', GE: '≥', LT: '<', LE: '≤' })[op];
