// Shareable views in a real browser against `gexbert start` on the real CHOL and DLBC counts with survival:
// what a reader does to a view (the compare page's gene table sort and method, a gene page's cut-off and
// grouping and its values table's sort, search and page, the dashboard map's colouring) is in the page URL, and
// a reload, or the URL opened in a fresh tab, shows the same view. Screenshots go to test/artifacts/portal.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countsDatabase } from '../support/cholDatabase.ts';
import { closeSignedInPortal, openSignedInPortal, type SignedInPortal } from '../support/portalStack.ts';

const ARTIFACTS = path.join(import.meta.dirname, '../artifacts/portal');
let portal: SignedInPortal | undefined;
let cohortId: number;

beforeAll(async () => {
  const { dbUrl, token, ...rest } = await countsDatabase('views', ['CHOL', 'DLBC'], 'TCGA');
  cohortId = rest.cohortId;
  portal = await openSignedInPortal(dbUrl, token);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 900_000);

afterAll(() => closeSignedInPortal(portal));

/** The page's URL reloaded, and opened in a new tab of the same session: both must show `check`'s view. */
async function reopened(page: Page, check: (p: Page) => Promise<void>): Promise<void> {
  const url = page.url();
  await page.reload();
  expect(page.url()).toBe(url);
  await check(page);
  const fresh = await portal!.context.newPage();
  await fresh.goto(url);
  await check(fresh);
  await fresh.close();
}

it("keeps the compare page's method and gene table sort across a reload", async () => {
  const page = await portal!.context.newPage();
  page.setDefaultTimeout(300_000);
  await page.goto(
    `${portal!.stack.portalUrl}/compare?a=${cohortId}&atype=CHOL&b=${cohortId}&btype=DLBC&method=welch`,
  );
  const table = page.getByTestId('gene-table');
  await table.waitFor();
  await table.getByRole('link', { name: /Average expression/ }).click();
  await page.waitForURL(/sort=ave/);
  await table.getByRole('link', { name: /Average expression/ }).click();
  await page.waitForURL(/sort=ave&dir=desc/);
  const genes = () => table.locator('tbody tr td:first-child').allInnerTexts();
  const shown = await genes();
  const averages = (await table.locator('tbody tr td:nth-child(3)').allInnerTexts()).map(Number);
  expect(averages).toEqual([...averages].sort((x, y) => y - x));
  // the heatmap of its top genes is offered in the cohort named as the reader knows it
  expect(await page.getByTestId('heatmap-link-a').textContent()).toBe('TCGA');
  await page.screenshot({ path: path.join(ARTIFACTS, 'views-compare.png'), fullPage: false });
  await reopened(page, async (p) => {
    const t = p.getByTestId('gene-table');
    await t.waitFor();
    expect(await p.getByLabel('Method').inputValue()).toBe('welch');
    expect(await t.locator('th[aria-sort="descending"]').textContent()).toMatch(/Average expression/);
    expect(await t.locator('tbody tr td:first-child').allInnerTexts()).toEqual(shown);
  });
  await page.close();
}, 900_000);

it("keeps a gene page's grouping, cut-off and values table (sort, search, page size) across a reload", async () => {
  const page = await portal!.context.newPage();
  page.setDefaultTimeout(300_000);
  await page.goto(
    `${portal!.stack.portalUrl}/cohorts/${cohortId}/genes/CD19?split=cutoff&cutoff=4&by=sampleType`,
  );
  const values = page.getByTestId('gene-values-table');
  await values.waitFor();
  // the gene's NCBI names (../shared/data/reference/ncbi_gene_ids.tsv.gz: CD19 is Entrez 930)
  expect(await page.getByText(/Entrez ID 930\b/).count()).toBe(1);
  const search = values.getByRole('searchbox');
  await search.fill('DLBC');
  await values.getByRole('button', { name: 'Value' }).click();
  await values.getByRole('button', { name: 'Value' }).click(); // descending
  await values.getByLabel('Rows per page').selectOption('25');
  await expect.poll(() => new URL(page.url()).searchParams.get('values.sort')).toBe('-value');
  const url = new URL(page.url());
  expect(url.searchParams.get('values.q')).toBe('DLBC');
  expect(url.searchParams.get('values.rows')).toBe('25');
  expect(url.searchParams.get('cutoff')).toBe('4');
  const rows = () => values.locator('tbody tr td:nth-child(1)').allInnerTexts();
  const status = await values.getByTestId('pager-status').textContent();
  expect(status).toMatch(/^Rows 1–25 of 38 \(of 67\)/); // the 38 DLBC samples, of CHOL's 29 and them
  const shown = await rows();
  const shownValues = (await values.locator('tbody tr td:nth-child(5)').allInnerTexts()).map(Number);
  expect(shownValues).toEqual([...shownValues].sort((x, y) => y - x));
  await page.screenshot({ path: path.join(ARTIFACTS, 'views-gene.png'), fullPage: true });
  await reopened(page, async (p) => {
    const t = p.getByTestId('gene-values-table');
    await t.waitFor();
    expect(await t.getByRole('searchbox').inputValue()).toBe('DLBC');
    expect(await t.locator('th[aria-sort="descending"]').textContent()).toMatch(/Value/);
    expect(await t.getByTestId('pager-status').textContent()).toBe(status);
    expect(await t.locator('tbody tr td:nth-child(1)').allInnerTexts()).toEqual(shown);
    expect(await p.getByTestId('gene-box-plot').textContent()).toMatch(/by sample type/);
  });
  await page.close();
}, 900_000);

it("keeps the dashboard map's colouring across a reload", async () => {
  const page = await portal!.context.newPage();
  page.setDefaultTimeout(300_000);
  await page.goto(`${portal!.stack.portalUrl}/cohorts/${cohortId}`);
  const colour = page.getByTestId('embedding-colour-by');
  await colour.waitFor();
  await colour.selectOption('predictedType');
  await expect.poll(() => new URL(page.url()).searchParams.get('colour')).toBe('predictedType');
  await page.screenshot({ path: path.join(ARTIFACTS, 'views-dashboard.png'), fullPage: false });
  await reopened(page, async (p) => {
    const c = p.getByTestId('embedding-colour-by');
    await c.waitFor();
    expect(await c.inputValue()).toBe('predictedType');
  });
  await page.close();
}, 900_000);
