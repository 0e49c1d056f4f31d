// What every import shares: one transaction under an import lock, the Import provenance row, cohorts.
import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import type { ExpressionUnit } from '../formats/types.ts';
import { refreshCohortSimulated } from './simulated.ts';
import type { ImportSource } from './source.ts';

export type ImportKind = 'COUNTS' | 'GDC' | 'XENA' | 'CLINICAL' | 'TABLE';

export interface ImportResult {
  id: number;
  /** True when this exact source had been imported before: nothing was written. */
  unchanged: boolean;
  samples: number;
  genes: number;
  skipped: number;
  written: number;
  warnings?: string[];
  /** The source carried the simulator's SIMULATED marker: its import (and new samples) are simulated. */
  simulated?: boolean;
}

const IMPORT_LOCK = 0x67657862; // one import at a time, so concurrent imports cannot interleave

/** Runs `work` in one transaction on one connection, one import at a time; any error rolls everything back. */
export function withImportTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    // raw SQL: Prisma has no advisory locks
    await client.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
    return work(client);
  });
}

/** The earlier import of exactly these bytes by the same command, if any. */
export async function alreadyImported(
  client: pg.ClientBase,
  source: ImportSource,
  kind: ImportKind,
): Promise<ImportResult | null> {
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{
    id: number;
    sampleCount: number;
    geneCount: number;
    skippedCount: number;
    simulated: boolean;
  }>(
    `SELECT id, "sampleCount", "geneCount", "skippedCount", simulated FROM "Import"
     WHERE checksum = $1 AND kind = $2 AND status = 'SUCCEEDED' ORDER BY id LIMIT 1`,
    [source.checksum, kind],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    unchanged: true,
    samples: row.sampleCount,
    genes: row.geneCount,
    skipped: row.skippedCount,
    written: 0,
    simulated: row.simulated,
  };
}

export interface ImportCounts {
  unit: ExpressionUnit | null;
  rowCount: number;
  geneCount: number;
  unmappedGenes: readonly string[];
  warnings: readonly string[];
}

export async function insertImport(
  client: pg.ClientBase,
  source: ImportSource,
  kind: ImportKind,
  counts: ImportCounts,
): Promise<number> {
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO "Import" (kind, "fileName", "filePath", checksum, format, unit, "rowCount", "sampleCount", "geneCount",
       "unmappedGenes", warnings, simulated, "startedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $11, now()) RETURNING id`,
    [
      kind,
      source.fileName,
      source.filePath,
      source.checksum,
      source.format,
      counts.unit,
      counts.rowCount,
      counts.geneCount,
      counts.unmappedGenes,
      counts.warnings,
      source.simulated,
    ],
  );
  return rows[0]!.id;
}

/**
 * Adds samples to the named cohort, creating it when new (a cohort that gains nothing is left untouched);
 * the cohort is simulated when any of its samples is.
 */
export async function addToCohort(
  client: pg.ClientBase,
  name: string,
  sampleIds: readonly number[],
): Promise<number> {
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  await client.query(
    `INSERT INTO "Cohort" (name, "updatedAt") VALUES ($1, now()) ON CONFLICT (name) DO NOTHING`,
    [name],
  );
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = $1`, [name]);
  const cohortId = rows[0]!.id;
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const added = await client.query(
    `INSERT INTO "CohortSample" ("cohortId", "sampleId") SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`,
    [cohortId, sampleIds],
  );
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  if (added.rowCount) await client.query(`UPDATE "Cohort" SET "updatedAt" = now() WHERE id = $1`, [cohortId]);
  await refreshCohortSimulated(client, cohortId);
  return cohortId;
}
