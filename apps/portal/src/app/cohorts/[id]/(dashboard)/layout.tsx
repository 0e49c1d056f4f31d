// A cohort's dashboard: headline figures, composition, survival by cancer type, its filter and clinical
// attributes, then its samples (the page, `children`). Model-backed panels, drawn through the active model (a
// note above them names it, and links to /cohorts/<id>/model/<model> when another model knows more of the
// cohort's cancer types): the embedding map, survival by predicted risk groups, and imputation quality. Only the heading is awaited before the page streams: every
// other part is a section under Suspense, so their requests to the API run side by side. It is a layout so that paging, sorting and searching the sample table (search parameters, which
// only the page sees) re-render the table alone, not the model panels. It lives in the (dashboard) route
// group so that pages under a cohort (its gene pages) do not carry the dashboard.

import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { Suspense } from 'react';
import { ApiFailure } from '../../../../components/ApiFailure.tsx';
import { Link } from '../../../../components/Link.tsx';
import { Loading } from '../../../../components/Loading.tsx';
import { SimulatedBadge } from '../../../../components/SimulatedBadge.tsx';
import { CohortHeadingDocument } from '../../../../generated/graphql.ts';
import { apiRequest } from '../../../../lib/api.ts';
import { attempt } from '../../../../lib/attempt.ts';
import { requireUser } from '../../../../lib/auth.ts';
import { recordIdOr404 } from '../../../../lib/recordId.ts';
import { ClinicalPanel } from '../ClinicalPanel.tsx';
import { CohortComposition, CohortStats } from '../CohortFigures.tsx';
import { EmbeddingMapPanel } from '../EmbeddingMapPanel.tsx';
import { ExportSection } from '../ExportSection.tsx';
import { GeneSearchForm } from '../GeneSearchForm.tsx';
import { ImputationPanel } from '../ImputationPanel.tsx';
import { ModelChoiceNote } from '../ModelChoiceNote.tsx';
import { RiskPanel } from '../RiskPanel.tsx';

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Cohort ${(await params).id}` };
}

export default async function CohortLayout({ params, children }: Params & { children: ReactNode }) {
  const { id } = await params;
  await requireUser(`/cohorts/${encodeURIComponent(id)}`);
  recordIdOr404(id);
  const result = await attempt(async () => (await apiRequest(CohortHeadingDocument, { id })).cohort);
  if (!result.ok)
    return <ApiFailure what="This cohort" message={result.message} unreachable={result.unreachable} />;
  if (!result.data) notFound();
  const cohort = result.data;
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
      <Suspense fallback={<Loading what="Counting the cohort's samples and patients…" />}>
        <CohortStats cohortId={id} />
      </Suspense>
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
      <Suspense fallback={<Loading what="Loading the download choices…" />}>
        <ExportSection cohortId={id} />
      </Suspense>
      <Suspense fallback={<Loading what="Drawing composition and survival by cancer type…" />}>
        <CohortComposition cohortId={id} />
      </Suspense>
      <Suspense fallback={<Loading what="Summarising clinical attributes…" />}>
        <ClinicalPanel cohortId={id} />
      </Suspense>
      <Suspense fallback={<Loading what="Checking which models know this cohort's cancer types…" />}>
        <ModelChoiceNote cohortId={id} />
      </Suspense>
      <Suspense fallback={<Loading what="Placing the cohort's samples on the embedding map…" />}>
        <EmbeddingMapPanel cohortId={id} />
      </Suspense>
      <Suspense fallback={<Loading what="Scoring the cohort's risk with GexBERT…" />}>
        <RiskPanel cohortId={id} />
      </Suspense>
      <Suspense fallback={<Loading what="Restoring held-out genes from the 64-gene panel…" />}>
        <ImputationPanel cohortId={id} />
      </Suspense>
      {children}
    </>
  );
}
