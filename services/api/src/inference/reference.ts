// Reference sets for risk percentiles and risk groups: which samples, and percentiles among their scores.
import { percentileOfSorted } from '@gexbert/model/heads/index';
import type pg from 'pg';
import { quantileGroups, type ValueGroups } from '../quantileGroups.ts';

/** Percentile (0..100) of `score` among sorted scores: the share below it, ties counting half. */
export const percentileAmong = percentileOfSorted;

export type RiskGroups = ValueGroups;

/**
 * Splits risks at their median (2 groups) or tertiles (3 groups), quantiles of type 7 as R; a risk above a
 * cut-off goes to the higher group (the rule of model/src/evaluate/survival.ts riskGroupSurvival).
 */
export function riskGroups(risk: readonly number[], scheme: 'median' | 'tertile'): RiskGroups {
  return scheme === 'median'
    ? quantileGroups(risk, [0.5], ['low', 'high'])
    : quantileGroups(risk, [1 / 3, 2 / 3], ['low', 'mid', 'high']);
}

/** A set of samples to compare a sample's risk with. */
export interface ReferenceSet {
  /** Describes the set, e.g. `cohort "TCGA"` or `cancer type ACC`. */
  label: string;
  sampleIds: number[];
}

/**
 * The samples of a cohort (null when it does not exist). An explicitly chosen cohort is taken as it is,
 * simulated samples included.
 */
export async function cohortReference(db: pg.Pool, cohortId: number): Promise<ReferenceSet | null> {
  const { rows } = await db.query<{ name: string; ids: number[] | null }>(
    `SELECT c.name, array_agg(cs."sampleId" ORDER BY cs."sampleId") FILTER (WHERE cs."sampleId" IS NOT NULL) AS ids
     FROM "Cohort" c LEFT JOIN "CohortSample" cs ON cs."cohortId" = c.id WHERE c.id = $1 GROUP BY c.name`,
    [cohortId],
  );
  const row = rows[0];
  return row ? { label: `cohort ${JSON.stringify(row.name)}`, sampleIds: row.ids ?? [] } : null;
}

/**
 * All real samples of patients with this cancer type (all real samples when it is null): simulated samples
 * (Sample.simulated) never make up a default reference; choose a cohort to compare with them.
 */
export async function cancerTypeReference(db: pg.Pool, cancerType: string | null): Promise<ReferenceSet> {
  const { rows } = await db.query<{ id: number }>(
    cancerType === null
      ? `SELECT s.id FROM "Sample" s WHERE NOT s.simulated ORDER BY s.id`
      : `SELECT s.id FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"
         WHERE p."cancerType" = $1 AND NOT s.simulated ORDER BY s.id`,
    cancerType === null ? [] : [cancerType],
  );
  return {
    label: cancerType === null ? 'all samples' : `cancer type ${cancerType}`,
    sampleIds: rows.map((r) => r.id),
  };
}
