// A comparison's gene row as TSV cells (the table's columns plus the Ensembl ID), shared by the page and its
// TSV download.
import type { GeneDifferencePageFragment } from '../../generated/graphql.ts';
import type { Cell } from '../../lib/tsv.ts';

export type GeneRow = GeneDifferencePageFragment['nodes'][number];

export const GENE_TSV_HEADER = [
  'ensembl_id',
  'symbol',
  'log2_fold_change',
  'average_expression',
  'statistic',
  'p_value',
  'adjusted_p_value',
];

export function geneCells(g: GeneRow): Cell[] {
  return [g.gene.ensemblId, g.gene.symbol, g.logFC, g.aveExpr, g.statistic, g.pValue, g.adjPValue];
}
