// The clinical table read again after new samples arrived: it stores survival for the patients it could
// not match before (the warning told the user to re-run), leaves the patients it already served alone, and
// writes nothing when there is nothing new.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingestClinical, ingestCounts } from '../../src/ingest/index.ts';
import { createTestDatabase, fingerprint, query } from '../../test-support/database.ts';
import { sharedDir } from '../../test-support/shared.ts';

const COUNTS = path.join(sharedDir(), 'data/tcga/counts');
const OS_TABLE = path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz');
let url: string;
let pool: pg.Pool;

beforeAll(async () => {
  url = await createTestDatabase('clinical_rerun');
  pool = new pg.Pool({ connectionString: url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
});

async function survival(type: string): Promise<{ withOs: number; importIds: number[] }> {
  const rows = await query<{ n: string; ids: number[] }>(
    url,
    `SELECT count(*) FILTER (WHERE "osDays" IS NOT NULL) AS n, array_agg(DISTINCT "clinicalImportId") AS ids
     FROM "Patient" WHERE "cancerType" = $1`,
    [type],
  );
  return { withOs: Number(rows[0]!.n), importIds: rows[0]!.ids.filter((id) => id !== null) };
}

it('a re-run stores survival for patients whose samples arrived since, and only for them', async () => {
  await ingestCounts(pool, path.join(COUNTS, 'TCGA_CHOL_Counts.exp.gz'));
  const first = await ingestClinical(pool, OS_TABLE);
  expect(first.unchanged).toBe(false);
  const chol = await survival('CHOL');
  expect(chol.withOs).toBeGreaterThan(20);

  await ingestCounts(pool, path.join(COUNTS, 'TCGA_DLBC_Counts.exp.gz'));
  expect((await survival('DLBC')).withOs).toBe(0);
  const again = await ingestClinical(pool, OS_TABLE);
  expect(again.unchanged).toBe(false);
  const dlbcPatients = await query<{ n: string }>(
    url,
    `SELECT count(*) AS n FROM "Patient" WHERE "cancerType" = 'DLBC'`,
  );
  expect(again.matched).toBe(Number(dlbcPatients[0]!.n));
  const dlbc = await survival('DLBC');
  expect(dlbc.withOs).toBeGreaterThan(30);
  expect(dlbc.importIds).toEqual([again.id]);
  expect(await survival('CHOL')).toEqual(chol); // the patients served before are left as they were

  const before = await fingerprint(url);
  const third = await ingestClinical(pool, OS_TABLE);
  expect(third.unchanged).toBe(true);
  expect(await fingerprint(url)).toEqual(before);
});
