// Stored genes as the services read them: by ID through Prisma; by the identifiers people type (Ensembl IDs,
// symbols), by search and in pages in SQL: symbols match case-insensitively over a whole list at once
// (upper(symbol) = ANY) and searches rank matches by case-insensitive comparisons, which Prisma cannot express.
// Genes are written by ingest (store.ts).
import type pg from 'pg';
import { sqlIdPage } from '../db/page.ts';
import type { PrismaClient } from '../db/prisma.ts';

export interface GeneRecord {
  id: number;
  ensemblId: string;
  version: number | null;
  symbol: string | null;
  geneType: string | null;
}

/** A GeneRecord's columns, for SQL over "Gene" g. */
export const GENE_COLUMNS = `g.id, g."ensemblId", g.version, g.symbol, g."geneType"`;

const ENSEMBL = /^(ENS[A-Z]*G\d{6,})(\.\d+)?$/i;

/**
 * The gene each identifier names (null when unknown), in one query: Ensembl IDs (versioned or not) exactly,
 * symbols case-insensitively; a symbol shared by several genes picks the protein-coding one, then the first.
 */
export async function genesByIdentifier(
  db: pg.Pool,
  identifiers: readonly string[],
): Promise<(GeneRecord | null)[]> {
  const keys = identifiers.map((raw) => {
    const text = raw.trim();
    const ensembl = ENSEMBL.exec(text);
    return ensembl ? { ensemblId: ensembl[1]!.toUpperCase() } : { symbol: text.toUpperCase() };
  });
  const ids = keys.flatMap((k) => (k.ensemblId ? [k.ensemblId] : []));
  const symbols = keys.flatMap((k) => (k.symbol ? [k.symbol] : []));
  if (ids.length + symbols.length === 0) return [];
  // raw SQL: symbol matching with upper()/LIKE and an ordering Prisma cannot express
  const { rows } = await db.query<GeneRecord>(
    `SELECT ${GENE_COLUMNS} FROM "Gene" g WHERE g."ensemblId" = ANY($1::text[]) OR upper(g.symbol) = ANY($2::text[])
     ORDER BY (g."geneType" = 'protein_coding') DESC NULLS LAST, g.id`,
    [ids, symbols],
  );
  const byId = new Map<string, GeneRecord>();
  const bySymbol = new Map<string, GeneRecord>();
  for (const row of rows) {
    byId.set(row.ensemblId, row);
    const symbol = row.symbol?.toUpperCase();
    if (symbol && !bySymbol.has(symbol)) bySymbol.set(symbol, row);
  }
  return keys.map((k) => (k.ensemblId ? byId.get(k.ensemblId) : bySymbol.get(k.symbol!)) ?? null);
}

/**
 * Up to `limit` genes with IDs above `afterId` (ascending) whose symbol or Ensembl ID starts with `search`
 * (any case; every gene when empty), and how many genes match.
 */
export async function genePage(
  db: pg.Pool,
  search: string,
  afterId: number,
  limit: number,
): Promise<{ rows: GeneRecord[]; total: number }> {
  const prefix = search.trim().toUpperCase();
  const params: unknown[] = [];
  let where = 'TRUE';
  if (prefix) {
    params.push(`${prefix.replace(/[\\%_]/g, '\\$&')}%`);
    where = `(upper(g.symbol) LIKE $1 OR g."ensemblId" LIKE $1)`;
  }
  return sqlIdPage(
    db,
    { columns: GENE_COLUMNS, from: '"Gene" g', where, params, id: 'g.id' },
    afterId,
    limit,
  );
}

/** The genes with these IDs (any order; unknown IDs are absent). */
export function genesById(prisma: PrismaClient, ids: readonly number[]): Promise<GeneRecord[]> {
  return prisma.gene.findMany({ where: { id: { in: [...ids] } } });
}

/** What a gene search looks for: genes named exactly, and a symbol or Ensembl ID (prefix) typed in upper case. */
export interface GeneSearch {
  /** Ensembl IDs the typed text names (an NCBI alias or Entrez ID may name several). */
  ensemblIds: readonly string[];
  /** The typed text, trimmed, in upper case, without an Ensembl ID's version. */
  text: string;
  limit: number;
}

/**
 * Up to `limit` genes among `ensemblIds` or whose symbol or Ensembl ID starts with `text`: the gene whose
 * symbol, then Ensembl ID, is `text` first, then the named genes, then shorter symbols.
 */
export async function searchGeneRecords(db: pg.Pool, search: GeneSearch): Promise<GeneRecord[]> {
  const prefix = `${search.text.replace(/[\\%_]/g, '\\$&')}%`;
  // raw SQL: symbol matching with upper()/LIKE and an ordering Prisma cannot express
  const { rows } = await db.query<GeneRecord>(
    `SELECT ${GENE_COLUMNS} FROM "Gene" g
     WHERE g."ensemblId" = ANY($1::text[]) OR upper(g.symbol) LIKE $2 OR g."ensemblId" LIKE $2
     ORDER BY upper(g.symbol) IS NOT DISTINCT FROM $3 DESC, g."ensemblId" = $3 DESC, g."ensemblId" = ANY($1::text[]) DESC,
       length(g.symbol) NULLS LAST, g.symbol, g.id
     LIMIT $4`,
    [[...search.ensemblIds], prefix, search.text, search.limit],
  );
  return rows;
}
