// The cohort dashboard's figures from one CohortDashboard request (shared by React's cache within a page
// render): the headline figures, and composition with survival by cancer type. Each is its own section
// under Suspense, so the page streams its heading at once and the model panels' requests run beside this
// one instead of after it.

import { cache } from 'react';
import { SectionFailure } from '../../../components/SectionFailure.tsx';
import { Stats } from '../../../components/Stats.tsx';
import { CohortDashboardDocument } from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import { samplesByCancerType, samplesBySampleType, survivalCoverage } from '../../../lib/cohortFigures.ts';
import { formatInt, formatPercent, formatPValue } from '../../../lib/format.ts';
import { CompositionSection } from './CompositionSection.tsx';
import { SurvivalSection } from './SurvivalSection.tsx';

/** The cohort's CohortDashboard answer, requested once per page render however many sections ask. */
export const loadCohortDashboard = cache((id: string) =>
  attempt(async () => (await apiRequest(CohortDashboardDocument, { id })).cohort),
);

export async function CohortStats(props: { cohortId: string }) {
  const result = await loadCohortDashboard(props.cohortId);
  if (!result.ok) return <SectionFailure what="The cohort's figures" message={result.message} />;
  if (!result.data) return null;
  const cohort = result.data;
  const coverage = survivalCoverage(cohort.survival);
  const bySampleType = samplesBySampleType(cohort.composition);
  const logRank = cohort.survival.logRank;
  return (
    <Stats
      label="Cohort figures"
      items={[
        { label: 'samples', value: formatInt(cohort.sampleCount), testId: 'cohort-sample-count' },
        { label: 'cancer types', value: String(samplesByCancerType(cohort.composition).length) },
        {
          label: 'tumour / normal samples',
          value: `${bySampleType.get('TUMOR') ?? 0} / ${bySampleType.get('NORMAL') ?? 0}`,
        },
        {
          label: `patients with survival (${formatPercent(coverage.withSurvival, coverage.patients)})`,
          value: `${coverage.withSurvival} of ${coverage.patients}`,
        },
        { label: 'log-rank p across cancer types', value: logRank ? formatPValue(logRank.pValue) : '–' },
      ]}
    />
  );
}

/** Composition and survival by cancer type. */
export async function CohortComposition(props: { cohortId: string }) {
  const result = await loadCohortDashboard(props.cohortId);
  if (!result.ok) return <SectionFailure what="The cohort's figures" message={result.message} />;
  if (!result.data) return null;
  return (
    <>
      <CompositionSection rows={result.data.composition} />
      <SurvivalSection cohortId={props.cohortId} survival={result.data.survival} />
    </>
  );
}
