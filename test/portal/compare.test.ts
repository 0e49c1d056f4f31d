// The compare page in a real browser against `gexbert start` on the real CHOL and KICH counts with survival:
// a reader opens a comparison from its URL, sees it run as a worker job (progress, then the result), the volcano plot (a point names its gene on hover and links
// to it), the sorted gene table (re-sorted by a header link, paged) and downloads it as TSV, with the two
// groups' Kaplan-Meier curves and compositions beside it.
import fs from 'node:fs';
import path from 'node:path';
import { createToken } from '@gexbert/core/auth/tokens';
import { createPrisma } from '@gexbert/core/db/prisma';
import { ingestClinical, ingestCounts } from '@gexbert/core/ingest/index';
import { createTestDatabase, query } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import pg from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeSignedInPortal, openSignedInPortal, type SignedInPortal } from '../support/portalStack.ts';

let portal: SignedInPortal | undefined;
let context: BrowserContext;
let portalUrl: string;
let cohortId: number;

beforeAll(async () => {
  const dbUrl = await createTestDatabase('compare');
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prisma = createPrisma(pool); // shares the pool, which is ended below
  let token: string;
  try {
    for (const type of ['CHOL', 'KICH'])
      await ingestCounts(pool, path.join(sharedDir(), `data/tcga/counts/TCGA_${type}_Counts.exp.gz`), {
        cohort: 'CHOL and KICH',
      });
    await ingestClinical(pool, path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz'));
    token = (await createToken(prisma, 'compare reader', 'READER')).token;
  } finally {
    await pool.end();
  }
  cohortId = (await query<{ id: number }>(dbUrl, `SELECT id FROM "Cohort" WHERE name = 'CHOL and KICH'`))[0]!
    .id;
  // with its worker, and a job threshold (1 M values) under CHOL vs KICH's 4.6 M: the comparison runs as a job
  portal = await openSignedInPortal(dbUrl, token, {
    GEXBERT_API_COMPARE_JOB_VALUES: '1000000',
    GEXBERT_WORKER_POLL_SECONDS: '0.5',
  });
  ({ context } = portal);
  portalUrl = portal.stack.portalUrl;
}, 900_000);

afterAll(() => closeSignedInPortal(portal));

async function download(page: Page, click: () => Promise<void>): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return fs.readFileSync((await file.path())!, 'utf8');
}

it('compares CHOL with KICH: volcano, sorted table with TSV, survival and composition', async () => {
  const page = await context.newPage();
  const url = `${portalUrl}/compare?a=${cohortId}&atype=CHOL&b=${cohortId}&btype=KICH&method=voom`;
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // a job: its state and progress first, then the page refreshes itself until the result is stored
  await page.getByTestId('compare-progress').waitFor();
  expect(await page.getByTestId('compare-progress').textContent()).toMatch(/Comparison (queued|running)/);
  await page.getByTestId('volcano-plot').waitFor({ timeout: 180_000 });
  // every choice is in the URL and back in the form
  await expect.poll(() => page.getByLabel('Method').inputValue()).toBe('voom');
  expect(await page.locator('#a-type').inputValue()).toBe('CHOL');
  expect(await page.locator('#b-type').inputValue()).toBe('KICH');
  expect(await page.getByTestId('group-a-count').textContent()).toBe('29');
  expect(await page.getByTestId('group-b-count').textContent()).toBe('52');
  const tested = Number((await page.getByTestId('genes-tested').textContent())!.replace(/,/g, ''));
  expect(tested).toBeGreaterThan(10_000);

  // the volcano: coloured points link to their gene and name it on hover
  const volcano = page.getByTestId('volcano-plot');
  const points = volcano.locator('circle.volcano-point');
  expect(await points.count()).toBeGreaterThan(100);
  const first = points.first();
  const gene = await first.getAttribute('data-gene');
  expect(await first.locator('title').textContent()).toContain(gene!);
  await first.hover();
  expect(await volcano.locator('a.volcano-link').first().getAttribute('href')).toBe(
    `/cohorts/${cohortId}/genes/${gene}`,
  );
  const svg = await download(page, () => volcano.getByRole('button', { name: /as SVG$/ }).click());
  expect(svg).toContain('<svg');
  expect(svg).toContain('volcano-point');

  // the table: 25 genes by p-value, re-sorted by log fold change (descending after two clicks), paged
  const table = page.getByTestId('gene-table');
  expect(await table.locator('tbody tr').count()).toBe(25);
  expect(await page.getByTestId('gene-pager-status').textContent()).toBe(`Genes 1–25 of ${tested}`);
  await table.getByRole('link', { name: /log2 fold change/ }).click();
  await page.waitForURL(/sort=logfc/);
  await table.getByRole('link', { name: /log2 fold change/ }).click();
  await page.waitForURL(/sort=logfc&dir=desc/);
  const logFC = (await table.locator('tbody tr td:nth-child(2)').allInnerTexts()).map(Number);
  expect(logFC).toEqual([...logFC].sort((x, y) => y - x));
  expect(logFC[0]).toBeGreaterThan(5);
  await table.getByRole('link', { name: 'Next' }).click();
  await page.waitForURL(/from=25/);
  await expect
    .poll(() => page.getByTestId('gene-pager-status').textContent(), { timeout: 60_000 })
    .toBe(`Genes 26–50 of ${tested}`);
  const next = (await table.locator('tbody tr td:nth-child(2)').allInnerTexts()).map(Number);
  expect(next[0]).toBeLessThanOrEqual(logFC.at(-1)!);

  // the TSV: every tested gene, in the table's order
  const tsv = await download(page, () => table.getByRole('link', { name: 'TSV' }).click());
  const lines = tsv.trimEnd().split('\n');
  expect(lines[0]).toBe(
    'ensembl_id\tsymbol\tlog2_fold_change\taverage_expression\tstatistic\tp_value\tadjusted_p_value',
  );
  expect(lines).toHaveLength(tested + 1);
  const column = lines.slice(1).map((l) => Number(l.split('\t')[2]));
  expect(column).toEqual([...column].sort((x, y) => y - x));

  // survival and composition of the two groups
  const km = page.getByTestId('compare-km');
  expect(await km.locator('path').count()).toBeGreaterThan(2);
  expect(Number(await page.getByTestId('compare-logrank-p').getAttribute('data-value'))).toBeLessThan(0.05);
  expect(await page.getByTestId('compare-composition-a').textContent()).toContain('CHOL');
  expect(await page.getByTestId('compare-composition-b').textContent()).toContain('KICH');
  await page.close();
});

it('is reached from the cohort dashboard with the cohort as group A', async () => {
  const page = await context.newPage();
  await page.goto(`${portalUrl}/cohorts/${cohortId}`, { waitUntil: 'domcontentloaded' });
  await page.getByTestId('compare-link').click();
  await page.waitForURL(/\/compare\?a=\d+&method=limma$/);
  expect(await page.locator('#a-cohort').inputValue()).toBe(String(cohortId));
  expect(await page.locator('#b-cohort').inputValue()).toBe('');
  await page.close();
});

it('answers 401 to a TSV download without a session', async () => {
  const res = await fetch(`${portalUrl}/compare/genes.tsv?a=${cohortId}&atype=CHOL&b=${cohortId}&btype=KICH`);
  expect(res.status).toBe(401);
});

it('says what is wrong with overlapping groups', async () => {
  const page = await context.newPage();
  await page.goto(`${portalUrl}/compare?a=${cohortId}&b=${cohortId}&btype=CHOL&method=limma`, {
    waitUntil: 'networkidle',
  });
  expect(await page.getByTestId('compare-error').textContent()).toMatch(/the groups overlap: 29 sample/);
  await page.close();
});
