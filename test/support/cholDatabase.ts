// A fresh database holding real counts (the CHOL counts as cohort "CHOL", or given types in one cohort) and the
// pan-cancer survival table, with a reader's token: what the portal tests that open a real cohort start from.
import path from 'node:path';
import { createToken } from '@gexbert/core/auth/tokens';
import { createPrisma } from '@gexbert/core/db/prisma';
import { ingestClinical, ingestCounts } from '@gexbert/core/ingest/index';
import { createTestDatabase, query } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import pg from 'pg';

export interface CholDatabase {
  dbUrl: string;
  /** A READER token. */
  token: string;
  cohortId: number;
}

/** The real CHOL counts as cohort "CHOL" (see countsDatabase). */
export function cholDatabase(label: string): Promise<CholDatabase> {
  return countsDatabase(label, ['CHOL'], 'CHOL');
}

/**
 * A fresh database holding the real counts of `types` in one cohort `cohort`, the pan-cancer survival table and
 * a reader's token.
 */
export async function countsDatabase(
  label: string,
  types: readonly string[],
  cohort: string,
): Promise<CholDatabase> {
  const dbUrl = await createTestDatabase(label);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prisma = createPrisma(pool); // shares the pool, which is ended below
  let token: string;
  try {
    for (const type of types)
      await ingestCounts(pool, path.join(sharedDir(), `data/tcga/counts/TCGA_${type}_Counts.exp.gz`), {
        cohort,
      });
    await ingestClinical(pool, path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz'));
    token = (await createToken(prisma, `${label} reader`, 'READER')).token;
  } finally {
    await pool.end();
  }
  const [row] = await query<{ id: number }>(dbUrl, `SELECT id FROM "Cohort" WHERE name = $1`, [cohort]);
  return { dbUrl, token, cohortId: row!.id };
}
