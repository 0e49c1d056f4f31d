// A heatmap of a gene list across a cohort's samples (/cohorts/<id>/heatmap?genes=…, lib/heatmapPage.ts):
// typed or pasted genes, or the top genes of a comparison; rows and columns clustered (average linkage on the
// row z-scores, by the API), tracks of cancer type, the active model's stored predicted type and risk group
// and chosen clinical attributes; SVG / PNG of the figure and the matrix as TSV.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ApiFailure } from '../../../../components/ApiFailure.tsx';
import { Link } from '../../../../components/Link.tsx';
import { PlotFrame } from '../../../../components/PlotFrame.tsx';
import { HeatmapPlot } from '../../../../components/plots/HeatmapPlot.tsx';
import { HeatmapChoicesDocument } from '../../../../generated/graphql.ts';
import { apiRequest } from '../../../../lib/api.ts';
import { attempt } from '../../../../lib/attempt.ts';
import { requireUser } from '../../../../lib/auth.ts';
import { formatInt } from '../../../../lib/format.ts';
import { scalesOf } from '../../../../lib/genePage.ts';
import { loadHeatmap } from '../../../../lib/heatmapData.ts';
import { valueScale, zScale } from '../../../../lib/heatmapFigure.ts';
import { heatmapHref, parseHeatmapState } from '../../../../lib/heatmapPage.ts';
import { recordIdOr404 } from '../../../../lib/recordId.ts';
import { HeatmapControls } from './HeatmapControls.tsx';

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Heatmap of cohort ${(await params).id}` };
}

export default async function HeatmapPage({ params, searchParams }: Props) {
  const { id } = await params;
  const { state, problem } = parseHeatmapState(await searchParams);
  await requireUser(heatmapHref(id, state));
  recordIdOr404(id);
  const choices = await attempt(() => apiRequest(HeatmapChoicesDocument, { id }));
  if (!choices.ok)
    return <ApiFailure what="This heatmap" message={choices.message} unreachable={choices.unreachable} />;
  const cohort = choices.data.cohort;
  if (!cohort) notFound();
  const scales = scalesOf(cohort.expressionUnits);
  const scale = scales.find((s) => s.param === (state.unit ?? scales[0]?.param));
  const asked = state.genes.length > 0 || state.comparison !== null;
  const shown = scale && asked && !problem ? await attempt(() => loadHeatmap(id, state, scale)) : null;
  const heatmap = shown?.ok ? shown.data.cohort?.heatmap : null;
  // a comparison's genes are shown by name, so the list reads (and edits) as typed
  const genes =
    heatmap && state.comparison
      ? [...heatmap.genes.map((g) => g.symbol ?? g.ensemblId), ...heatmap.unknown]
      : state.genes;
  const answered = (n: number, of: number) =>
    n === of
      ? `for all ${formatInt(of)} samples`
      : `for ${formatInt(n)} of the ${formatInt(of)} samples so far (the worker answers the rest after each import)`;
  const predicted = (name: string) =>
    heatmap?.tracks.find((t) => t.name === name)?.values.filter((v) => v !== null).length ?? 0;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/cohorts">Cohorts</Link> / <Link href={`/cohorts/${id}`}>{cohort.name}</Link> / heatmap
      </p>
      <h1>Heatmap of {cohort.name}</h1>
      {scales.length > 0 && (
        <HeatmapControls
          state={state}
          genes={genes}
          scales={scales}
          unit={scale?.param ?? scales[0]!.param}
          attributes={cohort.clinicalAttributes.map((a) => a.name)}
        />
      )}
      {(problem || !scale) && (
        <p role="alert" className="error-box">
          {problem ??
            (scales.length === 0
              ? 'This cohort has no stored expression values.'
              : `unit must be one this cohort has (${scales.map((s) => s.param).join(', ')}); not "${state.unit}"`)}
        </p>
      )}
      {!asked && !problem && (
        <p className="empty">Type or paste genes above, or open a comparison's top genes from its page.</p>
      )}
      {shown && !shown.ok && (
        <p role="alert" className="error-box" data-testid="heatmap-error">
          The heatmap could not be made: {shown.message}
        </p>
      )}
      {heatmap && scale && (
        <section aria-labelledby="heatmap-title">
          <h2 id="heatmap-title" className="visually-hidden">
            The heatmap
          </h2>
          {(heatmap.unknown.length > 0 || heatmap.notMeasured.length > 0) && (
            <p className="muted" data-testid="heatmap-left-out">
              {heatmap.unknown.length > 0 && `Not a known gene: ${heatmap.unknown.join(', ')}. `}
              {heatmap.notMeasured.length > 0 &&
                `No value as ${scale.label} in these samples: ${heatmap.notMeasured.join(', ')}.`}
            </p>
          )}
          <p data-testid="heatmap-summary">
            {heatmap.genes.length} genes × {formatInt(heatmap.sampleIds.length)} samples
            {heatmap.sampled
              ? ` — an even sample of the ${formatInt(heatmap.cohortSamples)} samples with values (every ${(heatmap.cohortSamples / heatmap.sampleIds.length).toFixed(1)}th in ID order), so clustering stays quick`
              : ''}
            ; {scale.label}, clustered in {Math.round(heatmap.clusterMs)} ms.
            {state.tracks.some((t) => t === 'predictedType' || t === 'riskGroup') &&
              (heatmap.model
                ? ` Predicted type and risk group (low/high at the median of the shown samples' risk scores): ${heatmap.model.name}'s predictions, ${answered(Math.max(predicted('predictedType'), predicted('riskGroup')), heatmap.sampleIds.length)}.`
                : ' No model is active, so the predicted type and risk group tracks are empty.')}
          </p>
          {heatmap.genes.length === 0 ? (
            <p className="empty">None of these genes has values in this cohort.</p>
          ) : (
            <PlotFrame
              title={`Heatmap of ${cohort.name}`}
              testId="heatmap"
              caption={
                <>
                  Colour:{' '}
                  {state.colour === 'z' ? 'each gene’s z-score across the shown samples' : scale.label}; grey:
                  no value. {state.cluster !== 'none' && 'Average linkage on '}
                  {state.cluster !== 'none' &&
                    (state.distance === 'pearson' ? '1 − Pearson' : 'Euclidean distance')}
                  {state.cluster !== 'none' && ' of the row z-scores.'}{' '}
                  <a
                    href={heatmapHref(id, { ...state, genes }, 'heatmap/matrix.tsv')}
                    download
                    data-testid="heatmap-tsv"
                  >
                    Matrix as TSV
                  </a>
                </>
              }
            >
              <HeatmapPlot
                title={`Heatmap of ${cohort.name}`}
                scale={state.colour === 'z' ? zScale() : valueScale(heatmap.values, scale.label)}
                data={{
                  rowLabels: heatmap.genes.map((g) => g.symbol ?? g.ensemblId),
                  columnLabels: heatmap.barcodes,
                  values: state.colour === 'z' ? heatmap.zScores : heatmap.values,
                  rowDendrogram: heatmap.rowDendrogram ?? null,
                  columnDendrogram: heatmap.columnDendrogram ?? null,
                  tracks: heatmap.tracks,
                }}
              />
            </PlotFrame>
          )}
        </section>
      )}
    </>
  );
}
