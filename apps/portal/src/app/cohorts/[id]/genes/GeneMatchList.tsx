// The genes a search text matched, each linking to its gene page in the cohort, with how it matched.
import { Link } from '../../../../components/Link.tsx';
import type { GeneSearchQuery } from '../../../../generated/graphql.ts';
import { exactMatches, genePageHref } from '../../../../lib/genePage.ts';

type Match = GeneSearchQuery['geneSearch'][number];

const HOW: Record<Match['matchedBy'], string> = {
  SYMBOL: 'symbol',
  ENSEMBL: 'Ensembl ID',
  ENTREZ: 'Entrez ID',
  ALIAS: 'previous or alternative symbol',
  PREFIX: 'starts with',
};

export function GeneMatchList(props: { cohortId: string; text: string; matches: readonly Match[] }) {
  const exact = exactMatches(props.matches);
  if (props.matches.length === 0)
    return (
      <p className="empty" role="alert">
        No gene is called “{props.text}”: no symbol, previous symbol, Ensembl ID or Entrez ID matches it.
      </p>
    );
  return (
    <section aria-labelledby="gene-matches">
      <h2 id="gene-matches">
        {exact.length > 1
          ? `“${props.text}” names ${exact.length} genes`
          : exact.length === 0
            ? `No gene is called “${props.text}”; genes starting with it`
            : `Genes matching “${props.text}”`}
      </h2>
      <ul data-testid="gene-matches">
        {props.matches.map((m) => (
          <li key={m.gene.ensemblId}>
            <Link href={genePageHref(props.cohortId, m.gene.ensemblId, {})}>
              {m.gene.symbol ?? m.gene.ensemblId}
            </Link>{' '}
            <span className="muted">
              {m.gene.ensemblId}
              {m.gene.geneType ? `, ${m.gene.geneType.replaceAll('_', ' ')}` : ''} ({HOW[m.matchedBy]})
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
