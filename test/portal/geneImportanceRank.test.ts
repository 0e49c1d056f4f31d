// The gene page's rank in a cancer type's gene importance ("X ranks N of M genes for CHOL") is the ranking the
// worker stored. On the real CHOL counts, the worker's gene-importance job (runGeneImportanceJob, as the worker
// runs it, the shipped model's heads, one sample per type) stores CHOL's rankings before `gexbert start` starts;
// the gene page of a gene the job ranked 7th (or the next with a symbol of its own) then shows that rank of the
// stored ranking's length, and the portal's API ran no model for it: no sample's attributions were added and
// the stored ranking row was not rewritten.
// Screenshot: test/artifacts/portal/gene-importance-stored.png.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPrisma } from '@gexbert/core/db/prisma';
import { geneImportanceKey, type StoredGeneImportance } from '@gexbert/core/inference/geneImportance';
import { ensureActiveModel } from '@gexbert/core/registry/modelVersion';
import { query } from '@gexbert/core/test-support/database';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runGeneImportanceJob } from '../../services/worker/src/geneImportanceJob.ts';
import { WorkerRuntimes } from '../../services/worker/src/precomputeJob.ts';
import { cholDatabase } from '../support/cholDatabase.ts';
import { closeSignedInPortal, openSignedInPortal, type SignedInPortal } from '../support/portalStack.ts';

const ARTIFACTS = path.join(import.meta.dirname, '../artifacts/portal');
let portal: SignedInPortal | undefined;
let dbUrl: string;
let cohortId: number;
let key: string;

beforeAll(async () => {
  const chol = await cholDatabase('generank');
  ({ dbUrl, cohortId } = chol);
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prisma = createPrisma(pool);
  const runtimes = new WorkerRuntimes({
    pool,
    cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-generank-')),
  });
  try {
    const version = await ensureActiveModel({ pool, prisma });
    const headsId = (version.heads as { id: string }).id;
    const outcome = await runGeneImportanceJob(
      { pool, prisma, runtimes, bound: 1, log: () => {} },
      cohortId,
      version.id,
    );
    // CHOL's three rankings (probability, log-odds, risk) from its first sample's attributions
    expect(outcome).toMatchObject({ stored: 3, alreadyStored: 0, attributed: 1 });
    key = geneImportanceKey(version.id, headsId, 'CANCER_TYPE', 'CHOL', 1);
  } finally {
    await runtimes.close();
    await prisma.$disconnect();
    await pool.end();
  }
  portal = await openSignedInPortal(dbUrl, chol.token, { GEXBERT_ATTRIBUTION_SAMPLES: '1' });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 900_000);

afterAll(() => closeSignedInPortal(portal));

const storedRanking = async () =>
  (
    await query<{ value: StoredGeneImportance; version: string }>(
      dbUrl,
      `SELECT value, xmin::text AS version FROM "CohortAnswer" WHERE "cohortId" = $1 AND key = $2`,
      [cohortId, key],
    )
  )[0]!;

const attributedSamples = async () =>
  (await query<{ n: number }>(dbUrl, `SELECT count(*)::int AS n FROM "SampleAttribution"`))[0]!.n;

it('shows the rank the worker stored for CHOL, without running the model', async () => {
  const before = await storedRanking();
  expect(before.value.samplesUsed).toBe(1);
  // the first gene from rank 7 on with a symbol of its own (the page is opened by symbol)
  const named = await query<{ ensemblId: string; symbol: string }>(
    dbUrl,
    `SELECT "ensemblId", symbol FROM "Gene" g WHERE symbol IS NOT NULL
       AND (SELECT count(*) FROM "Gene" o WHERE o.symbol = g.symbol) = 1`,
  );
  const symbols = new Map(named.map((g) => [g.ensemblId, g.symbol]));
  const chosen = before.value.ranking.slice(6).find((g) => symbols.has(g.ensemblId))!;
  const symbol = symbols.get(chosen.ensemblId)!;
  const rank = chosen.rank;
  expect(rank).toBeGreaterThanOrEqual(7);
  const page = await portal!.context.newPage();
  page.setDefaultTimeout(300_000);
  await page.goto(`${portal!.stack.portalUrl}/cohorts/${cohortId}/genes/${symbol}?importance=CHOL`);
  const shown = page.getByTestId('gene-importance');
  await shown.waitFor();
  expect(await shown.getAttribute('data-rank')).toBe(String(rank));
  expect(await shown.textContent()).toContain(
    `${symbol} ranks ${rank} of ${before.value.ranking.length} genes for CHOL`,
  );
  expect(await shown.textContent()).toContain('over 1 of the cohort');
  await shown.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'gene-importance-stored.png'), fullPage: false });
  await page.close();
  // read, not computed: no other sample attributed, the stored row untouched
  expect(await attributedSamples()).toBe(1);
  expect((await storedRanking()).version).toBe(before.version);
}, 900_000);
