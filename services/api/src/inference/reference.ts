// Reference sets for risk percentiles and risk groups: which samples, and percentiles among their scores.
import { cohortWithSampleIds } from '@gexbert/core/cohort/records';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { realSamplesOfCancerType } from '@gexbert/core/sample/records';
import { percentileOfSorted } from '@gexbert/model/heads';
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
  const cohort = await cohortWithSampleIds(db, cohortId);
  return cohort ? { label: `cohort ${JSON.stringify(cohort.name)}`, sampleIds: cohort.sampleIds } : null;
}

/**
 * All real samples of patients with this cancer type (all real samples when it is null): simulated samples
 * (Sample.simulated) never make up a default reference; choose a cohort to compare with them.
 */
export async function cancerTypeReference(
  prisma: PrismaClient,
  cancerType: string | null,
): Promise<ReferenceSet> {
  return {
    label: cancerType === null ? 'all samples' : `cancer type ${cancerType}`,
    sampleIds: await realSamplesOfCancerType(prisma, cancerType),
  };
}
