// Where the gene ranks in the model's reasons: for a cancer type of the cohort chosen in the URL
// (?importance=<type>), the gene's rank by mean |attribution| for that type's predicted probability over the
// cohort's samples of the type (Cohort.geneImportance; computed once per cohort and type, then stored), with
// the type's top genes. Links choose the type; the answer streams in.
import { Link } from '../../../../../components/Link.tsx';
import { GeneImportanceRankDocument } from '../../../../../generated/graphql.ts';
import { apiRequest } from '../../../../../lib/api.ts';
import { attempt } from '../../../../../lib/attempt.ts';

export function GeneImportanceLinks(props: {
  href: (type: string) => string;
  types: string[];
  chosen: string | null;
}) {
  return (
    <p data-testid="importance-types">
      Where this gene ranks among the model's reasons for the cancer type:{' '}
      {props.types.map((t, i) => (
        <span key={t}>
          {i > 0 ? ' · ' : ''}
          {t === props.chosen ? <strong>{t}</strong> : <Link href={props.href(t)}>{t}</Link>}
        </span>
      ))}
    </p>
  );
}

export async function GeneImportanceSection(props: {
  cohortId: string;
  gene: string;
  name: string;
  cancerType: string;
}) {
  const result = await attempt(() =>
    apiRequest(GeneImportanceRankDocument, {
      id: props.cohortId,
      cancerType: props.cancerType,
      target: 'CANCER_TYPE',
      gene: props.gene,
    }),
  );
  if (!result.ok)
    return (
      <p role="alert" className="error-text">
        The gene importance could not be computed: {result.message}
      </p>
    );
  const imp = result.data.cohort?.geneImportance;
  if (!imp) return <p className="empty">No sample of {props.cancerType} in this cohort has model input.</p>;
  const rank = imp.geneRank;
  return (
    <div data-testid="gene-importance" data-rank={String(rank?.rank ?? '')}>
      <p>
        {rank ? (
          <>
            <strong>{props.name}</strong> ranks <strong>{rank.rank}</strong> of {imp.rankedGenes} genes for{' '}
            {imp.cancerType} (mean |attribution| {rank.meanAbsAttribution.toPrecision(3)}, mean signed{' '}
            {rank.meanAttribution.toPrecision(3)})
          </>
        ) : (
          <>
            <strong>{props.name}</strong> is not among the {imp.rankedGenes} genes the model reads (its
            vocabulary)
          </>
        )}
        , over {imp.samplesUsed} of the cohort's {imp.samplesOfType} {imp.cancerType} samples (
        {imp.model.name}).
      </p>
      <p className="muted">
        Top genes for {imp.cancerType}:{' '}
        {imp.genes
          .map((g) => `${g.gene?.symbol ?? g.ensemblId} (${g.meanAbsAttribution.toPrecision(2)})`)
          .join(', ')}
      </p>
    </div>
  );
}
