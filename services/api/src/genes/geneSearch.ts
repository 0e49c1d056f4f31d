// Gene search for a search box: by symbol, Ensembl ID, NCBI Entrez ID or NCBI alias (exact matches first,
// an alias naming several genes lists them all), then by symbol or Ensembl ID prefix.
import { searchGeneRecords } from '@gexbert/core/gene/records';
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
  const rows = await searchGeneRecords(db, {
    ensemblIds: named.ensemblIds,
    text: upper,
    limit: Math.min(Math.max(first, 1), MAX_GENE_MATCHES),
  });
  return rows.map((gene) => ({ gene, matchedBy: matchKind(gene, upper, named) }));
}

function matchKind(gene: GeneRow, upper: string, named: ReturnType<typeof genesNamed>): GeneMatchKind {
  if (gene.symbol?.toUpperCase() === upper) return 'SYMBOL';
  if (gene.ensemblId === upper) return 'ENSEMBL';
  if (named.ensemblIds.includes(gene.ensemblId)) return named.entrez ? 'ENTREZ' : 'ALIAS';
  return 'PREFIX';
}
