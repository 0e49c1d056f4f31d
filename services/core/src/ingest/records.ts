// Imports as the services read them: one row per ingested file (or failed ingest command), with the count of
// its unmapped genes rather than the list. Read in SQL: the count is computed in the database (Prisma would
// read each import's whole list of unmapped genes to count it).
import type pg from 'pg';
import { sqlIdPage } from '../db/page.ts';
import type { Db } from '../db/prisma.ts';

export type ImportRecord = Omit<Db.Import, 'unmappedGenes' | 'filePath'> & { unmappedGeneCount: number };

const IMPORT_COLUMNS = `i.id, i.kind, i."fileName", i.checksum, i.format, i.unit, i."rowCount", i."sampleCount",
  i."geneCount", i."skippedCount", i.warnings, cardinality(i."unmappedGenes") AS "unmappedGeneCount",
  i."startedAt", i."finishedAt", i.status, i.error, i.simulated`;

/** The imports with these IDs (any order; unknown IDs are absent). */
export async function importsById(db: pg.Pool, ids: readonly number[]): Promise<ImportRecord[]> {
  // raw SQL: bulk: DataLoader batch of IDs, with columns shared by SQL joins (IMPORT_COLUMNS)
  const { rows } = await db.query<ImportRecord>(
    `SELECT ${IMPORT_COLUMNS} FROM "Import" i WHERE i.id = ANY($1::int[])`,
    [[...ids]],
  );
  return rows;
}

/** Which imports a listing holds (null = any). */
export interface ImportListing {
  kind?: Db.ImportKind | null;
  status?: Db.ImportStatus | null;
}

/** Up to `limit` listed imports with IDs above `afterId` (ascending), and how many the listing holds. */
export async function importPage(
  db: pg.Pool,
  listing: ImportListing,
  afterId: number,
  limit: number,
): Promise<{ rows: ImportRecord[]; total: number }> {
  const params: unknown[] = [];
  const conditions: string[] = [];
  if (listing.kind) conditions.push(`i.kind::text = $${params.push(listing.kind)}`);
  if (listing.status) conditions.push(`i.status::text = $${params.push(listing.status)}`);
  const where = conditions.join(' AND ') || 'TRUE';
  return sqlIdPage(
    db,
    { columns: IMPORT_COLUMNS, from: '"Import" i', where, params, id: 'i.id' },
    afterId,
    limit,
  );
}
