// Gene search for a search box: by symbol, Ensembl ID, NCBI Entrez ID or NCBI alias (exact matches first,
// an alias naming several genes lists them all), then by symbol or Ensembl ID prefix.
import { GENE_COLUMNS } from '@gexbert/core/gene/records';
import type pg from 'pg';
import type { GeneMatchKind } from '../generated/graphql.ts';
import type { GeneRow } from '../rows.ts';
import { genesNamed } from './ncbiNames.ts';

export const MAX_GENE_MATCHES = 50;
const VERSIONED = /^(ENS[A-Z]*G\d+)\.\d+$/i;

export interface GeneMatchRow {
  gene: GeneRow;
  matchedBy: GeneMatchKind;
}

/** Genes named by `text`, best matches first, at most `first`. */
export async function searchGenes(db: pg.Pool, text: string, first: number): Promise<GeneMatchRow[]> {
  const upper = text.trim().toUpperCase().replace(VERSIONED, '$1');
  if (!upper) return [];
  const named = genesNamed(upper);
  const prefix = `${upper.replace(/[\\%_]/g, '\\$&')}%`;
  const { rows } = await db.query<GeneRow>(
    `SELECT ${GENE_COLUMNS} FROM "Gene" g
     WHERE g."ensemblId" = ANY($1::text[]) OR upper(g.symbol) LIKE $2 OR g."ensemblId" LIKE $2
     ORDER BY upper(g.symbol) IS NOT DISTINCT FROM $3 DESC, g."ensemblId" = $3 DESC, g."ensemblId" = ANY($1::text[]) DESC,
       length(g.symbol) NULLS LAST, g.symbol, g.id
     LIMIT $4`,
    [named.ensemblIds, prefix, upper, Math.min(Math.max(first, 1), MAX_GENE_MATCHES)],
  );
  return rows.map((gene) => ({ gene, matchedBy: matchKind(gene, upper, named) }));
}

function matchKind(gene: GeneRow, upper: string, named: ReturnType<typeof genesNamed>): GeneMatchKind {
  if (gene.symbol?.toUpperCase() === upper) return 'SYMBOL';
  if (gene.ensemblId === upper) return 'ENSEMBL';
  if (named.ensemblIds.includes(gene.ensemblId)) return named.entrez ? 'ENTREZ' : 'ALIAS';
  return 'PREFIX';
}
