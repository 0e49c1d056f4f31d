// The API explorer (GraphiQL served by the API, services/api/src/explorer.ts) in headless Chromium with every
// request to another host refused: the page, its script, styles and editor workers come from the API itself,
// and its documentation explorer shows the schema's types and their descriptions.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from '../../services/api/test/support.ts';
import { launchBrowser, newContext } from '../support/browser.ts';

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness(['CHOL'], { anonymousRole: 'READER' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

it('loads with no outside network and documents the schema', async () => {
  const context = await newContext(browser);
  const refused: string[] = [];
  const local: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (
      url.protocol === 'data:' ||
      url.protocol === 'blob:' ||
      ['127.0.0.1', 'localhost'].includes(url.hostname)
    ) {
      local.push(url.pathname);
      return route.continue();
    }
    refused.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  await page.goto(h.url);
  expect(await page.title()).toBe('GexBERT API explorer');
  // GraphiQL rendered its editors, and fetched the schema through this server
  await page.locator('.graphiql-container').first().waitFor();
  await page.getByRole('button', { name: /documentation explorer/i }).click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('Query', { exact: true }).first().click();
  await docs.getByText('cohort', { exact: true }).first().click();
  await expect
    .poll(() => docs.textContent(), { timeout: 30_000 })
    .toContain('One cohort by its ID or its name');
  await docs.getByText('Cohort', { exact: true }).first().click();
  await expect.poll(() => docs.textContent(), { timeout: 30_000 }).toContain('A named set of samples.');
  await page.screenshot({ path: '/tmp/i16x/explorer.png' });
  expect(local).toContain('/explorer-assets/graphiql.js');
  expect(local).toContain('/explorer-assets/graphiql.css');
  expect(refused).toEqual([]);
  expect(failures).toEqual([]);
  await context.close();
});
