// A sample: who it is from (with the patient's clinical attributes), where it was imported from, and its
// measured expression for chosen genes.
// Model-backed panels: predicted cancer type and risk, measured against restored expression, and the genes
// that drove the prediction (?why=CANCER_TYPE|RISK, streamed in: it takes seconds). They are the active
// model's, or with ?model=<id> another registered model's (a note above them says which, and offers a model
// that knows the sample's recorded type when the one drawing them does not).
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { ApiFailure } from '../../../components/ApiFailure.tsx';
import { ClinicalFacts } from '../../../components/ClinicalFacts.tsx';
import { FactsPanel } from '../../../components/FactsPanel.tsx';
import { Link } from '../../../components/Link.tsx';
import { SimulatedBadge } from '../../../components/SimulatedBadge.tsx';
import {
  ChosenModelVocabularyDocument,
  GeneLookupDocument,
  ModelVocabularyDocument,
  SampleDetailDocument,
  SampleModelPanelsDocument,
  SampleTopGenesDocument,
} from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import { requireUser } from '../../../lib/auth.ts';
import { overallSurvival } from '../../../lib/clinical.ts';
import { formatSampleType, formatTimestamp } from '../../../lib/format.ts';
import { parseGeneList, UNITS } from '../../../lib/genes.ts';
import { panelSplit } from '../../../lib/panelGenes.ts';
import { recordIdOr404 } from '../../../lib/recordId.ts';
import { AttributionSection, attributionTarget } from './AttributionSection.tsx';
import { ExpressionSection } from './ExpressionSection.tsx';
import { PredictionSection } from './PredictionSection.tsx';
import { RestorationSection } from './RestorationSection.tsx';
import { SampleModelNote } from './SampleModelNote.tsx';

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ genes?: string; unit?: string; why?: string; model?: string }>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Sample ${(await params).id}` };
}

export default async function SamplePage({ params, searchParams }: Props) {
  const { id } = await params;
  await requireUser(`/samples/${encodeURIComponent(id)}`);
  recordIdOr404(id);
  const query = await searchParams;
  if (query.model !== undefined) recordIdOr404(query.model);
  const asked = parseGeneList(query.genes);
  const askedUnit = UNITS.find((u) => u === query.unit);
  const result = await attempt(async () => {
    const { genesByIds } = await apiRequest(GeneLookupDocument, { ids: asked });
    const known = asked.filter((_, i) => genesByIds[i]);
    const unknown = asked.filter((_, i) => !genesByIds[i]);
    let { sample } = await apiRequest(SampleDetailDocument, {
      id,
      genes: known,
      unit: askedUnit ?? 'RAW_COUNT',
    });
    // Unless a unit is asked for, show the values in the unit they were imported in (e.g. RSEM tables).
    const stored = sample?.import?.unit;
    if (!askedUnit && stored && stored !== 'RAW_COUNT')
      ({ sample } = await apiRequest(SampleDetailDocument, { id, genes: known, unit: stored }));
    const unit = askedUnit ?? stored ?? 'RAW_COUNT';
    // No genes asked for, and the sample measured none of the default ones (a 100-gene RSEM table): show its
    // most expressed genes instead, and say so.
    if (sample && query.genes === undefined && sample.expression.every((v) => v.value === null)) {
      const top = (await apiRequest(SampleTopGenesDocument, { id, unit })).sample?.topGenes ?? [];
      if (top.length > 0) {
        const genes = top.map((v) => v.gene.symbol ?? v.gene.ensemblId);
        return { sample: { ...sample, expression: top }, unknown: [], known: genes, unit, topGenes: true };
      }
    }
    return { sample, unknown, known, unit, topGenes: false };
  });
  if (!result.ok)
    return <ApiFailure what="This sample" message={result.message} unreachable={result.unreachable} />;
  const { sample, unknown, known, unit, topGenes } = result.data;
  if (!sample) notFound();
  // The model-backed panels fail on their own (e.g. no active model) without hiding the measured values.
  const model = await attempt(async () => {
    const chosen = query.model
      ? (await apiRequest(ChosenModelVocabularyDocument, { id: query.model })).model
      : (await apiRequest(ModelVocabularyDocument, {})).activeModel;
    if (query.model && !chosen) throw new Error(`no model has the id ${query.model}`);
    const { panel, heldOut } = panelSplit(chosen?.vocabulary ?? []);
    if (panel.length === 0) throw new Error('no model is active: promote a model version');
    const panels = await apiRequest(SampleModelPanelsDocument, {
      id,
      genes: known,
      panel,
      heldOut,
      model: query.model ?? null,
    });
    return { ...panels, shownModelId: chosen!.id };
  });
  const patient = sample.patient;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/cohorts">Cohorts</Link> / sample {sample.barcode}
      </p>
      <h1 data-testid="sample-barcode">{sample.barcode}</h1>
      {sample.simulated ? (
        <p>
          <SimulatedBadge testId="sample-simulated" /> a synthetic sample from `gexbert simulate` files: it is
          kept out of model training and reference sets.
        </p>
      ) : null}
      <FactsPanel id="facts" title="Sample facts">
        <dt>Sample type</dt>
        <dd>
          {formatSampleType(sample.sampleType)}
          {sample.sampleTypeCode ? ` (code ${sample.sampleTypeCode})` : ''}
        </dd>
        <dt>Aliquot</dt>
        <dd>{sample.aliquotBarcode ?? '–'}</dd>
        <dt>Patient</dt>
        <dd>
          <Link href={`/patients/${encodeURIComponent(patient.barcode)}`}>{patient.barcode}</Link>
        </dd>
        <dt>Cancer type</dt>
        <dd>{patient.cancerType ?? 'unknown'}</dd>
        <dt>Overall survival</dt>
        <dd>{overallSurvival(patient)}</dd>
        <dt>Imported from</dt>
        <dd>
          <Link href="/imports">{sample.import.fileName}</Link> ({sample.import.format},{' '}
          {formatTimestamp(sample.import.finishedAt)})
        </dd>
      </FactsPanel>
      <ClinicalFacts patient={patient} />
      <ExpressionSection
        barcode={sample.barcode}
        values={sample.expression}
        unit={unit}
        units={UNITS}
        genesText={(topGenes ? known : asked).join(', ')}
        unknown={unknown}
        note={
          topGenes
            ? `This sample measured none of the default genes, so its ${known.length} most expressed measured genes are shown.`
            : null
        }
      />
      {model.ok && model.data.sample ? (
        <>
          <SampleModelNote
            id={id}
            params={query}
            recordedType={patient.cancerType ?? null}
            shownModelId={model.data.shownModelId}
          />
          <PredictionSection
            barcode={sample.barcode}
            recordedType={patient.cancerType}
            prediction={model.data.sample.cancerTypePrediction}
            risk={model.data.sample.riskScore}
            modelName={
              model.data.sample.cancerTypePrediction?.model.name ?? model.data.activeModel?.name ?? null
            }
          />
          <RestorationSection
            barcode={sample.barcode}
            chosen={model.data.sample.chosen}
            panel={model.data.sample.panel}
            panelInput={model.data.sample.panelInput}
          />
          {model.data.shownModelId !== model.data.activeModel?.id ? (
            <p className="muted" data-testid="attributions-active-only">
              Gene attributions are computed for the active model only ({model.data.activeModel?.name}): open
              this page without another model to see them.
            </p>
          ) : (
            <Suspense
              fallback={
                <p className="muted" data-testid="attributions-loading">
                  Loading gene attributions…
                </p>
              }
            >
              <AttributionSection id={id} target={attributionTarget(query.why)} />
            </Suspense>
          )}
        </>
      ) : (
        !model.ok && (
          <p role="alert" className="error-text">
            The model's predictions could not be loaded: {model.message}
          </p>
        )
      )}
    </>
  );
}
