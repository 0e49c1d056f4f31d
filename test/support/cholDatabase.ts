// A fresh database holding the real CHOL counts (cohort "CHOL") and the pan-cancer survival table, with a
// reader's token: what the portal tests that open one real cohort start from.
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

export async function cholDatabase(label: string): Promise<CholDatabase> {
  const dbUrl = await createTestDatabase(label);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prisma = createPrisma(pool); // shares the pool, which is ended below
  let token: string;
  try {
    await ingestCounts(pool, path.join(sharedDir(), 'data/tcga/counts/TCGA_CHOL_Counts.exp.gz'), {
      cohort: 'CHOL',
    });
    await ingestClinical(pool, path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz'));
    token = (await createToken(prisma, `${label} reader`, 'READER')).token;
  } finally {
    await pool.end();
  }
  const [cohort] = await query<{ id: number }>(dbUrl, `SELECT id FROM "Cohort" WHERE name = 'CHOL'`);
  return { dbUrl, token, cohortId: cohort!.id };
}
