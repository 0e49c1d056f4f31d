// Gene search within a cohort (/cohorts/<id>/genes?q=…): a single exact match (symbol, Ensembl ID,
// Entrez ID, or an alias of one gene) opens its gene page; otherwise the matches are listed.

import { notFound, redirect } from 'next/navigation';
import { ApiFailure } from '../../../../components/ApiFailure.tsx';
import { Link } from '../../../../components/Link.tsx';
import { GeneSearchDocument } from '../../../../generated/graphql.ts';
import { apiRequest } from '../../../../lib/api.ts';
import { attempt } from '../../../../lib/attempt.ts';
import { requireUser } from '../../../../lib/auth.ts';
import { exactMatches, genePageHref } from '../../../../lib/genePage.ts';
import { recordIdOr404 } from '../../../../lib/recordId.ts';
import { GeneSearchForm } from '../GeneSearchForm.tsx';
import { GeneMatchList } from './GeneMatchList.tsx';

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export const metadata = { title: 'Gene search' };

export default async function GeneSearchPage({ params, searchParams }: Props) {
  const { id } = await params;
  const raw = (await searchParams).q;
  const text = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  await requireUser(`/cohorts/${encodeURIComponent(id)}/genes?q=${encodeURIComponent(text)}`);
  recordIdOr404(id);
  const result = await attempt(() => apiRequest(GeneSearchDocument, { id, text: text || '-', first: 20 }));
  if (!result.ok)
    return <ApiFailure what="The gene search" message={result.message} unreachable={result.unreachable} />;
  const { cohort, geneSearch } = result.data;
  if (!cohort) notFound();
  const exact = exactMatches(geneSearch);
  if (text && exact.length === 1) redirect(genePageHref(id, exact[0]!.gene.ensemblId, {}));
  return (
    <>
      <p className="breadcrumb">
        <Link href="/cohorts">Cohorts</Link> / <Link href={`/cohorts/${id}`}>{cohort.name}</Link> / genes
      </p>
      <h1>Genes in {cohort.name}</h1>
      <GeneSearchForm cohortId={id} text={text} />
      {text ? (
        <GeneMatchList cohortId={id} text={text} matches={geneSearch} />
      ) : (
        <p className="empty">Type a gene symbol, a previous symbol, an Ensembl ID or an Entrez ID.</p>
      )}
    </>
  );
}
