// The comparison's genes, a page at a time from the API, sorted by any column (header links) with cursor
// pages, all in the URL; the TSV link downloads every tested gene in the chosen order.
import { Link } from '../../components/Link.tsx';
import { SortableHeader } from '../../components/SortableHeader.tsx';
import type { CompareGroupsQuery } from '../../generated/graphql.ts';
import {
  type CompareState,
  compareQuery,
  GENE_COLUMNS,
  geneHref,
  PAGE_SIZES,
  sortedBy,
} from '../../lib/comparison.ts';
import { formatPValue } from '../../lib/format.ts';

type Comparison = CompareGroupsQuery['compareGroups'];

export function GeneTableSection(props: { comparison: Comparison; state: CompareState }) {
  const { state } = props;
  const genes = props.comparison.genes;
  if (!genes) return null;
  const href = (s: CompareState) => `/compare${compareQuery(s)}#genes`;
  const offset = genes.pageInfo.hasPreviousPage ? state.offset : 0;
  const shown = genes.nodes.length;
  const first = { ...state, after: null, offset: 0 };
  return (
    <section aria-labelledby="genes" className="table-block" data-testid="gene-table">
      <div className="table-head">
        <h2 id="genes">Genes</h2>
        <div className="actions">
          <span>Rows per page:</span>
          {PAGE_SIZES.map((size) => (
            <Link
              key={size}
              href={href({ ...first, size })}
              aria-current={size === state.size ? 'true' : undefined}
            >
              {size}
            </Link>
          ))}
          <a
            className="button-link"
            href={`/compare/genes.tsv${compareQuery({ ...first, size: 25 })}`}
            download
          >
            TSV
          </a>
        </div>
      </div>
      <div className="table-scroll">
        <table>
          <SortableHeader
            columns={GENE_COLUMNS}
            sort={state.sort}
            descending={state.descending}
            hrefFor={(param) => href(sortedBy(state, param))}
          />
          <tbody>
            {genes.nodes.map((g) => {
              return (
                <tr key={g.gene.ensemblId}>
                  <td>
                    <Link href={geneHref(state.a.cohort!, g.gene.ensemblId)} title={g.gene.ensemblId}>
                      {g.gene.symbol ?? g.gene.ensemblId}
                    </Link>
                  </td>
                  <td className="num">{g.logFC.toFixed(3)}</td>
                  <td className="num">{g.aveExpr.toFixed(3)}</td>
                  <td className="num">{g.statistic === null ? '–' : g.statistic.toFixed(3)}</td>
                  <td className="num">{g.pValue === null ? '–' : formatPValue(g.pValue)}</td>
                  <td className="num" data-value={String(g.adjPValue)}>
                    {g.adjPValue === null ? '–' : formatPValue(g.adjPValue)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Gene pages">
        {genes.pageInfo.hasPreviousPage ? (
          <Link href={href(first)}>First</Link>
        ) : (
          <span aria-disabled="true">First</span>
        )}
        <span aria-live="polite" data-testid="gene-pager-status">
          Genes {shown ? offset + 1 : 0}–{offset + shown} of {genes.totalCount}
        </span>
        {genes.pageInfo.hasNextPage ? (
          <Link href={href({ ...state, after: genes.pageInfo.endCursor, offset: offset + shown })}>Next</Link>
        ) : (
          <span aria-disabled="true">Next</span>
        )}
      </nav>
    </section>
  );
}
