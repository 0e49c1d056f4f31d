// The sample page's "Why the model says so" section in a real browser against `gexbert start` (the shipped
// model with its heads) on the real CHOL counts with survival: the signed bars are the API's top attributions
// in order, the table's TSV download holds the same genes and values, and the links switch to the risk
// score's and to the log-odds' attributions; a sample whose attributions are not stored shows the rest of its
// page while the API computes them in the background (how many of its genes are done), then them (stored: a
// second visit does not compute); a gene page shows the gene's rank in CHOL's gene importance as the API gives
// it.
// Screenshots go to test/artifacts/portal.
import fs from 'node:fs';
import path from 'node:path';
import { query } from '@gexbert/core/test-support/database';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cholDatabase } from '../support/cholDatabase.ts';
import { closeSignedInPortal, openSignedInPortal, type SignedInPortal } from '../support/portalStack.ts';

const ARTIFACTS = path.join(import.meta.dirname, '../artifacts/portal');
let portal: SignedInPortal | undefined;
let token: string;
let sampleId: number;
let cohortId: number;
let dbUrl: string;

beforeAll(async () => {
  const chol = await cholDatabase('attribution');
  ({ token, cohortId } = chol);
  dbUrl = chol.dbUrl;
  sampleId = (await query<{ id: number }>(dbUrl, `SELECT min(id) AS id FROM "Sample"`))[0]!.id;
  // gene importance over the first CHOL sample (the one the sample page explains): the gene page shows the
  // rank the API gives, whatever the bound (the mean over several samples is services/api/test/attribution's)
  portal = await openSignedInPortal(dbUrl, token, { GEXBERT_ATTRIBUTION_SAMPLES: '1' });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 900_000);

afterAll(() => closeSignedInPortal(portal));

async function graphql<T>(q: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(portal!.stack.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: q, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function apiAttributions(target: string) {
  const data = await graphql<{
    sample: {
      attributions: {
        cancerType: string | null;
        baseline: number;
        genes: { ensemblId: string; gene: { symbol: string | null } | null; attribution: number }[];
      };
    };
  }>(
    `query($id: ID, $t: AttributionTarget!) { sample(id: $id) { attributions(target: $t, top: 200) {
      cancerType baseline genes { ensemblId gene { symbol } attribution } } } }`,
    { id: String(sampleId), t: target },
  );
  return data.sample.attributions;
}

const storedAttributions = async (id: number) =>
  (
    await query<{ n: number }>(
      dbUrl,
      `SELECT count(*)::int AS n FROM "SampleAttribution" WHERE "sampleId" = $1`,
      [id],
    )
  )[0]!.n;

it('shows the rest of the sample page while the attributions are computed, then them; a second visit reads them stored', async () => {
  // the newest CHOL sample: not the first, whose attributions the worker's gene importance stores
  const [last] = await query<{ id: number }>(dbUrl, `SELECT max(id) AS id FROM "Sample"`);
  const id = last!.id;
  expect(await storedAttributions(id)).toBe(0);
  const page = await portal!.context.newPage();
  page.setDefaultTimeout(300_000);
  await page.goto(`${portalUrl()}/samples/${id}`);
  // the page as served: its prediction is there, and the attributions are still being computed
  const computing = page.getByTestId('attributions-computing');
  await computing.waitFor();
  expect(await page.locator('section[aria-labelledby="predictions"]').count()).toBe(1);
  expect(await page.getByTestId('attribution-plot').count()).toBe(0);
  const served = await computing.textContent();
  expect(served).toMatch(/Computing gene attributions/);
  // from the first answer on it says what it is doing, not only for how long
  expect(served).toMatch(
    /reading the sample's values and loading the model|waiting for the model| of [\d,]+ genes/,
  );
  console.log(`sample page as served: ${served}`);
  await page.getByTestId('attributions').screenshot({ path: path.join(ARTIFACTS, 'attribution-served.png') });
  // then how many of the sample's measured genes are done (the progress the API stores as it computes)
  // (once the model has its turn: minutes at this machine's load); the plot instead would mean none was shown
  const first = computing
    .filter({ hasText: / of [\d,]+ genes/ })
    .or(page.getByTestId('attribution-plot'))
    .first();
  const counted = await first.textContent({ timeout: 900_000 });
  console.log(`sample page while computing: ${counted}`);
  expect(counted, 'the page showed no "N of M genes" while computing').toMatch(/Computing gene attributions/);
  const progress = / ([\d,]+) of ([\d,]+) genes/.exec(counted!)!;
  const [done, total] = [progress[1]!, progress[2]!].map((n) => Number(n.replaceAll(',', '')));
  expect(total).toBe(1000); // CHOL measures every vocabulary gene
  expect(done).toBeLessThanOrEqual(total!);
  await page
    .getByTestId('attributions')
    .screenshot({ path: path.join(ARTIFACTS, 'attribution-computing.png') });
  // the page refreshes until they are there, stored (one model run per gene: minutes at this machine's load)
  await page.getByTestId('attribution-plot').waitFor({ timeout: 900_000 });
  expect(await page.getByTestId('signed-bar').count()).toBe(20);
  expect(await storedAttributions(id)).toBe(1);
  // a second visit shows them as served, without computing
  await page.goto(`${portalUrl()}/samples/${id}?why=RISK`);
  await page.getByTestId('attributions').waitFor();
  expect(await page.getByTestId('attributions-computing').count()).toBe(0);
  expect(await page.getByTestId('attribution-plot').count()).toBe(1);
  await page.close();
}, 1_200_000);

it('draws the top genes as signed bars, downloads them as TSV and switches to the risk score', async () => {
  const page = await portal!.context.newPage();
  page.setDefaultTimeout(300_000);
  await page.goto(`${portalUrl()}/samples/${sampleId}`);
  const section = page.getByTestId('attributions');
  await section.waitFor();
  // computed in the background if not stored yet
  await page.getByTestId('attribution-plot').waitFor({ timeout: 900_000 });
  expect(await section.getAttribute('data-target')).toBe('CANCER_TYPE');
  const api = await apiAttributions('CANCER_TYPE');
  const bars = page.getByTestId('signed-bar');
  expect(await bars.count()).toBe(20);
  const drawn = await bars.evaluateAll((els) =>
    els.map((e) => [e.getAttribute('data-label'), Number(e.getAttribute('data-value'))] as const),
  );
  drawn.forEach(([label, value], i) => {
    const g = api.genes[i]!;
    expect(label).toBe(g.gene?.symbol ?? g.ensemblId);
    expect(value).toBeCloseTo(g.attribution, 10);
  });
  expect(drawn.some(([, v]) => v !== 0)).toBe(true);
  expect(await page.getByTestId('attribution-plot').textContent()).toContain(
    `probability of ${api.cancerType}`,
  );
  await page.getByTestId('attribution-plot').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'attribution-sample.png'), fullPage: false });

  const table = page.getByTestId('attribution-table');
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    table.getByRole('button', { name: 'TSV' }).click(),
  ]);
  const rows = fs
    .readFileSync((await file.path())!, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
  expect(rows[0]).toEqual([
    'Rank',
    'Gene',
    'Ensembl ID',
    'Input log2(CPM+1)',
    'Attribution',
    'Output with gene hidden',
  ]);
  expect(rows).toHaveLength(201);
  rows.slice(1).forEach((r, i) => {
    expect(r[2]).toBe(api.genes[i]!.ensemblId);
    expect(Number(r[4])).toBeCloseTo(api.genes[i]!.attribution, 6);
  });

  await page.getByRole('link', { name: 'the risk score', exact: true }).click();
  await page.waitForURL(/why=RISK/);
  await page.locator('[data-testid="attributions"][data-target="RISK"]').waitFor();
  const risk = await apiAttributions('RISK');
  expect(Number(await page.getByTestId('attribution-baseline').getAttribute('data-baseline'))).toBeCloseTo(
    risk.baseline,
    10,
  );
  await page.getByTestId('attribution-plot').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'attribution-sample-risk.png'), fullPage: false });

  // the log-odds of the predicted type: the same occlusions, not saturated near p = 1
  await page.getByRole('link', { name: /^the log-odds/ }).click();
  await page.waitForURL(/why=CANCER_TYPE_LOG_ODDS/);
  await page.locator('[data-testid="attributions"][data-target="CANCER_TYPE_LOG_ODDS"]').waitFor();
  const logOdds = await apiAttributions('CANCER_TYPE_LOG_ODDS');
  expect(logOdds.cancerType).toBe(api.cancerType);
  expect(logOdds.baseline).toBeCloseTo(Math.log(api.baseline / (1 - api.baseline)), 4);
  expect(Number(await page.getByTestId('attribution-baseline').getAttribute('data-baseline'))).toBeCloseTo(
    logOdds.baseline,
    10,
  );
  expect(await page.getByTestId('attribution-plot').textContent()).toContain(`log-odds of ${api.cancerType}`);
  const logOddsBars = await page
    .getByTestId('signed-bar')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  logOddsBars.forEach((v, i) => {
    expect(v).toBeCloseTo(logOdds.genes[i]!.attribution, 10);
  });
  await page.getByTestId('attribution-plot').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'attribution-sample-log-odds.png'), fullPage: false });
  await page.close();
}, 1_500_000);

it('shows on the gene page where a gene ranks in a cancer type’s attributions', async () => {
  const page = await portal!.context.newPage();
  page.setDefaultTimeout(600_000);
  const { cohort } = await graphql<{
    cohort: {
      geneImportance: {
        samplesUsed: number;
        genes: { rank: number; gene: { symbol: string | null } | null }[];
      };
    };
  }>(
    `query($c: ID) { cohort(id: $c) { geneImportance(cancerType: "CHOL", target: CANCER_TYPE, top: 10) {
      samplesUsed genes { rank gene { symbol } } } } }`,
    { c: String(cohortId) },
  );
  expect(cohort.geneImportance.samplesUsed).toBe(1);
  const third = cohort.geneImportance.genes[2]!.gene!.symbol!;
  await page.goto(`${portalUrl()}/cohorts/${cohortId}/genes/${third}`);
  await page.getByTestId('importance-types').getByRole('link', { name: 'CHOL', exact: true }).click();
  await page.waitForURL(/importance=CHOL/);
  const shown = page.getByTestId('gene-importance');
  await shown.waitFor();
  expect(await shown.getAttribute('data-rank')).toBe('3');
  expect(await shown.textContent()).toContain(`${third} ranks 3 of 1000 genes for CHOL`);
  await shown.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'attribution-gene.png'), fullPage: false });
  await page.close();
}, 900_000);

function portalUrl(): string {
  return portal!.stack.portalUrl;
}
