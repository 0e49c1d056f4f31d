// A comparison's genes sorted and cut into cursor pages: the cursor is the position in the sorted order,
// so a page never skips or repeats a gene for a given order (a stored result never changes).
import type { GeneDifference } from '@gexbert/core/comparison/compareGroups';
import type { GeneDifferenceOrder } from '../generated/graphql.ts';
import { connection, type PageLimits, pageRequest } from '../pagination.ts';
import type { Connection } from '../rows.ts';

type Key = (g: GeneDifference) => number | string | null;

const KEYS: Record<GeneDifferenceOrder['field'], Key> = {
  P_VALUE: (g) => g.pValue,
  ADJ_P_VALUE: (g) => g.adjPValue,
  LOG_FC: (g) => g.logFC,
  ABS_LOG_FC: (g) => Math.abs(g.logFC),
  AVE_EXPR: (g) => g.aveExpr,
  STATISTIC: (g) => g.statistic,
  SYMBOL: (g) => g.symbol,
};

const missing = (v: number | string | null) => v === null || (typeof v === 'number' && !Number.isFinite(v));

/** The genes in `order`: missing values last in both directions, ties by Ensembl ID. */
export function sortGenes(genes: readonly GeneDifference[], order: GeneDifferenceOrder): GeneDifference[] {
  const key = KEYS[order.field];
  const sign = order.direction === 'DESC' ? -1 : 1;
  return genes
    .map((g) => ({ g, k: key(g) }))
    .sort((x, y) => {
      const mx = missing(x.k);
      const my = missing(y.k);
      if (mx !== my) return mx ? 1 : -1;
      if (!mx && x.k !== y.k) return sign * (x.k! < y.k! ? -1 : 1);
      return x.g.ensemblId < y.g.ensemblId ? -1 : x.g.ensemblId > y.g.ensemblId ? 1 : 0;
    })
    .map(({ g }) => g);
}

/** One page of the sorted genes. */
export function genePage(
  genes: readonly GeneDifference[],
  args: { first?: number | null; after?: string | null; orderBy?: GeneDifferenceOrder | null },
  limits: PageLimits,
): Connection<GeneDifference> {
  const page = pageRequest('GeneDifference', args, limits);
  const sorted = sortGenes(genes, args.orderBy ?? { field: 'P_VALUE', direction: 'ASC' });
  const rows = sorted.slice(page.afterId, page.afterId + page.first + 1).map((node, i) => ({
    node,
    position: page.afterId + i + 1,
  }));
  const built = connection('GeneDifference', page, rows, genes.length, (r) => r.position);
  return {
    ...built,
    edges: built.edges.map((e) => ({ cursor: e.cursor, node: e.node.node })),
    nodes: built.nodes.map((n) => n.node),
  };
}
