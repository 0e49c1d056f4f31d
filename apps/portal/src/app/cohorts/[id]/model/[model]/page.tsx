// A cohort's model panels drawn through one chosen model (/cohorts/<id>/model/<model id>) instead of the active
// one: the embedding map, survival by predicted risk groups and imputation quality, under the note that says
// how much of the cohort that model knows. The dashboard links here when a model knows more of the cohort's
// cancer types than the active model (a pan-cancer cohort with tcga-33types beside tcga-6types).
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { ApiFailure } from '../../../../../components/ApiFailure.tsx';
import { Link } from '../../../../../components/Link.tsx';
import { Loading } from '../../../../../components/Loading.tsx';
import { CohortHeadingDocument, ModelNameDocument } from '../../../../../generated/graphql.ts';
import { apiRequest } from '../../../../../lib/api.ts';
import { attempt } from '../../../../../lib/attempt.ts';
import { requireUser } from '../../../../../lib/auth.ts';
import { modelPanelsHref } from '../../../../../lib/modelChoice.ts';
import { recordIdOr404 } from '../../../../../lib/recordId.ts';
import { EmbeddingMapPanel } from '../../EmbeddingMapPanel.tsx';
import { ImputationPanel } from '../../ImputationPanel.tsx';
import { ModelChoiceNote } from '../../ModelChoiceNote.tsx';
import { RiskPanel } from '../../RiskPanel.tsx';

type Params = { params: Promise<{ id: string; model: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id, model } = await params;
  return { title: `Cohort ${id} through model ${model}` };
}

export default async function CohortModelPage({ params }: Params) {
  const { id, model } = await params;
  await requireUser(modelPanelsHref(id, model));
  recordIdOr404(id);
  recordIdOr404(model);
  const result = await attempt(async () => {
    const [heading, named] = await Promise.all([
      apiRequest(CohortHeadingDocument, { id }),
      apiRequest(ModelNameDocument, { id: model }),
    ]);
    return { cohort: heading.cohort, model: named.model };
  });
  if (!result.ok)
    return <ApiFailure what="This cohort" message={result.message} unreachable={result.unreachable} />;
  const { cohort } = result.data;
  if (!cohort || !result.data.model) notFound();
  const modelName = result.data.model.name;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/cohorts">Cohorts</Link> / <Link href={`/cohorts/${id}`}>{cohort.name}</Link> / through{' '}
        {modelName}
      </p>
      <h1>
        {cohort.name} through {modelName}
      </h1>
      <Suspense fallback={<Loading what="Checking which models know this cohort's cancer types…" />}>
        <ModelChoiceNote cohortId={id} modelId={model} />
      </Suspense>
      <Suspense fallback={<Loading what="Placing the cohort's samples on the embedding map…" />}>
        <EmbeddingMapPanel cohortId={id} model={model} />
      </Suspense>
      <Suspense fallback={<Loading what="Scoring the cohort's risk…" />}>
        <RiskPanel cohortId={id} model={model} />
      </Suspense>
      <Suspense fallback={<Loading what="Restoring held-out genes from the 64-gene panel…" />}>
        <ImputationPanel cohortId={id} model={model} />
      </Suspense>
    </>
  );
}
