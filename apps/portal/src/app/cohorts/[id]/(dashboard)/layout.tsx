// A cohort's dashboard: headline figures, composition, survival by cancer type, its filter and clinical
// attributes, then its samples (the page,
// `children`). Model-backed panels: the embedding map, survival by predicted risk groups, and imputation
// quality. It is a layout so that paging, sorting and searching the sample table (search parameters, which
// only the page sees) re-render the table alone, not the model panels. It lives in the (dashboard) route
// group so that pages under a cohort (its gene pages) do not carry the dashboard.

import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { Suspense } from 'react';
import { ApiFailure } from '../../../../components/ApiFailure.tsx';
import { SimulatedBadge } from '../../../../components/SimulatedBadge.tsx';
import { Stats } from '../../../../components/Stats.tsx';
import { CohortDashboardDocument } from '../../../../generated/graphql.ts';
import { apiRequest } from '../../../../lib/api.ts';
import { attempt } from '../../../../lib/attempt.ts';
import { requireUser } from '../../../../lib/auth.ts';
import { samplesByCancerType, samplesBySampleType, survivalCoverage } from '../../../../lib/cohortFigures.ts';
import { formatInt, formatPercent, formatPValue } from '../../../../lib/format.ts';
import { recordIdOr404 } from '../../../../lib/recordId.ts';
import { ClinicalPanel } from '../ClinicalPanel.tsx';
import { CompositionSection } from '../CompositionSection.tsx';
import { ExportSection } from '../ExportSection.tsx';
import { GeneSearchForm } from '../GeneSearchForm.tsx';
import { ImputationPanel } from '../ImputationPanel.tsx';
import { ModelPanels } from '../ModelPanels.tsx';
import { SurvivalSection } from '../SurvivalSection.tsx';

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Cohort ${(await params).id}` };
}

export default async function CohortLayout({ params, children }: Params & { children: ReactNode }) {
  const { id } = await params;
  await requireUser(`/cohorts/${encodeURIComponent(id)}`);
  recordIdOr404(id);
  const result = await attempt(async () => (await apiRequest(CohortDashboardDocument, { id })).cohort);

  if (!result.ok)
    return <ApiFailure what="This cohort" message={result.message} unreachable={result.unreachable} />;
  if (!result.data) notFound();
  const cohort = result.data;
  const coverage = survivalCoverage(cohort.survival);
  const bySampleType = samplesBySampleType(cohort.composition);
  const logRank = cohort.survival.logRank;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/cohorts">Cohorts</Link> / {cohort.name}
      </p>
      <h1>
        {cohort.name}
        {cohort.simulated ? (
          <>
            {' '}
            <SimulatedBadge testId="cohort-simulated" />
          </>
        ) : null}
      </h1>
      {cohort.description && <p>{cohort.description}</p>}
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
      <GeneSearchForm cohortId={id} />
      <p>
        <Link href={`/compare?a=${id}&method=limma`} data-testid="compare-link">
          Compare two groups gene by gene
        </Link>{' '}
        — this cohort against another, or split by cancer type or sample type.
      </p>
      <p>
        <Link href={`/cohorts/${id}/heatmap`} data-testid="heatmap-link">
          Heatmap of a gene list
        </Link>{' '}
        — typed or pasted genes across this cohort's samples, clustered, with cancer type, prediction and
        clinical tracks.
      </p>
      <Suspense
        fallback={
          <p className="loading" role="status">
            Loading the download choices…
          </p>
        }
      >
        <ExportSection cohortId={id} />
      </Suspense>
      <CompositionSection rows={cohort.composition} />
      <SurvivalSection survival={cohort.survival} />
      <Suspense
        fallback={
          <p className="loading" role="status">
            Summarising clinical attributes…
          </p>
        }
      >
        <ClinicalPanel cohortId={id} patients={coverage.patients} />
      </Suspense>
      <Suspense
        fallback={
          <p className="loading" role="status">
            Embedding the cohort's samples with GexBERT…
          </p>
        }
      >
        <ModelPanels cohortId={id} />
      </Suspense>
      <Suspense
        fallback={
          <p className="loading" role="status">
            Restoring held-out genes from the 64-gene panel…
          </p>
        }
      >
        <ImputationPanel cohortId={id} />
      </Suspense>
      {children}
    </>
  );
}
