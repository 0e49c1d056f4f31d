// The two groups of a comparison: each a cohort's samples, optionally only those of one cancer type and/or
// one sample type (so one cohort split by type is two groups). Resolved to sample IDs and checked: a group
// must hold samples, and no sample may be in both.
import type pg from 'pg';

export const SAMPLE_TYPES = ['TUMOR', 'NORMAL', 'CONTROL', 'OTHER'] as const;
export type SampleTypeName = (typeof SAMPLE_TYPES)[number];

/** One group as asked for. */
export interface GroupSpec {
  cohortId: number;
  cancerType?: string | null;
  sampleType?: SampleTypeName | null;
}

export interface ResolvedGroup {
  spec: GroupSpec;
  /** E.g. `cohort "TCGA", cancer type CHOL`. */
  label: string;
  sampleIds: number[];
}

/** Input the caller can fix (unknown cohort, empty or overlapping groups, unusable unit, ...). */
export class ComparisonInputError extends Error {}

/** The samples of a group in sample ID order; an unknown cohort or a group without samples is an error. */
export async function resolveGroup(db: pg.Pool, spec: GroupSpec, name: string): Promise<ResolvedGroup> {
  // raw SQL: array_agg over a cohort's members, which Prisma cannot express
  const { rows } = await db.query<{ name: string; ids: number[] | null }>(
    `SELECT c.name, array_agg(s.id ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL) AS ids
     FROM "Cohort" c
     LEFT JOIN "CohortSample" cs ON cs."cohortId" = c.id
     LEFT JOIN "Sample" s ON s.id = cs."sampleId" AND ($2::text IS NULL OR s."sampleType"::text = $2)
       AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM "Patient" p WHERE p.id = s."patientId" AND p."cancerType" = $3))
     WHERE c.id = $1 GROUP BY c.name`,
    [spec.cohortId, spec.sampleType ?? null, spec.cancerType ?? null],
  );
  const row = rows[0];
  if (!row) throw new ComparisonInputError(`group ${name}: no cohort with ID ${spec.cohortId}`);
  const label = groupLabel(row.name, spec);
  const sampleIds = row.ids ?? [];
  if (sampleIds.length === 0) throw new ComparisonInputError(`group ${name} (${label}) has no samples`);
  return { spec, label, sampleIds };
}

function groupLabel(cohort: string, spec: GroupSpec): string {
  const parts = [`cohort ${JSON.stringify(cohort)}`];
  if (spec.cancerType) parts.push(`cancer type ${spec.cancerType}`);
  if (spec.sampleType) parts.push(`sample type ${spec.sampleType}`);
  return parts.join(', ');
}

/** Both groups, refused when they share samples (a sample cannot be compared with itself). */
export async function resolveGroups(
  db: pg.Pool,
  a: GroupSpec,
  b: GroupSpec,
): Promise<[ResolvedGroup, ResolvedGroup]> {
  const groupA = await resolveGroup(db, a, 'A');
  const groupB = await resolveGroup(db, b, 'B');
  const inA = new Set(groupA.sampleIds);
  const shared = groupB.sampleIds.filter((id) => inA.has(id));
  if (shared.length > 0)
    throw new ComparisonInputError(
      `the groups overlap: ${shared.length} sample(s) are in both A (${groupA.label}) and B (${groupB.label}); ` +
        'choose groups without common samples, e.g. split one cohort by cancer type or sample type',
    );
  return [groupA, groupB];
}
