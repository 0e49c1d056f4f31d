// A gene across a cohort (/cohorts/<id>/genes/<gene>?unit=…&split=…&cutoff=…&by=…, lib/genePage.ts): the
// gene named by symbol, previous symbol, Ensembl or Entrez ID; its values by cancer or sample type (violins
// and boxes, n per group, a values table with TSV download) and overall survival split by its expression.
// An unknown gene, an alias of several genes, a gene the cohort does not measure or a bad choice in the URL
// each get a message.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { type ReactNode, Suspense } from 'react';
import { ApiFailure } from '../../../../../components/ApiFailure.tsx';
import { Link } from '../../../../../components/Link.tsx';
import { GeneAcrossCohortDocument, GeneSearchDocument } from '../../../../../generated/graphql.ts';
import { apiRequest } from '../../../../../lib/api.ts';
import { attempt } from '../../../../../lib/attempt.ts';
import { requireUser } from '../../../../../lib/auth.ts';
import { apiSplit, exactMatches, parseGenePageState, scalesOf } from '../../../../../lib/genePage.ts';
import { geneValueRows } from '../../../../../lib/geneValuesTable.ts';
import { recordIdOr404 } from '../../../../../lib/recordId.ts';
import { GeneSearchForm } from '../../GeneSearchForm.tsx';
import { GeneMatchList } from '../GeneMatchList.tsx';
import { GeneControls } from './GeneControls.tsx';
import { GeneDistributionSection } from './GeneDistributionSection.tsx';
import { GeneImportanceLinks, GeneImportanceSection } from './GeneImportanceSection.tsx';
import { GeneSurvivalSection } from './GeneSurvivalSection.tsx';

type Props = {
  params: Promise<{ id: string; gene: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id, gene } = await params;
  return { title: `${decoded(gene)} in cohort ${id}` };
}

function Page(props: { id: string; cohort: string; title: string; children: ReactNode }) {
  return (
    <>
      <p className="breadcrumb">
        <Link href="/cohorts">Cohorts</Link> / <Link href={`/cohorts/${props.id}`}>{props.cohort}</Link> /
        genes / {props.title}
      </p>
      <GeneSearchForm cohortId={props.id} text={props.title} />
      {props.children}
    </>
  );
}

export default async function GenePage({ params, searchParams }: Props) {
  const { id, gene: raw } = await params;
  const text = decoded(raw);
  const query = new URLSearchParams(
    Object.entries(await searchParams).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
  );
  await requireUser(`/cohorts/${encodeURIComponent(id)}/genes/${raw}${query.size > 0 ? `?${query}` : ''}`);
  recordIdOr404(id);
  const { state, problem } = parseGenePageState(Object.fromEntries(query));
  const importance = query.get('importance');
  const found = await attempt(() => apiRequest(GeneSearchDocument, { id, text, first: 20 }));
  if (!found.ok)
    return <ApiFailure what="This gene" message={found.message} unreachable={found.unreachable} />;
  const { cohort, geneSearch } = found.data;
  if (!cohort) notFound();
  const exact = exactMatches(geneSearch);
  if (exact.length !== 1)
    return (
      <Page id={id} cohort={cohort.name} title={text}>
        <h1>{text}</h1>
        <GeneMatchList cohortId={id} text={text} matches={exact.length > 1 ? exact : geneSearch} />
      </Page>
    );
  const gene = exact[0]!.gene;
  const name = gene.symbol ?? gene.ensemblId;
  const scales = scalesOf(cohort.expressionUnits);
  const scale = scales.find((s) => s.param === (state.unit ?? scales[0]?.param));
  const unitProblem =
    scales.length === 0
      ? 'This cohort has no stored expression values.'
      : !scale
        ? `unit must be one this cohort has (${scales.map((s) => s.param).join(', ')}); not "${state.unit}"`
        : null;
  const heading = (
    <h1>
      {name}{' '}
      <span className="muted" data-testid="gene-ids">
        {gene.ensemblId}
        {gene.geneType ? ` · ${gene.geneType.replaceAll('_', ' ')}` : ''}
      </span>
    </h1>
  );
  if (!scale || problem)
    return (
      <Page id={id} cohort={cohort.name} title={name}>
        {heading}
        {scale && <GeneControls state={state} scales={scales} unit={scale.param} />}
        <p role="alert" className="error-box">
          {unitProblem ?? problem}
        </p>
      </Page>
    );
  const result = await attempt(() =>
    apiRequest(GeneAcrossCohortDocument, {
      id,
      gene: gene.ensemblId,
      unit: scale.unit,
      transform: scale.transform,
      split: apiSplit(state.split),
      cutoff: state.split === 'cutoff' ? state.cutoff : null,
    }),
  );
  if (!result.ok)
    return (
      <ApiFailure what={`${name} in this cohort`} message={result.message} unreachable={result.unreachable} />
    );
  if (!result.data.cohort) notFound();
  const rows = geneValueRows(result.data.cohort);
  const column = result.data.cohort.geneValues[0];
  return (
    <Page id={id} cohort={cohort.name} title={name}>
      {heading}
      {column?.gene && (column.gene.entrezIds.length > 0 || column.gene.aliases.length > 0) && (
        <p className="muted">
          {column.gene.entrezIds.length > 0 && `Entrez ID ${column.gene.entrezIds.join(', ')}. `}
          {column.gene.aliases.length > 0 && `Also known as ${column.gene.aliases.join(', ')}.`}
        </p>
      )}
      <GeneControls state={state} scales={scales} unit={scale.param} />
      {rows.length === 0 ? (
        <p className="empty" role="alert" data-testid="gene-not-measured">
          {cohort.name} has no value of {name} as {scale.label}: its samples do not measure this gene in this
          unit{scales.length > 1 ? '; choose another unit' : ''}.
        </p>
      ) : (
        <>
          <GeneDistributionSection rows={rows} gene={name} unitLabel={scale.label} by={state.by} />
          <GeneSurvivalSection
            survival={result.data.cohort.geneSurvival}
            gene={name}
            unitLabel={scale.label}
            split={state.split}
          />
          <section aria-labelledby="importance">
            <h2 id="importance">Model attributions</h2>
            <GeneImportanceLinks
              types={[...new Set(rows.flatMap((r) => (r.cancerType ? [r.cancerType] : [])))].sort()}
              chosen={importance}
              href={(t) => {
                const next = new URLSearchParams(query);
                next.set('importance', t);
                return `/cohorts/${id}/genes/${raw}?${next}#importance`;
              }}
            />
            {importance && (
              <Suspense fallback={<p className="muted">Computing gene attributions for {importance}…</p>}>
                <GeneImportanceSection
                  cohortId={id}
                  gene={gene.ensemblId}
                  name={name}
                  cancerType={importance}
                />
              </Suspense>
            )}
          </section>
        </>
      )}
    </Page>
  );
}
