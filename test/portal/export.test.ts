// A cohort's downloads in a real browser against `gexbert start` on the real CHOL counts with survival: the
// cohort page offers the matrix in the cohort's units (log2(CPM + 1) or raw counts) for all or some genes and
// the clinical table, with R and Python lines to read them; the downloaded gzip files hold what the API's
// GraphQL gene queries and patient fields answer.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { CLINICAL_COLUMNS } from '@gexbert/api/exports/cohortClinical';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cholDatabase } from '../support/cholDatabase.ts';
import { closeSignedInPortal, openSignedInPortal, type SignedInPortal } from '../support/portalStack.ts';

let portal: SignedInPortal | undefined;
let context: BrowserContext;
let portalUrl: string;
let apiUrl: string;
let token: string;
let cohortId: number;

beforeAll(async () => {
  const chol = await cholDatabase('export');
  ({ token, cohortId } = chol);
  portal = await openSignedInPortal(chol.dbUrl, token);
  ({ context } = portal);
  ({ portalUrl, apiUrl } = portal.stack);
}, 900_000);

afterAll(() => closeSignedInPortal(portal));

/** The downloaded file, gunzipped (throws when it is not valid gzip), as rows of cells. */
async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; rows: string[][] }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const text = zlib.gunzipSync(fs.readFileSync((await file.path())!)).toString('utf8');
  return {
    name: file.suggestedFilename(),
    rows: text
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t')),
  };
}

async function graphql<T>(q: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: q, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

it('downloads the matrix of chosen genes in log2(CPM + 1) and the clinical table from the cohort page', async () => {
  const page = await context.newPage();
  await page.goto(`${portalUrl}/cohorts/${cohortId}`);
  const unit = page.getByTestId('export-unit');
  await unit.waitFor();
  expect(await unit.locator('option').allTextContents()).toEqual(['log2(CPM + 1)', 'raw count']);
  await page.getByText('Read the files in R or Python').click();
  expect(await page.getByTestId('export-r').textContent()).toContain(`cohort-${cohortId}-expression.tsv.gz`);
  expect(await page.getByTestId('export-python').textContent()).toContain('pd.read_csv');
  await page.getByTestId('export-matrix').scrollIntoViewIfNeeded();
  await page.screenshot({ path: '/tmp/i16x/portal-export.png', fullPage: false });

  await page.getByLabel(/Genes to export/).fill('TP53, GAPDH');
  const matrix = await download(page, () => page.getByTestId('export-matrix').click());
  expect(matrix.name).toBe(`cohort-${cohortId}-expression.tsv.gz`);
  expect(matrix.rows.map((r) => r.slice(0, 2))).toEqual([
    ['gene', 'symbol'],
    ['ENSG00000141510', 'TP53'],
    ['ENSG00000111640', 'GAPDH'],
  ]);
  const answer = await graphql<{
    cohort: { geneValues: { barcodes: string[]; values: (number | null)[] }[] };
  }>(
    `query($id: ID!) { cohort(id: $id) { geneValues(genes: ["TP53", "GAPDH"], transform: LOG2_CPM) { barcodes values } } }`,
    { id: String(cohortId) },
  );
  for (const [g, column] of answer.cohort.geneValues.entries()) {
    expect(matrix.rows[0]!.slice(2)).toEqual(column.barcodes);
    expect(matrix.rows[g + 1]!.slice(2)).toEqual(column.values.map((v) => (v === null ? 'NA' : String(v))));
  }
  expect(matrix.rows[0]!.length - 2).toBe(29);

  const clinical = await download(page, () => page.getByTestId('export-clinical').click());
  expect(clinical.name).toBe(`cohort-${cohortId}-clinical.tsv.gz`);
  expect(clinical.rows[0]!.slice(0, CLINICAL_COLUMNS.length)).toEqual([...CLINICAL_COLUMNS]);
  expect(clinical.rows.slice(1).map((r) => r[0])).toEqual(matrix.rows[0]!.slice(2));
  const patient = clinical.rows[1]![1]!;
  const stored = await graphql<{ patient: { osDays: number | null; cancerType: string } }>(
    'query($b: String!) { patient(barcode: $b) { osDays cancerType } }',
    { b: patient },
  );
  expect(clinical.rows[1]![2]).toBe(stored.patient.cancerType);
  expect(clinical.rows[1]![6]).toBe(stored.patient.osDays === null ? 'NA' : String(stored.patient.osDays));
  await page.close();
});

it('refuses a download without a session, and passes on the API refusal of a bad gene', async () => {
  const anonymous = await fetch(`${portalUrl}/cohorts/${cohortId}/export/expression.tsv.gz`);
  expect(anonymous.status).toBe(401);
  const page = await context.newPage();
  const res = await page.request.get(
    `${portalUrl}/cohorts/${cohortId}/export/expression.tsv.gz?unit=LOG2_CPM&genes=NOSUCHGENE`,
  );
  expect(res.status()).toBe(400);
  expect(await res.text()).toMatch(/unknown genes: NOSUCHGENE/);
  await page.close();
});
