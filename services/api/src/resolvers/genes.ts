// Genes: lookup by Ensembl ID or symbol, and search.
import type pg from 'pg';
import { badInput } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { searchGenes } from '../genes/geneSearch.ts';
import { ncbiNamesOf } from '../genes/ncbiNames.ts';
import { connection, pageRequest } from '../pagination.ts';
import type { GeneRow } from '../rows.ts';

const GENE_COLUMNS = `g.id, g."ensemblId", g.version, g.symbol, g."geneType"`;
const ENSEMBL = /^(ENS[A-Z]*G\d{6,})(\.\d+)?$/i;

/**
 * The gene each identifier names (null when unknown), in one query: Ensembl IDs (versioned or not) exactly,
 * symbols case-insensitively; a symbol shared by several genes picks the protein-coding one, then the first.
 */
export async function resolveGenes(db: pg.Pool, identifiers: readonly string[]): Promise<(GeneRow | null)[]> {
  const keys = identifiers.map((raw) => {
    const text = raw.trim();
    const ensembl = ENSEMBL.exec(text);
    return ensembl ? { ensemblId: ensembl[1]!.toUpperCase() } : { symbol: text.toUpperCase() };
  });
  const ids = keys.flatMap((k) => (k.ensemblId ? [k.ensemblId] : []));
  const symbols = keys.flatMap((k) => (k.symbol ? [k.symbol] : []));
  if (ids.length + symbols.length === 0) return [];
  const { rows } = await db.query<GeneRow>(
    `SELECT ${GENE_COLUMNS} FROM "Gene" g WHERE g."ensemblId" = ANY($1::text[]) OR upper(g.symbol) = ANY($2::text[])
     ORDER BY (g."geneType" = 'protein_coding') DESC NULLS LAST, g.id`,
    [ids, symbols],
  );
  const byId = new Map<string, GeneRow>();
  const bySymbol = new Map<string, GeneRow>();
  for (const row of rows) {
    byId.set(row.ensemblId, row);
    const symbol = row.symbol?.toUpperCase();
    if (symbol && !bySymbol.has(symbol)) bySymbol.set(symbol, row);
  }
  return keys.map((k) => (k.ensemblId ? byId.get(k.ensemblId) : bySymbol.get(k.symbol!)) ?? null);
}

export const geneResolvers: Resolvers = {
  Gene: {
    entrezIds: (gene) => ncbiNamesOf(gene.ensemblId).entrezIds,
    aliases: (gene) => ncbiNamesOf(gene.ensemblId).aliases,
  },
  Query: {
    genesByIds: (_, { ids }, { db }) => resolveGenes(db, ids),
    geneSearch: (_, { text, first }, { db }) => {
      if (text.length > 200) throw badInput('a gene search text has at most 200 characters');
      return searchGenes(db, text, first ?? 10);
    },
    genes: async (_, args, { db, config }) => {
      const page = pageRequest('Gene', args, config);
      const search = args.search?.trim().toUpperCase() ?? '';
      const params: unknown[] = [];
      let where = 'TRUE';
      if (search) {
        params.push(`${search.replace(/[\\%_]/g, '\\$&')}%`);
        where = `(upper(g.symbol) LIKE $1 OR g."ensemblId" LIKE $1)`;
      }
      const [rows, count] = await Promise.all([
        db.query<GeneRow>(
          `SELECT ${GENE_COLUMNS} FROM "Gene" g WHERE ${where} AND g.id > $${params.length + 1}
           ORDER BY g.id LIMIT $${params.length + 2}`,
          [...params, page.afterId, page.first + 1],
        ),
        db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Gene" g WHERE ${where}`, params),
      ]);
      return connection('Gene', page, rows.rows, count.rows[0]!.n, (g) => g.id);
    },
  },
};
