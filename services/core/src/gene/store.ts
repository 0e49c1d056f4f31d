// Genes in the database: inserted when first seen, with what the reference knows filled in later.
import type pg from 'pg';
import type { ResolvedGene } from '../formats/types.ts';
import { geneReference } from './reference.ts';

/** Inserts the genes the database lacks and fills in missing symbol/type/version; returns Gene.id per gene. */
export async function storeGenes(client: pg.ClientBase, genes: readonly ResolvedGene[]): Promise<number[]> {
  const columns = [
    genes.map((g) => g.ensemblId),
    genes.map((g) => g.version),
    genes.map((g) => g.symbol),
    genes.map((g) => g.geneType),
  ];
  const given = `unnest($1::text[], $2::int[], $3::text[], $4::text[]) AS u("ensemblId", version, symbol, "geneType")`;
  // raw SQL: bulk upsert of thousands of genes in the import's pg transaction
  await client.query(
    `INSERT INTO "Gene" ("ensemblId", version, symbol, "geneType") SELECT * FROM ${given}
     ON CONFLICT ("ensemblId") DO NOTHING`,
    columns,
  );
  // raw SQL: bulk upsert of thousands of genes in the import's pg transaction
  await client.query(
    `UPDATE "Gene" g SET version = COALESCE(g.version, u.version), symbol = COALESCE(g.symbol, u.symbol),
       "geneType" = COALESCE(g."geneType", u."geneType")
     FROM ${given}
     WHERE g."ensemblId" = u."ensemblId" AND ((g.version IS NULL AND u.version IS NOT NULL)
       OR (g.symbol IS NULL AND u.symbol IS NOT NULL) OR (g."geneType" IS NULL AND u."geneType" IS NOT NULL))`,
    columns,
  );
  // raw SQL: bulk upsert of thousands of genes in the import's pg transaction
  const { rows } = await client.query<{ id: number; ensemblId: string }>(
    `SELECT id, "ensemblId" FROM "Gene" WHERE "ensemblId" = ANY($1)`,
    [columns[0]],
  );
  const byId = new Map(rows.map((r) => [r.ensemblId, r.id]));
  return genes.map((g) => byId.get(g.ensemblId)!);
}

/**
 * Makes the genes of a model's vocabulary (Ensembl IDs) known to the database, with what the GENCODE v36
 * reference knows of them, so they can be named (by ID or symbol) in questions to that model even when no
 * stored sample measures them: a database holding only a 100-gene RSEM table can still ask tcga-33types to
 * restore TP53. Returns how many genes were new.
 */
export async function storeVocabularyGenes(pool: pg.Pool, vocabulary: readonly string[]): Promise<number> {
  // raw SQL: one count; when every gene is stored with everything the reference could fill in, storeGenes
  // would change nothing, so the reference is not read (every start after the first)
  const { rows } = await pool.query<{ present: number; complete: number }>(
    `SELECT count(*)::int AS present,
            count(*) FILTER (WHERE version IS NOT NULL AND symbol IS NOT NULL AND "geneType" IS NOT NULL)::int AS complete
       FROM "Gene" WHERE "ensemblId" = ANY($1)`,
    [vocabulary],
  );
  const { present, complete } = rows[0]!;
  if (complete === vocabulary.length) return 0;
  const reference = geneReference();
  const genes = vocabulary.map(
    (id): ResolvedGene =>
      reference.byId(id) ?? { ensemblId: id, version: null, symbol: null, geneType: null },
  );
  const client = await pool.connect();
  try {
    await storeGenes(client, genes);
  } finally {
    client.release();
  }
  return vocabulary.length - present;
}
