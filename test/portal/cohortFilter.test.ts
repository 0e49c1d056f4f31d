// The cohort filter form in a real browser against `gexbert start` on the real ACC counts with the pan-cancer
// survival table: a curator counts the samples a filter (cancer types, a clinical attribute, a TP53
// threshold in log2 CPM) selects, creates the cohort, sees its filter and clinical attributes on the
// dashboard, and rebuilds it after UVM's counts arrive. The counts are checked against the source files read
// here. Screenshots go to test/artifacts/portal.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createToken } from '@gexbert/core/auth/tokens';
import { createPrisma } from '@gexbert/core/db/prisma';
import { ingestClinical, ingestCounts } from '@gexbert/core/ingest/index';
import { geneLog2CpmInFile } from '@gexbert/core/test-support/countsFile';
import { createTestDatabase } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import pg from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeSignedInPortal, openSignedInPortal, type SignedInPortal } from '../support/portalStack.ts';

const ARTIFACTS = path.join(import.meta.dirname, '../artifacts/portal');
const counts = (type: string) => path.join(sharedDir(), `data/tcga/counts/TCGA_${type}_Counts.exp.gz`);
const OS_TABLE = path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz');
const TP53 = 'ENSG00000141510';

let portal: SignedInPortal | undefined;
let context: BrowserContext;
let portalUrl: string;
let pool: pg.Pool;
/** What the stack printed (shown when the test fails). */
let stackLog = '';

const rows = (file: string) =>
  zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));

/** Per sample (15 characters): TP53's log2(CPM + 1), from the counts file. */
const tp53 = (type: string) => geneLog2CpmInFile(counts(type), TP53);

/** vital_status per patient from the survival table. */
function vitalStatus(): Map<string, string> {
  const [header, ...body] = rows(OS_TABLE);
  const [p, v] = ['patient', 'vital_status'].map((c) => header!.indexOf(c));
  return new Map(body.map((r) => [r[p!]!, r[v!]!]));
}

beforeAll(async () => {
  const dbUrl = await createTestDatabase('cohortfilter');
  pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prisma = createPrisma(pool); // shares the pool, which is ended below
  await ingestCounts(pool, counts('ACC'), { cohort: 'ACC' });
  await ingestClinical(pool, OS_TABLE);
  const token = (await createToken(prisma, 'filter curator', 'CURATOR')).token;
  portal = await openSignedInPortal(dbUrl, token);
  ({ context } = portal);
  portalUrl = portal.stack.portalUrl;
  // what the stack prints is shown when the test fails
  for (const stream of [portal.stack.process.stdout!, portal.stack.process.stderr!])
    stream.on('data', (d) => {
      stackLog += d;
    });
}, 900_000);

afterAll(async () => {
  await closeSignedInPortal(portal);
  await pool?.end();
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

it('counts, creates and rebuilds a cohort from filters', async () => {
  const page = await context.newPage();
  try {
    await filterCohort(page);
  } catch (error) {
    await screenshot(page, 'cohort-filter-failure');
    console.log(stackLog.slice(-6000));
    throw error;
  } finally {
    await page.close();
  }
}, 900_000);

const started = Date.now();
const step = (what: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);

async function filterCohort(page: Page): Promise<void> {
  const acc = tp53('ACC');
  // halfway between the two middle values, not at one sample's value: this file's log2(CPM + 1) and the
  // platform's may differ in the last bit, which decided whether the median sample was above a cut at its own
  // value (21 or 22 matching)
  const sorted = [...acc.values()].sort((a, b) => a - b);
  const middle = Math.floor(acc.size / 2);
  const cut = (sorted[middle - 1]! + sorted[middle]!) / 2;
  const vital = vitalStatus();
  const members = (values: Map<string, number>) =>
    [...values.keys()].filter((s) => values.get(s)! > cut && vital.get(s.slice(0, 12)) === 'Alive');
  const matching = (values: Map<string, number>) => members(values).length;
  const patients = new Set(members(acc).map((s) => s.slice(0, 12))).size;
  await page.goto(`${portalUrl}/cohorts`);
  step('cohorts page');
  const form = page.getByTestId('create-cohort-form');
  await form.getByLabel('Name').fill('Alive, TP53 high');
  await form.getByLabel('ACC').check();
  await form.getByLabel('Other cancer types (comma-separated)').fill('UVM');
  await form.getByLabel('Clinical condition 1: attribute').selectOption('vital_status');
  await form.getByLabel('Clinical condition 1: operator').selectOption('IN');
  await form.getByLabel('Clinical condition 1: value').fill('Alive');
  await form.getByLabel('Expression threshold 1: gene').fill('TP53');
  await form.getByLabel('Expression threshold 1: operator').selectOption('GT');
  await form.getByLabel('Expression threshold 1: value').fill(String(cut));
  await form.getByRole('button', { name: 'Count matching samples' }).click();
  const preview = page.getByTestId('filter-preview');
  await preview.waitFor();
  expect(await preview.textContent()).toMatch(
    new RegExp(
      `^${matching(acc)} samples of ${patients} patients match: cancer type ACC or UVM; vital_status is Alive; TP53 > `,
    ),
  );
  await screenshot(page, 'cohort-filter-form-laptop');
  step('previewed');

  // a bad value is refused with the API's message, and nothing is created
  await form.getByLabel('Clinical condition 1: operator').selectOption('GT');
  await form.getByLabel('Clinical condition 1: value').fill('3');
  await form.getByRole('button', { name: 'Count matching samples' }).click();
  await expect
    .poll(() => form.getByRole('alert').textContent())
    .toMatch(/vital_status is categorical, so GT cannot compare it/);
  await form.getByLabel('Clinical condition 1: operator').selectOption('IN');
  await form.getByLabel('Clinical condition 1: value').fill('Alive');

  await form.getByRole('button', { name: 'Create cohort' }).click();
  await page.waitForURL(/\/cohorts\/\d+$/);
  step('created');
  expect(await page.getByTestId('cohort-sample-count').textContent()).toBe(String(matching(acc)));
  expect(await page.getByTestId('cohort-filter-description').textContent()).toMatch(
    /^cancer type ACC or UVM; vital_status is Alive; TP53 > .* log2 CPM$/,
  );
  // the dashboard draws the clinical attributes: vital_status as counts, days_to_death as a histogram
  const vitalPlot = page.getByTestId('clinical-plot-vital_status');
  await vitalPlot.waitFor();
  expect(await vitalPlot.locator('rect.bar').count()).toBe(1); // every member is alive
  expect(
    await page.getByTestId('clinical-plot-days_to_last_followup').locator('rect.bar').count(),
  ).toBeGreaterThan(1);
  await screenshot(page, 'cohort-filter-dashboard-laptop');

  // UVM's counts arrive; rebuilding adds its matching samples
  const uvm = tp53('UVM');
  await ingestCounts(pool, counts('UVM'), { cohort: 'UVM' });
  await ingestClinical(pool, OS_TABLE);
  step('UVM ingested');
  await page.getByTestId('rebuild-cohort').click();
  await expect
    .poll(() => page.getByTestId('rebuild-result').textContent())
    .toBe(`Rebuilt: ${matching(uvm)} added, 0 removed, ${matching(acc) + matching(uvm)} samples now.`);
  await page.reload();
  expect(await page.getByTestId('cohort-sample-count').textContent()).toBe(
    String(matching(acc) + matching(uvm)),
  );
  await screenshot(page, 'cohort-filter-rebuilt-laptop');

  // a member's page links to its patient, whose clinical attributes are listed
  const barcode = members(acc)[0]!;
  await page.goto(`${portalUrl}/patients/${barcode.slice(0, 12)}`);
  const facts = page.getByTestId('clinical-facts');
  expect(await facts.textContent()).toContain('vital_statusAlive');
  await screenshot(page, 'patient-laptop');
  step('patient page');
}
