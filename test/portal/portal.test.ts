// The portal in a real browser: `gexbert start` on a fresh database holding real TCGA cohorts, Debian's
// chromium driven by playwright-core. Every page loads without console errors and shows the numbers the
// database and the API give; plots have drawn marks; tables page, search and download; a cohort is created
// from filters (by a curator); a retraining run is queued (by an admin; a reader sees no Retrain form); a
// failed import shows its error. Each role signs in through the sign-in page with its own API token (browser
// context per role; the reader browses).
// Screenshots go to test/artifacts/portal/ (laptop and projector widths). The stack runs without a worker
// (`--no-worker`), so a queued retraining run stays QUEUED and nothing trains during the test.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createToken } from '@gexbert/core/auth/tokens';
import { REPO_ROOT } from '@gexbert/core/config';
import { createPrisma } from '@gexbert/core/db/prisma';
import { ingestClinical, ingestCounts, ingestTable } from '@gexbert/core/ingest/index';
import { createTestDatabase, query } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_WAIT_MS, launchBrowser, newContext } from '../support/browser.ts';
import { startCli } from '../support/cli.ts';

const TYPES = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];
const COHORT = 'TCGA six';
const ARTIFACTS = path.join(REPO_ROOT, 'test/artifacts/portal');
/** How long a table navigation (a link or the search form) may take to show its result. */
const NAVIGATION = { timeout: 60_000, interval: 200 };
const WIDTHS = { laptop: { width: 1366, height: 800 }, projector: { width: 1920, height: 1080 } };

let dbUrl: string;
let stack: ChildProcess;
let portalUrl: string;
let apiUrl: string;
let readerToken: string;
let curatorToken: string;
let adminToken: string;
/** A counts file with a non-numeric value (line 2, column 2): its import fails and is recorded as FAILED. */
let badFile: string;
let browser: Browser;
/** Signed in as a reader (most tests), a curator (creates cohorts) and an admin (retrains). */
let context: BrowserContext;
let curatorContext: BrowserContext;
let adminContext: BrowserContext;
const consoleErrors: string[] = [];

/** Waits for a line of `gexbert start`'s stdout matching `pattern`; returns the match. */
function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  output: { text: string },
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output.text);
      if (match) resolve(match);
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`gexbert start exited (${code}):\n${output.text}`)));
    check();
  });
}

async function api<T>(text: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${readerToken}` },
    body: JSON.stringify({ query: text, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

/** A new page that records console errors and uncaught exceptions into `consoleErrors`. */
async function openPage(
  url: string,
  width: keyof typeof WIDTHS = 'laptop',
  timeout = BROWSER_WAIT_MS,
  as: BrowserContext = context,
): Promise<Page> {
  const page = await as.newPage();
  await page.setViewportSize(WIDTHS[width]);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  await page.goto(url, { waitUntil: 'networkidle', timeout });
  return page;
}

/** A browser context signed in with `token` through the portal's sign-in page. */
async function signedInContext(token: string): Promise<BrowserContext> {
  const signed = await newContext(browser, { acceptDownloads: true });
  const page = await signed.newPage();
  await page.goto(`${portalUrl}/cohorts`);
  await page.waitForURL(/\/signin\?next=%2Fcohorts$/);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/cohorts$/);
  await page.close();
  return signed;
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  dbUrl = await createTestDatabase('portal');
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prisma = createPrisma(pool); // shares the pool, which is ended below
  try {
    for (const type of TYPES)
      await ingestCounts(pool, path.join(sharedDir(), `data/tcga/counts/TCGA_${type}_Counts.exp.gz`), {
        cohort: COHORT,
      });
    await ingestClinical(pool, path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz'));
    badFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-portal-')), 'TCGA_BAD_Counts.tsv');
    fs.writeFileSync(badFile, '\tTCGA-AA-0001-01A\nENSG00000141510\tnot-a-count\n');
    await expect(ingestCounts(pool, badFile)).rejects.toThrow(`${badFile}:2:2`);
    readerToken = (await createToken(prisma, 'portal test', 'READER')).token;
    curatorToken = (await createToken(prisma, 'portal curator', 'CURATOR')).token;
    adminToken = (await createToken(prisma, 'portal admin', 'ADMIN')).token;
  } finally {
    await pool.end();
  }
  const output = { text: '' };
  stack = startCli(['start', '--no-demo', '--no-worker'], {
    DATABASE_URL: dbUrl,
    GEXBERT_API_PORT: '0',
    GEXBERT_PORTAL_PORT: '0',
  });
  stack.stdout!.on('data', (d) => (output.text += d));
  let stderr = '';
  stack.stderr!.on('data', (d) => (stderr += d));
  apiUrl = (await waitForLine(stack, /GraphQL API (\S+)/, output))[1]!;
  const portal = waitForLine(stack, /^Portal\s+(http\S+)/m, output);
  const failed = new Promise<never>((_, reject) =>
    stack.stderr!.on('data', () => {
      if (/error: the portal/.test(stderr)) reject(new Error(stderr));
    }),
  );
  portalUrl = (await Promise.race([portal, failed]))[1]!;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchBrowser();
  context = await signedInContext(readerToken);
  curatorContext = await signedInContext(curatorToken);
  adminContext = await signedInContext(adminToken);
}, 900_000);

afterAll(async () => {
  await Promise.all([context?.close(), curatorContext?.close(), adminContext?.close()]);
  await browser?.close();
  if (stack && stack.exitCode === null) {
    const exited = new Promise((resolve) => stack.once('exit', resolve));
    stack.kill('SIGINT');
    await exited;
  }
});

describe('the portal', () => {
  let cohortId: string;
  let sampleCount: number;

  it('lists the cohorts with their sample counts, cancer types and survival coverage', async () => {
    const [row] = await query<{ id: number; n: string }>(
      dbUrl,
      `SELECT c.id, count(*) AS n FROM "Cohort" c JOIN "CohortSample" cs ON cs."cohortId" = c.id
       WHERE c.name = $1 GROUP BY c.id`,
      [COHORT],
    );
    cohortId = String(row!.id);
    sampleCount = Number(row!.n);
    const page = await openPage(`${portalUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/cohorts');
    expect(await page.getByTestId('session-user').textContent()).toBe('portal test (reader)');
    const cells = await page
      .getByTestId('cohort-table')
      .locator('tbody tr')
      .first()
      .locator('td')
      .allInnerTexts();
    expect(cells[0]).toBe(COHORT);
    expect(cells[1]).toBe(sampleCount.toLocaleString('en-US'));
    expect(
      cells[2]!
        .split(', ')
        .map((t) => t.split(' ')[0])
        .sort(),
    ).toEqual(TYPES);
    const [survival] = await query<{ n: string }>(
      dbUrl,
      `SELECT count(DISTINCT p.id) AS n FROM "Patient" p JOIN "Sample" s ON s."patientId" = p.id
       JOIN "CohortSample" cs ON cs."sampleId" = s.id WHERE cs."cohortId" = $1 AND p."osDays" IS NOT NULL`,
      [row!.id],
    );
    expect(cells[5]).toMatch(new RegExp(`^${survival!.n} of \\d+$`));
    await screenshot(page, 'cohorts-laptop');
    await page.close();
  });

  it('shows a cohort dashboard: figures, composition, Kaplan-Meier curves with the API log-rank p, samples', async () => {
    // The first visit embeds the cohort's samples (then cached by the API), so it may take a while.
    const page = await openPage(`${portalUrl}/cohorts/${cohortId}`, 'laptop', 110_000);
    expect(await page.getByTestId('cohort-sample-count').textContent()).toBe(
      sampleCount.toLocaleString('en-US'),
    );

    const { cohort } = await api<{
      cohort: { survival: { logRank: { pValue: number }; groups: { name: string }[] } };
    }>('query ($id: ID!) { cohort(id: $id) { survival { logRank { pValue } groups { name } } } }', {
      id: cohortId,
    });
    const p = page.getByTestId('logrank-p');
    expect(await p.getAttribute('data-value')).toBe(String(cohort.survival.logRank.pValue));
    const groups = cohort.survival.groups.length;
    expect(groups).toBeGreaterThan(1);

    // The model panels name their model; it knows all six types, so no other model is offered.
    const shown = page.getByTestId('model-shown');
    expect(await shown.getAttribute('data-model')).toBe('tcga-6types');
    expect(await shown.textContent()).toContain("knows all 6 of this cohort's cancer types.");
    expect(await page.getByTestId('model-knowing-more').count()).toBe(0);

    const km = page.getByTestId('km-plot');
    expect(await km.locator('path.km-curve').count()).toBe(groups);
    expect(await km.locator('path.km-band').count()).toBe(groups);
    const d = (await km.locator('path.km-curve').first().getAttribute('d'))!;
    expect(d.split('V').length).toBeGreaterThan(5); // a step curve, not an empty path
    expect(await km.locator('g.at-risk').count()).toBe(groups);
    expect(await page.getByTestId('composition-plot').locator('rect.bar').count()).toBeGreaterThanOrEqual(
      TYPES.length,
    );

    // The sample table pages, sorts and searches through the API (links and a GET form; by keyboard).
    const table = page.getByTestId('sample-table');
    const status = table.getByTestId('pager-status');
    const firstCell = () => table.locator('tbody tr td').first().textContent();
    expect(await status.textContent()).toMatch(
      new RegExp(`^Rows 1–25 of ${sampleCount} · page 1 of ${Math.ceil(sampleCount / 25)}$`),
    );
    const firstBarcode = await firstCell();
    await table.getByRole('link', { name: 'Next' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => status.textContent(), NAVIGATION).toMatch(/^Rows 26–50 of /);
    expect(await firstCell()).not.toBe(firstBarcode);
    await table.getByRole('link', { name: 'Previous' }).click();
    await expect.poll(() => status.textContent(), NAVIGATION).toMatch(/^Rows 1–25 of /);
    expect(await firstCell()).toBe(firstBarcode);
    const header = table.locator('thead th').first();
    await table.getByRole('link', { name: 'Sample', exact: true }).click();
    await expect.poll(() => header.getAttribute('aria-sort'), NAVIGATION).toBe('ascending');
    await table.getByRole('link', { name: 'Sample', exact: true }).click();
    await expect.poll(() => header.getAttribute('aria-sort'), NAVIGATION).toBe('descending');
    const byBarcode = await query<{ barcode: string; cancerType: string }>(
      dbUrl,
      `SELECT s.barcode, p."cancerType" FROM "Sample" s JOIN "CohortSample" cs ON cs."sampleId" = s.id
       JOIN "Patient" p ON p.id = s."patientId" WHERE cs."cohortId" = $1 ORDER BY s.barcode COLLATE "C" DESC`,
      [Number(cohortId)],
    );
    await expect.poll(firstCell, NAVIGATION).toBe(byBarcode[0]!.barcode);
    await table.getByRole('searchbox').fill(firstBarcode!);
    await table.getByRole('searchbox').press('Enter');
    await expect
      .poll(() => status.textContent(), NAVIGATION)
      .toMatch(new RegExp(`^Rows 1–1 of 1 \\(of ${sampleCount}\\)`));
    expect(await table.locator('tbody tr').count()).toBe(1);
    // A search for a cancer type (any case) keeps the sort; the TSV holds every matching sample in that order.
    await table.getByRole('searchbox').fill('chol');
    await table.getByRole('searchbox').press('Enter');
    const chol = byBarcode.filter((r) => r.cancerType === 'CHOL').map((r) => r.barcode);
    await expect
      .poll(() => status.textContent(), NAVIGATION)
      .toMatch(new RegExp(`^Rows 1–25 of ${chol.length} \\(`));
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const filtered = await download(page, () => table.getByRole('link', { name: 'TSV' }).click());
    const filteredLines = filtered.toString('utf8').trimEnd().split('\n');
    expect(filteredLines.slice(1).map((line) => line.split('\t')[0])).toEqual(chol);
    await table.getByRole('searchbox').fill('');
    await table.getByRole('searchbox').press('Enter');
    await expect
      .poll(() => status.textContent(), NAVIGATION)
      .toMatch(new RegExp(`^Rows 1–25 of ${sampleCount} ·`));

    // Downloads: the table as TSV, the Kaplan-Meier plot as SVG and PNG.
    const tsv = await download(page, () => table.getByRole('link', { name: 'TSV' }).click());
    const lines = tsv.toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('Sample\tSample type\tCancer type\tPatient\tOS (days)\tDied');
    expect(lines).toHaveLength(sampleCount + 1);
    const svg = (await download(page, () => km.getByRole('button', { name: /as SVG$/ }).click())).toString(
      'utf8',
    );
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('class="km-curve"');
    const png = await download(page, () => km.getByRole('button', { name: /as PNG$/ }).click());
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);

    await screenshot(page, 'cohort-dashboard-laptop');
    await page.setViewportSize(WIDTHS.projector);
    await screenshot(page, 'cohort-dashboard-projector');
    await page.close();
  });

  it("draws the chosen types on the cohort's survival page, with the API's log-rank across them", async () => {
    const page = await openPage(`${portalUrl}/cohorts/${cohortId}/survival?types=UVM&types=ACC`);
    const survivalOf = async (types: string[]) =>
      (
        await api<{ cohort: { survival: { logRank: { pValue: number }; groups: { name: string }[] } } }>(
          'query ($id: ID!, $types: [String!]) { cohort(id: $id) { survival(types: $types) { logRank { pValue } groups { name } } } }',
          { id: cohortId, types },
        )
      ).cohort.survival;
    const drawn = () =>
      page
        .getByTestId('km-plot')
        .locator('g[data-group]')
        .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group')));
    const two = await survivalOf(['UVM', 'ACC']);
    expect(two.groups.map((g) => g.name)).toEqual(['ACC', 'UVM']);
    expect(await drawn()).toEqual(['ACC', 'UVM']);
    expect(await page.getByTestId('logrank-p').getAttribute('data-value')).toBe(String(two.logRank.pValue));
    expect(await page.getByRole('checkbox', { name: /^ACC / }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /^CHOL / }).isChecked()).toBe(false);
    // one more type ticked: the URL carries the choice, the test is across the three
    await page.getByRole('checkbox', { name: /^CHOL / }).check();
    await page.getByRole('button', { name: 'Draw the ticked types' }).click();
    await page.waitForURL(/types=CHOL/);
    await page.getByTestId('km-plot').locator('g[data-group="CHOL"]').waitFor();
    expect(await drawn()).toEqual(['ACC', 'CHOL', 'UVM']);
    const three = await survivalOf(['ACC', 'CHOL', 'UVM']);
    expect(await page.getByTestId('logrank-p').getAttribute('data-value')).toBe(String(three.logRank.pValue));
    // a type the cohort does not have is named, and every type is drawn instead
    await page.goto(`${portalUrl}/cohorts/${cohortId}/survival?types=BRCA`);
    expect(await page.getByTestId('survival-error').textContent()).toMatch(/no patient of "BRCA"/);
    expect(await drawn()).toEqual(TYPES);
    await page.close();
  });

  it('maps the cohort embeddings (one mark per embedded sample, click opens it) and shows risk-group survival', async () => {
    const page = await openPage(`${portalUrl}/cohorts/${cohortId}`);
    const { embeddings, cohort } = await api<{
      embeddings: { sample: { id: string } }[];
      cohort: Record<'median' | 'tertiles', { logRank: { pValue: number }; groups: { name: string }[] }>;
    }>(
      `query ($id: ID!) { embeddings(cohortId: $id) { sample { id } }
         cohort(id: $id) { median: survival(groupBy: RISK_MEDIAN) { logRank { pValue } groups { name } }
                           tertiles: survival(groupBy: RISK_TERTILES) { logRank { pValue } groups { name } } } }`,
      { id: cohortId },
    );
    expect(embeddings.length).toBeGreaterThan(100);
    const map = page.getByTestId('embedding-map');
    await map.waitFor();
    const marks = map.locator('a.map-point circle');
    expect(await marks.count()).toBe(embeddings.length);
    const hrefs = await map.locator('a.map-point').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.sort()).toEqual(embeddings.map((e) => `/samples/${e.sample.id}`).sort());
    // Colour by predicted risk: the legend and the marks' colours change.
    const before = await marks.first().getAttribute('fill');
    await page.getByTestId('embedding-colour-by').selectOption('risk');
    expect(await map.locator('.legend').textContent()).toContain('Predicted risk');
    expect(await marks.first().getAttribute('fill')).not.toBe(before);
    // The colouring is in the URL: the link opens the map coloured the same way.
    await expect.poll(() => new URL(page.url()).searchParams.get('colour')).toBe('risk');
    const shared = await openPage(page.url());
    expect(await shared.getByTestId('embedding-colour-by').inputValue()).toBe('risk');
    expect(await shared.getByTestId('embedding-map').locator('.legend').textContent()).toContain(
      'Predicted risk',
    );
    await shared.close();

    for (const kind of ['median', 'tertiles'] as const) {
      const km = page.getByTestId(`risk-km-${kind}`);
      expect(await page.getByTestId(`risk-logrank-p-${kind}`).getAttribute('data-value')).toBe(
        String(cohort[kind].logRank.pValue),
      );
      expect(await km.locator('path.km-curve').count()).toBe(cohort[kind].groups.length);
      expect(await km.locator('path.km-band').count()).toBe(cohort[kind].groups.length);
      expect(await km.locator('g.at-risk').count()).toBe(cohort[kind].groups.length);
    }
    expect(cohort.median.groups).toHaveLength(2);
    expect(cohort.tertiles.groups).toHaveLength(3);
    await map.scrollIntoViewIfNeeded();
    await screenshot(page, 'cohort-model-panels-laptop');

    // The last-drawn mark is on top of any other: hovering names it, clicking opens its sample.
    const top = map.locator('a.map-point').last();
    const barcode = (await top.getAttribute('data-barcode'))!;
    expect(await top.locator('circle title').textContent()).toMatch(new RegExp(`^${barcode} · `));
    await top.locator('circle').click();
    await page.waitForURL(/\/samples\/\d+/);
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('sample-barcode').textContent()).toBe(barcode);
    await page.close();

    // The same map on a canvas (what cohorts above 1,500 samples get; ?map=canvas asks for it), by PCA
    // (?projection=pca): one point per embedded sample; hovering a point's place names it, clicking there
    // opens its sample.
    const onCanvas = await openPage(`${portalUrl}/cohorts/${cohortId}?map=canvas&projection=pca`);
    const canvas = onCanvas.getByTestId('embedding-map-canvas');
    await canvas.waitFor();
    expect(Number(await canvas.getAttribute('data-points'))).toBe(embeddings.length);
    expect(await onCanvas.getByTestId('embedding-map').locator('a.map-point').count()).toBe(0);
    const placed = await api<{
      cohort: { map: { points: { sampleId: string; barcode: string; x: number; y: number }[] } };
    }>('query ($id: ID!) { cohort(id: $id) { map { points { sampleId barcode x y } } } }', { id: cohortId });
    const rightmost = placed.cohort.map.points.reduce((a, b) => (b.x > a.x ? b : a));
    const [x0, x1, y0, y1] = (await onCanvas.locator('.map-holder').getAttribute('data-extent'))!
      .split(',')
      .map(Number) as [number, number, number, number];
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const px = box.x + ((rightmost.x - x0) / (x1 - x0)) * box.width;
    const py = box.y + (1 - (rightmost.y - y0) / (y1 - y0)) * box.height;
    await onCanvas.mouse.move(px, py);
    const tooltip = onCanvas.getByTestId('embedding-map-tooltip');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toMatch(new RegExp(`^${rightmost.barcode} · `));
    await screenshot(onCanvas, 'cohort-map-canvas-laptop');
    // Its SVG download carries the canvas's points as a picture, taken when asked (not at every load).
    const mapFigure = onCanvas.getByTestId('embedding-map');
    expect(await mapFigure.locator('image.map-snapshot').getAttribute('href')).toBeNull();
    const [svgFile] = await Promise.all([
      onCanvas.waitForEvent('download'),
      mapFigure.getByRole('button', { name: /as SVG$/ }).click(),
    ]);
    const svg = fs.readFileSync((await svgFile.path())!, 'utf8');
    const snapshot = svg.match(/<image [^>]*href="data:image\/png;base64,([^"]+)"/);
    expect(snapshot, 'the SVG download holds a PNG of the canvas').not.toBeNull();
    expect(Buffer.from(snapshot![1]!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(svg).not.toContain('data-canvas-snapshot');
    await onCanvas.mouse.click(px, py);
    await onCanvas.waitForURL(new RegExp(`/samples/${rightmost.sampleId}$`));
    await onCanvas.close();
  }, 300_000); // five page loads (three dashboards, two sample pages): over two minutes at load 15-20 here

  it('draws the map by its better-reading projection first, the other one on a toggle kept in the URL', async () => {
    const { cohort } = await api<{
      cohort: {
        map: {
          projection: 'PCA' | 'UMAP';
          readability: { projection: 'PCA' | 'UMAP'; score: number }[];
          columns: Record<'x' | 'y' | 'umapX' | 'umapY', number[]> & { sampleIds: string[] };
        };
      };
    }>(
      `query ($id: ID!) { cohort(id: $id) { map { projection readability { projection score }
         columns { sampleIds x y umapX umapY } } } }`,
      { id: cohortId },
    );
    const { projection: better, readability, columns } = cohort.map;
    const [pca, umap] = readability;
    expect(better).toBe(umap!.score > pca!.score ? 'UMAP' : 'PCA');
    const other = better === 'UMAP' ? 'PCA' : 'UMAP';
    const xOf = (projection: string) => (projection === 'UMAP' ? columns.umapX : columns.x);
    const pearson = (a: number[], b: number[]) => {
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      const [ma, mb] = [mean(a), mean(b)];
      const dot = (u: number[], mu: number, w: number[], mw: number) =>
        u.reduce((s, x, i) => s + (x - mu) * (w[i]! - mw), 0);
      return dot(a, ma, b, mb) / Math.sqrt(dot(a, ma, a, ma) * dot(b, mb, b, mb));
    };
    /** The drawn marks' horizontal places, in the API's point order. */
    const drawnX = async (page: Page) => {
      const marks = await page
        .getByTestId('embedding-map')
        .locator('a.map-point')
        .evaluateAll((as) =>
          as.map(
            (a) => [a.getAttribute('href'), Number(a.querySelector('circle')!.getAttribute('cx'))] as const,
          ),
        );
      const cx = new Map(marks);
      return columns.sampleIds.map((id) => cx.get(`/samples/${id}`)!);
    };
    /** Waits for the map to be drawn by `projection` and checks the marks follow its coordinates. */
    const shows = async (page: Page, projection: string) => {
      const holder = page.getByTestId('embedding-map').locator('.map-holder');
      await expect.poll(() => holder.getAttribute('data-projection'), NAVIGATION).toBe(projection);
      expect(await page.getByTestId('embedding-projection').inputValue()).toBe(projection);
      expect(pearson(await drawnX(page), xOf(projection))).toBeGreaterThan(0.99999);
      expect(await page.getByTestId('embedding-map').locator('svg').first().textContent()).toContain(
        projection === 'UMAP' ? 'UMAP 1' : 'PC1 (',
      );
    };
    const page = await openPage(`${portalUrl}/cohorts/${cohortId}`);
    await shows(page, better);
    expect(new URL(page.url()).searchParams.get('projection')).toBeNull();
    // both projections' scores, the better one marked
    const note = page.getByTestId('map-readability');
    for (const r of readability)
      expect(
        Number(await note.locator(`[data-projection="${r.projection}"]`).getAttribute('data-score')),
      ).toBe(r.score);
    expect(await note.locator(`[data-projection="${better}"]`).textContent()).toContain('reads better');
    // the toggle draws the other projection and puts it in the URL; the link opens it
    await page.getByTestId('embedding-projection').selectOption(other);
    await shows(page, other);
    await expect.poll(() => new URL(page.url()).searchParams.get('projection')).toBe(other.toLowerCase());
    const shared = await openPage(page.url());
    await shows(shared, other);
    await screenshot(shared, `cohort-map-${other.toLowerCase()}-laptop`);
    await shared.close();
    // and back
    await page.getByTestId('embedding-projection').selectOption(better);
    await shows(page, better);
    await expect.poll(() => new URL(page.url()).searchParams.get('projection')).toBe(better.toLowerCase());
    await page.close();
  }, 300_000);

  it('shows the imputation quality of the 64-gene panel on the cohort dashboard as the API gives it', async () => {
    const page = await openPage(`${portalUrl}/cohorts/${cohortId}`);
    const { cohort } = await api<{
      cohort: {
        imputationQuality: {
          genes: { pearson: number | null }[];
          restored: { medianGenePearson: number; rmse: number };
          baseline: { rmse: number };
        };
      };
    }>(
      `query ($id: ID!) { cohort(id: $id) { imputationQuality {
         genes { pearson } restored { medianGenePearson rmse } baseline { rmse } } } }`,
      { id: cohortId },
    );
    const q = cohort.imputationQuality;
    expect(q.restored.medianGenePearson).toBeGreaterThan(0.3);
    expect(q.restored.rmse).toBeLessThan(q.baseline.rmse);
    const median = page.getByTestId('imputation-median-r');
    await median.waitFor();
    expect(await median.getAttribute('data-value')).toBe(String(q.restored.medianGenePearson));
    expect(await median.textContent()).toBe(q.restored.medianGenePearson.toFixed(3));
    expect(await page.getByTestId('imputation-baseline-rmse').getAttribute('data-value')).toBe(
      String(q.baseline.rmse),
    );
    expect(await page.getByTestId('imputation-histogram').locator('rect.bar').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('imputation-rmse-plot').locator('rect.bar').count()).toBe(2);
    await page.getByTestId('imputation-histogram').scrollIntoViewIfNeeded();
    await screenshot(page, 'cohort-imputation-laptop');
    await page.close();
  });

  it('opens a sample from the cohort table and shows its measured expression as the API gives it', async () => {
    const page = await openPage(`${portalUrl}/cohorts/${cohortId}`);
    const link = page.getByTestId('sample-table').locator('tbody tr a').first();
    const barcode = await link.textContent();
    await link.click();
    await page.waitForURL(/\/samples\//);
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('sample-barcode').textContent()).toBe(barcode);
    const { sample } = await api<{ sample: { expression: { gene: { symbol: string }; value: number }[] } }>(
      'query ($b: String!) { sample(barcode: $b) { expression(genes: ["GAPDH"]) { gene { symbol } value } } }',
      { b: barcode },
    );
    const gapdh = page.getByTestId('expression-table').locator('tbody tr', { hasText: 'GAPDH' });
    expect(await gapdh.locator('td').nth(2).textContent()).toBe(String(sample.expression[0]!.value));
    expect(await page.getByTestId('expression-plot').locator('rect.bar').count()).toBeGreaterThan(5);
    await screenshot(page, 'sample-laptop');

    // Model panels: the predicted type and every probability as the API gives them, the risk score, and the
    // 64-gene panel view: the other vocabulary genes restored from only the first 64 genes of the shipped
    // vocabulary, against their measured values.
    const vocabulary = fs
      .readFileSync(path.join(REPO_ROOT, 'model/checkpoints/tcga-6types/vocabulary.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    const panel = vocabulary.slice(0, 64);
    const heldOut = vocabulary.slice(64, 964);
    const predicted = await api<{
      sample: {
        cancerTypePrediction: {
          cancerType: string | null;
          outOfDistribution: boolean;
          novelty: number;
          heads: { id: string; panelMatched: boolean };
          probability: number;
          probabilities: { cancerType: string; probability: number }[];
        };
        riskScore: {
          score: number;
          percentile: number | null;
          patients: number;
          events: number;
          heads: { id: string };
        };
        restoredValues: {
          value: number | null;
          lower: number | null;
          upper: number | null;
          coverage: number | null;
          measuredValue: number | null;
        }[];
      };
    }>(
      `query ($b: String!, $panel: [String!]!, $heldOut: [String!]!) { sample(barcode: $b) {
         cancerTypePrediction { cancerType outOfDistribution novelty heads { id panelMatched } probability
                                probabilities { cancerType probability } }
         riskScore { score percentile patients events heads { id } }
         restoredValues(genes: $heldOut, inputGenes: $panel) { value lower upper coverage measuredValue } } }`,
      { b: barcode, panel, heldOut },
    );
    const prediction = predicted.sample.cancerTypePrediction;
    // A real TCGA sample of a known type: not flagged, so its predicted type is shown with data-ood=false,
    // no unknown-type notice, and the head version that answered.
    expect(prediction.outOfDistribution).toBe(false);
    expect(prediction.cancerType).not.toBeNull();
    const type = page.getByTestId('predicted-type');
    expect(await type.textContent()).toBe(prediction.cancerType);
    expect(await type.getAttribute('data-ood')).toBe('false');
    expect(await type.getAttribute('data-novelty')).toBe(String(prediction.novelty));
    expect(await page.getByTestId('unknown-type').count()).toBe(0);
    expect(await type.getAttribute('data-probability')).toBe(String(prediction.probability));
    const typeHeads = page.getByTestId('type-heads');
    expect(await typeHeads.getAttribute('data-heads')).toBe(prediction.heads.id);
    expect(await typeHeads.textContent()).toContain(
      `heads ${prediction.heads.id}, ${prediction.heads.panelMatched ? 'panel-matched' : 'whole-profile (not panel-matched)'}`,
    );
    const risk = predicted.sample.riskScore;
    expect(await page.getByTestId('risk-heads').getAttribute('data-heads')).toBe(risk.heads.id);
    expect(risk.patients).toBeGreaterThan(0);
    expect(await page.getByTestId('risk-fit').textContent()).toBe(
      `risk head fitted on ${risk.patients.toLocaleString('en-US')} patients with ${risk.events.toLocaleString('en-US')} deaths`,
    );
    const rows = await page
      .getByTestId('prediction-table')
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(prediction.probabilities.map((p) => [p.cancerType, p.probability.toFixed(4)]));
    expect(await page.getByTestId('prediction-plot').locator('rect.bar').count()).toBe(
      prediction.probabilities.length,
    );
    expect(await page.getByTestId('risk-score').getAttribute('data-value')).toBe(
      String(predicted.sample.riskScore.score),
    );
    expect(await page.getByTestId('risk-percentile').getAttribute('data-value')).toBe(
      String(predicted.sample.riskScore.percentile),
    );
    const paired = predicted.sample.restoredValues.filter(
      (r) => r.value !== null && r.measuredValue !== null,
    );
    expect(paired.length).toBeGreaterThan(450);
    expect(await page.getByTestId('restored-panel-plot').locator('circle.restored-point').count()).toBe(
      paired.length,
    );
    // Every restored value with an interval is drawn with its bar, the legend names the coverage, and the
    // caption counts the measured values inside their intervals as the API's numbers give them.
    const bounded = paired.filter((r) => r.lower !== null && r.upper !== null);
    expect(bounded.length).toBe(paired.length);
    expect(bounded[0]!.coverage).toBe(0.9);
    const panelPlot = page.getByTestId('restored-panel-plot');
    expect(await panelPlot.locator('line.restored-interval').count()).toBe(bounded.length);
    expect(await panelPlot.locator('.legend').textContent()).toContain('90% interval of the restored value');
    const inside = bounded.filter((r) => r.measuredValue! >= r.lower! && r.measuredValue! <= r.upper!).length;
    expect(await page.getByTestId('panel-inside').getAttribute('data-inside')).toBe(String(inside));
    expect(inside / bounded.length).toBeGreaterThan(0.6);
    const headers = await page.getByTestId('restored-table').locator('thead th').allTextContents();
    expect(headers.join('|')).toContain('Lower (90% interval)');
    expect(headers.join('|')).toContain('Upper (90% interval)');
    expect(
      await page.getByTestId('restored-chosen-plot').locator('circle.restored-point').count(),
    ).toBeGreaterThan(0);
    await page.getByTestId('prediction-plot').scrollIntoViewIfNeeded();
    await screenshot(page, 'sample-model-panels-laptop');
    await page.close();
  });

  it('shows a flagged sample as of unknown type, on its page and on the cohort map, never as its closest type', async () => {
    // The heads' reference is these real samples, so none of them is flagged; two profiles unlike every
    // tissue (every vocabulary gene at one count; alternate genes silent) are imported into their own cohort.
    const vocabulary = fs
      .readFileSync(path.join(REPO_ROOT, 'model/checkpoints/tcga-6types/vocabulary.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    const oddFile = path.join(path.dirname(badFile), 'TCGA_ODD_Counts.tsv');
    fs.writeFileSync(
      oddFile,
      `\tTCGA-ZZ-0001-01A\tTCGA-ZZ-0002-01A\n${vocabulary.map((g, i) => `${g}\t100\t${i % 2 ? 0 : 1000}`).join('\n')}\n`,
    );
    const pool = new pg.Pool({ connectionString: dbUrl, max: 1 });
    try {
      await ingestCounts(pool, oddFile, { cohort: 'Unlike every type' });
    } finally {
      await pool.end();
    }
    const [odd] = await query<{ id: number }>(dbUrl, `SELECT id FROM "Cohort" WHERE name = $1`, [
      'Unlike every type',
    ]);
    const { embeddings } = await api<{
      embeddings: {
        sample: {
          id: string;
          cancerTypePrediction: {
            cancerType: string | null;
            closestType: string;
            outOfDistribution: boolean;
          };
        };
      }[];
    }>(
      'query ($id: ID!) { embeddings(cohortId: $id) { sample { id cancerTypePrediction { cancerType closestType outOfDistribution } } } }',
      { id: String(odd!.id) },
    );
    expect(embeddings).toHaveLength(2);
    const flagged = embeddings
      .filter((e) => e.sample.cancerTypePrediction.outOfDistribution)
      .map((e) => ({ id: e.sample.id, ...e.sample.cancerTypePrediction }));
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((f) => f.cancerType === null)).toBe(true);
    const cohortIdOdd = String(odd!.id);

    const page = await openPage(`${portalUrl}/samples/${flagged[0]!.id}`);
    const type = page.getByTestId('predicted-type');
    expect(await type.textContent()).toBe('unknown');
    expect(await type.getAttribute('data-ood')).toBe('true');
    const notice = page.getByTestId('unknown-type');
    expect(await notice.count()).toBe(1);
    const text = (await notice.textContent())!;
    expect(text).toMatch(
      /^Unknown type: this sample looks unlike every cancer type the model's heads know \(/,
    );
    for (const t of TYPES) expect(text).toContain(t);
    expect(text).toContain(`The closest known type is ${flagged[0]!.closestType} (probability`);
    await notice.scrollIntoViewIfNeeded();
    await screenshot(page, 'sample-unknown-type-laptop');
    await page.close();

    // The cohort map coloured by predicted type: one "unknown (flagged)" legend entry counting the flagged
    // samples, in a colour no known type has.
    const dashboard = await openPage(`${portalUrl}/cohorts/${cohortIdOdd}`, 'laptop', 120_000);
    const map = dashboard.getByTestId('embedding-map');
    await map.waitFor();
    await dashboard.getByTestId('embedding-colour-by').selectOption('predictedType');
    const unknownEntry = map.locator('.legend .legend-unknown');
    expect(await unknownEntry.textContent()).toBe(`unknown (flagged) (n=${flagged.length})`);
    const unknownFill = await unknownEntry.locator('rect').getAttribute('fill');
    const fills = await map
      .locator('a.map-point')
      .evaluateAll((as) =>
        as.map((a) => [a.getAttribute('href'), a.querySelector('circle')!.getAttribute('fill')]),
      );
    const flaggedHrefs = new Set(flagged.map((f) => `/samples/${f.id}`));
    for (const [href, fill] of fills) expect(fill === unknownFill, href!).toBe(flaggedHrefs.has(href!));
    await map.scrollIntoViewIfNeeded();
    await screenshot(dashboard, 'cohort-map-unknown-laptop');
    await dashboard.close();
  });

  it('lists the model versions with the active one, and shows a reader no Retrain form', async () => {
    const { activeModel } = await api<{ activeModel: { id: string; name: string } }>(
      'query { activeModel { id name } }',
    );
    const runs = async () =>
      (await api<{ trainingRuns: { totalCount: number } }>('query { trainingRuns { totalCount } }'))
        .trainingRuns.totalCount;
    const runsBefore = await runs();
    const page = await openPage(`${portalUrl}/models`);
    expect(await page.getByTestId('active-model').textContent()).toBe(activeModel.name);
    const row = page.getByTestId('model-table').locator('tbody tr', { hasText: activeModel.name });
    expect(await row.locator('td').nth(1).textContent()).toBe('ACTIVE');
    expect(await page.getByTestId(`model-${activeModel.id}`).locator('summary').textContent()).toContain(
      activeModel.name,
    );
    // The active version's loss curves are drawn from its training log, and the attached evaluation report's
    // numbers appear in the table as the API gives them.
    const { model } = await api<{
      model: {
        trainingCurve: { epoch: number }[];
        evaluation: {
          task: string;
          method: string;
          setting: string;
          metric: string;
          value: number;
          spread: number | null;
        }[];
      };
    }>(
      'query($id: ID!) { model(id: $id) { trainingCurve { epoch } evaluation { task method setting metric value spread } } }',
      {
        id: activeModel.id,
      },
    );
    expect(model.trainingCurve.length).toBeGreaterThan(1);
    // The active version's heads: their version, the six known types with their sample counts, survival
    // patients and deaths, and the held-out figures as the API gives them.
    const { model: withHeads } = await api<{
      model: {
        knownCancerTypes: string[];
        headsInfo: {
          id: string;
          samples: number;
          cancerTypes: { cancerType: string; samples: number }[];
          survivalPatients: number;
          events: number;
          metrics: { name: string; value: number }[];
        };
      };
    }>(
      `query($id: ID!) { model(id: $id) { knownCancerTypes headsInfo { id samples cancerTypes { cancerType samples }
         survivalPatients events metrics { name value } } } }`,
      { id: activeModel.id },
    );
    expect([...withHeads.knownCancerTypes].sort()).toEqual(TYPES);
    const heads = page.getByTestId(`heads-${activeModel.id}`);
    expect(await heads.getAttribute('data-heads')).toBe(withHeads.headsInfo.id);
    expect(await page.getByTestId(`heads-samples-${activeModel.id}`).textContent()).toBe(
      withHeads.headsInfo.samples.toLocaleString('en-US'),
    );
    const typesText = (await page.getByTestId(`heads-types-${activeModel.id}`).textContent())!;
    for (const t of withHeads.headsInfo.cancerTypes)
      expect(typesText).toContain(`${t.cancerType} (${t.samples})`);
    expect(withHeads.headsInfo.cancerTypes.map((t) => t.cancerType).sort()).toEqual(TYPES);
    expect(await page.getByTestId(`heads-survival-${activeModel.id}`).textContent()).toBe(
      `${withHeads.headsInfo.survivalPatients} patients with overall survival, ${withHeads.headsInfo.events} deaths`,
    );
    const accuracy = withHeads.headsInfo.metrics.find((m) => m.name === 'whole.accuracy')!;
    const metricsTable = page.getByTestId(`heads-metrics-${activeModel.id}`);
    expect(await metricsTable.locator('tr[data-metric="accuracy"] td').first().textContent()).toBe(
      accuracy.value.toFixed(3),
    );
    expect(await metricsTable.locator('thead th').allTextContents()).toContain('64-gene panel 1');
    expect(await page.getByTestId(`heads-intervals-${activeModel.id}`).locator('tbody tr').count()).toBe(
      withHeads.headsInfo.metrics.filter((m) => m.name.startsWith('intervals.coverage')).length,
    );
    await heads.scrollIntoViewIfNeeded();
    await screenshot(page, 'models-heads-laptop');
    const curves = page.getByTestId(`loss-curve-${activeModel.id}`).locator('path.loss-curve');
    expect(await curves.count()).toBe(2);
    for (const d of await curves.evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? '')))
      expect(d.split('L').length).toBe(model.trainingCurve.length);
    const ours = model.evaluation.find((r) => r.task === 'classification' && r.method.startsWith('gexbert'));
    expect(ours, 'the shipped checkpoint carries evaluation/report.json').toBeDefined();
    const table = page.getByTestId(`evaluation-${activeModel.id}`).getByTestId('evaluation-classification');
    const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const line = table
      .locator('tbody tr')
      .filter({ has: page.locator('td:nth-child(1)', { hasText: exactly(ours!.setting) }) })
      .filter({ has: page.locator('td:nth-child(2)', { hasText: exactly(ours!.metric) }) });
    expect(await line.locator('td').nth(2).textContent()).toBe(
      `${ours!.value.toFixed(3)}${ours!.spread === null ? '' : ` ± ${ours!.spread.toFixed(3)}`}`,
    );
    // One plain sentence per (GexBERT method, classification baseline) where the baseline scores higher in
    // the same setting and metric (confusion counts are not scores; per-type recall stays in the report's
    // own tables).
    const scores = model.evaluation.filter(
      (r) => r.task === 'classification' && !/^(confusion|recall):/.test(r.metric),
    );
    const beaten = scores.flatMap((g) =>
      g.method.startsWith('gexbert')
        ? scores
            .filter(
              (r) =>
                !r.method.startsWith('gexbert') &&
                r.setting === g.setting &&
                r.metric === g.metric &&
                g.value < r.value,
            )
            .map((r) => ({ g, r }))
        : [],
    );
    const sentences = await table.locator('ul.behind li').allTextContents();
    expect(sentences.length).toBe(beaten.length);
    for (const { g, r } of beaten)
      expect(
        sentences.some(
          (t) =>
            t.includes(`GexBERT (${g.method})'s ${g.metric}`) &&
            t.includes(`below ${r.method}'s ${r.value.toFixed(3)}`),
        ),
      ).toBe(true);
    await page.getByTestId(`loss-curve-${activeModel.id}`).scrollIntoViewIfNeeded();
    await screenshot(page, 'models-curves-laptop');
    // A reader may not retrain: no form, a sentence saying who may (the server refuses the action too:
    // test/security/portal.test.ts).
    expect(await page.getByRole('button', { name: 'Retrain' }).count()).toBe(0);
    expect(await page.getByTestId('retrain-needs-admin').textContent()).toMatch(/admin/i);
    expect(await runs()).toBe(runsBefore);
    await screenshot(page, 'models-laptop');
    await page.close();
  });

  it('queues a retraining run as a signed-in admin and shows it queued (no worker: nothing trains)', async () => {
    const page = await openPage(`${portalUrl}/models`, 'laptop', BROWSER_WAIT_MS, adminContext);
    await page.getByLabel(/Recipe overrides/).fill('{"maxSteps": 2, "width": 16, "vocabularySize": 200}');
    await page.getByRole('button', { name: 'Retrain' }).click();
    const queued = page.getByTestId('retrain-queued');
    await queued.waitFor();
    const id = /^Training run (\d+) is queued\.$/.exec((await queued.textContent())!)?.[1];
    expect(id, (await queued.textContent())!).toBeDefined();
    try {
      const { trainingRun } = await api<{
        trainingRun: { status: string; reason: string; requestedBy: string; config: unknown };
      }>('query($id: ID!) { trainingRun(id: $id) { status reason requestedBy config } }', { id });
      expect(trainingRun).toEqual({
        status: 'QUEUED',
        reason: 'MANUAL',
        requestedBy: 'portal admin',
        config: { maxSteps: 2, width: 16, vocabularySize: 200 },
      });
      // The runs table lists it as queued, and the page keeps refreshing while it waits for a worker.
      const row = page
        .getByTestId('run-table')
        .locator('tbody tr')
        .filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${id}$`) }) });
      await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('QUEUED');
      expect(await page.getByTestId('run-polling').isVisible()).toBe(true);
      await screenshot(page, 'models-queued-laptop');
      await page.close();
    } finally {
      await query(dbUrl, `DELETE FROM "TrainingRun" WHERE id = $1`, [Number(id)]);
    }
  });

  it('shows a running training run and refreshes its progress live', async () => {
    // A run as the worker reports it (heartbeat in the future, so no worker treats it as abandoned).
    const [run] = await query<{ id: number }>(
      dbUrl,
      `INSERT INTO "TrainingRun" (reason, status, "workerId", "heartbeatAt", "startedAt", epoch, "totalEpochs", step, "totalSteps", loss, "etaSeconds")
       VALUES ('MANUAL', 'RUNNING', 'portal-test', now() + interval '1 hour', now(), 1, 10, 10, 100, 0.9, 120) RETURNING id`,
    );
    try {
      const page = await openPage(`${portalUrl}/models`);
      const progress = page.getByTestId(`run-progress-${run!.id}`);
      await progress.waitFor();
      expect(await progress.textContent()).toContain('step 10/100');
      expect(await page.getByTestId('run-polling').isVisible()).toBe(true);
      await query(dbUrl, `UPDATE "TrainingRun" SET step = 60, epoch = 6, "etaSeconds" = 40 WHERE id = $1`, [
        run!.id,
      ]);
      await expect
        .poll(() => progress.textContent(), { timeout: 20_000, interval: 500 })
        .toContain('step 60/100');
      const { trainingRun } = await api<{ trainingRun: { percent: number } }>(
        'query($id: ID!) { trainingRun(id: $id) { percent } }',
        { id: String(run!.id) },
      );
      expect(await progress.textContent()).toContain(`${trainingRun.percent.toFixed(1)}%`);
      await screenshot(page, 'models-running-laptop');
      await page.close();
    } finally {
      await query(dbUrl, `DELETE FROM "TrainingRun" WHERE id = $1`, [run!.id]);
    }
  });

  it('lists the imports with their provenance, failed ones marked with their error', async () => {
    const [imports] = await query<{ n: string }>(dbUrl, `SELECT count(*) AS n FROM "Import"`);
    const failed = await query<{ id: number; error: string }>(
      dbUrl,
      `SELECT id, error FROM "Import" WHERE status = 'FAILED'`,
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toContain(`${badFile}:2:2`);
    const page = await openPage(`${portalUrl}/imports`);
    expect(await page.getByTestId('import-count').textContent()).toBe(imports!.n);
    expect(await page.getByTestId('failed-import-count').textContent()).toBe('1');
    const body = await page.getByTestId('import-table').textContent();
    for (const type of TYPES) expect(body).toContain(`TCGA_${type}_Counts.exp.gz`);
    expect(body).toContain('tcga_pancan_os.tsv.gz');
    const marked = page.getByTestId('import-table').locator('tbody tr[data-tone="danger"]');
    expect(await marked.count()).toBe(1);
    expect(await marked.locator('td').nth(1).textContent()).toBe('failed');
    expect(await marked.textContent()).toContain(failed[0]!.error);
    const listed = page.getByTestId('failed-import');
    expect(await listed.count()).toBe(1);
    expect(await listed.textContent()).toContain(`#${failed[0]!.id} TCGA_BAD_Counts.tsv`);
    expect(await listed.textContent()).toContain(failed[0]!.error);
    await screenshot(page, 'imports-laptop');
    await page.getByRole('link', { name: 'Failed', exact: true }).click();
    await page.waitForURL(/status=failed/);
    await expect.poll(() => page.getByTestId('import-count').textContent(), NAVIGATION).toBe('1');
    expect(await page.getByTestId('import-table').locator('tbody tr').count()).toBe(1);
    await page.close();
  });

  it('creates a cohort from filters, by keyboard (a curator; a reader sees no form)', async () => {
    const [expected] = await query<{ n: string }>(
      dbUrl,
      `SELECT count(*) AS n FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"
       WHERE p."cancerType" = 'UVM' AND s."sampleType" = 'TUMOR'`,
    );
    const reading = await openPage(`${portalUrl}/cohorts`);
    expect(await reading.getByRole('button', { name: 'Create cohort' }).count()).toBe(0);
    await reading.close();
    const page = await openPage(`${portalUrl}/cohorts`, 'laptop', BROWSER_WAIT_MS, curatorContext);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    await page.getByLabel('Name', { exact: true }).fill('UVM tumours');
    await page.getByRole('checkbox', { name: 'UVM', exact: true }).press('Space');
    await page.getByRole('checkbox', { name: 'Tumour', exact: true }).press('Space');
    await page.getByRole('button', { name: 'Create cohort' }).press('Enter');
    await page.waitForURL(/\/cohorts\/\d+$/);
    await page.waitForLoadState('networkidle');
    expect(await page.locator('h1').textContent()).toBe('UVM tumours');
    expect(await page.getByTestId('cohort-sample-count').textContent()).toBe(expected!.n);
    await screenshot(page, 'cohort-created-laptop');
    await page.close();
  });

  it('shows clear empty, not-found and error states', async () => {
    const page = await openPage(`${portalUrl}/cohorts`, 'laptop', BROWSER_WAIT_MS, curatorContext);
    await page.getByLabel('Name', { exact: true }).fill('No such samples');
    await page.getByLabel('Other cancer types (comma-separated)').fill('BRCA');
    await page.getByRole('button', { name: 'Create cohort' }).click();
    await page.waitForURL(/\/cohorts\/\d+$/);
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('cohort-sample-count').textContent()).toBe('0');
    // every section has drawn: the streamed ones, and the map, which the browser fetches after the page
    await page.waitForFunction("document.querySelectorAll('p.loading[role=status]').length === 0");
    expect(await page.locator('.empty').allTextContents()).toEqual([
      "This cohort's samples have no expression values to download.",
      'This cohort has no samples.',
      expect.stringMatching(/^No patient of this cohort has a survival time/),
      expect.stringMatching(/^No clinical attributes are stored for this cohort's patients/),
      'No sample of this cohort has raw counts, so none has an embedding.',
      expect.stringMatching(
        /median split\): no patient of this cohort has both a survival time and raw counts/,
      ),
      expect.stringMatching(/tertiles\): no patient of this cohort has both a survival time and raw counts/),
      'This cohort has no samples.',
    ]);
    await screenshot(page, 'cohort-empty-laptop');
    await page.close();

    // Pages that answer 404 or show an API error are opened without recording the browser's resource errors.
    const other = await context.newPage();
    const missing = await other.goto(`${portalUrl}/cohorts/999999`, { waitUntil: 'networkidle' });
    expect(missing!.status()).toBe(404);
    expect(await other.locator('h1').textContent()).toBe('Not found');
    // An id that cannot name a sample is a missing page too (it used to show the API's error).
    const malformed = await other.goto(`${portalUrl}/samples/not-a-number`, { waitUntil: 'networkidle' });
    expect(malformed!.status()).toBe(404);
    expect(await other.locator('h1').textContent()).toBe('Not found');
    await screenshot(other, 'sample-error-laptop');
    await other.close();
  });

  it('logged no console errors on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});

describe('the gene page', () => {
  const TP53 = 'ENSG00000141510';
  type Split = {
    cutoffs: number[];
    logRank: { pValue: number };
    groups: { name: string; patients: number }[];
  };
  const apiSplit = async (id: string, split: string, cutoff: number | null = null) =>
    (
      await api<{ cohort: { geneSurvival: Split } }>(
        `query($id: ID!, $split: GeneSplit, $cutoff: Float) { cohort(id: $id) {
           geneSurvival(gene: "${TP53}", split: $split, cutoff: $cutoff) {
             cutoffs logRank { pValue } groups { name patients } } } }`,
        { id, split, cutoff },
      )
    ).cohort.geneSurvival;
  const shownP = async (page: Page) =>
    Number(await page.getByTestId('gene-logrank-p').getAttribute('data-value'));

  it('finds a gene by alias from the dashboard, shows its box plots and survival split, follows the URL', async () => {
    const errorsBefore = consoleErrors.length;
    const [row] = await query<{ id: number }>(dbUrl, `SELECT id FROM "Cohort" WHERE name = $1`, [COHORT]);
    const id = String(row!.id);
    const composition = await query<{ type: string; n: string }>(
      dbUrl,
      `SELECT p."cancerType" AS type, count(*) AS n FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId"
       JOIN "Patient" p ON p.id = s."patientId" WHERE cs."cohortId" = $1 GROUP BY 1 ORDER BY 1`,
      [row!.id],
    );
    const page = await openPage(`${portalUrl}/cohorts/${id}`);
    await page.getByLabel('Gene symbol, alias, Ensembl ID or Entrez ID').fill('p53');
    await page.getByRole('button', { name: 'Find gene' }).click();
    await page.waitForURL(new RegExp(`/cohorts/${id}/genes/${TP53}$`));
    await page.getByTestId('gene-km-plot').waitFor();
    expect(await page.locator('h1').textContent()).toMatch(/^TP53 /);

    const box = page.getByTestId('gene-box-plot');
    expect(
      await box
        .locator('g[data-group]')
        .evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-group'), g.getAttribute('data-n')])),
    ).toEqual(composition.map((c) => [c.type, c.n]));
    expect(await box.locator('path.violin').count()).toBe(composition.length);
    const km = page.getByTestId('gene-km-plot');
    expect(await km.locator('path.km-curve').count()).toBe(2);
    const median = await apiSplit(id, 'MEDIAN');
    expect(await shownP(page)).toBe(median.logRank.pValue);
    const svg = (await download(page, () => box.getByRole('button', { name: /as SVG$/ }).click())).toString();
    expect(svg).toContain('<svg');
    expect(svg).toContain('class="violin"');
    const tsv = (
      await download(page, () =>
        page.getByTestId('gene-values-table').getByRole('button', { name: 'TSV' }).click(),
      )
    )
      .toString()
      .trimEnd()
      .split('\n');
    expect(tsv[0]).toBe(
      'Sample\tPatient\tCancer type\tSample type\tValue\tSurvival group\tOS days\tOS event',
    );
    expect(tsv).toHaveLength(1 + composition.reduce((n, c) => n + Number(c.n), 0));
    const firstSample = page.getByTestId('gene-values-table').locator('tbody a').first();
    expect(await firstSample.getAttribute('href')).toMatch(/^\/samples\/\d+$/);
    await screenshot(page, 'gene-laptop');

    // The split and the box plot groups follow the URL.
    await page.goto(`${portalUrl}/cohorts/${id}/genes/TP53?split=quartiles&by=sampleType`, {
      waitUntil: 'networkidle',
    });
    expect(await km.locator('path.km-curve').count()).toBe(4);
    expect(await shownP(page)).toBe((await apiSplit(id, 'QUARTILES')).logRank.pValue);
    expect(
      await box.locator('g[data-group]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group'))),
    ).toEqual(['tumor']);
    await page.goto(`${portalUrl}/cohorts/${id}/genes/TP53?split=cutoff&cutoff=5`, {
      waitUntil: 'networkidle',
    });
    expect(await page.getByTestId('gene-cutoffs').textContent()).toBe('5.000');
    expect(await shownP(page)).toBe((await apiSplit(id, 'CUTOFF', 5)).logRank.pValue);

    // Bad choices, an unknown gene and an alias of several genes get messages.
    await page.goto(`${portalUrl}/cohorts/${id}/genes/TP53?split=cutoff`, { waitUntil: 'networkidle' });
    expect(await page.locator('p[role="alert"]').textContent()).toMatch(/a cut-off split needs a cut-off/);
    await page.goto(`${portalUrl}/cohorts/${id}/genes/TP53?unit=RSEM`, { waitUntil: 'networkidle' });
    expect(await page.locator('p[role="alert"]').textContent()).toMatch(/unit must be one this cohort has/);
    await page.goto(`${portalUrl}/cohorts/${id}/genes/NO-SUCH-GENE`, { waitUntil: 'networkidle' });
    expect(await page.locator('p[role="alert"]').textContent()).toMatch(/No gene is called “NO-SUCH-GENE”/);
    await page.goto(`${portalUrl}/cohorts/${id}/genes/NEU`, { waitUntil: 'networkidle' });
    const names = await page.getByTestId('gene-matches').getByRole('link').allInnerTexts();
    expect(names).toEqual(expect.arrayContaining(['ERBB2', 'NEU1']));
    await page.close();
    expect(consoleErrors.slice(errorsBefore)).toEqual([]);
  });
});

async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return fs.readFileSync((await file.path())!);
}

// Last, because it adds RSEM samples of 24 more types to the database, which the tests above do not expect.
describe('a pan-cancer cohort', () => {
  it("names the model drawing a cohort's panels, and draws a pan-cancer cohort through the model that knows its types", async () => {
    // The first 40 samples of pancan33 (RSEM, 100 genes, types from the sample table): most of them of types
    // the active tcga-6types was not fitted on; the candidate tcga-33types knows all 33.
    const errorsBefore = consoleErrors.length;
    const pancan = path.join(sharedDir(), 'data/tcga/pancan33');
    const lines = zlib
      .gunzipSync(fs.readFileSync(path.join(pancan, 'pancan33_expression.tsv.gz')))
      .toString()
      .split('\n');
    const extract = path.join(path.dirname(badFile), 'extract_expression.tsv');
    fs.writeFileSync(extract, `${lines.slice(0, 41).join('\n')}\n`);
    const pool = new pg.Pool({ connectionString: dbUrl, max: 1 });
    try {
      await ingestTable(pool, extract, {
        cohort: 'Pan-cancer extract',
        unit: 'RSEM',
        samples: path.join(pancan, 'pancan33_samples.tsv'),
      });
    } finally {
      await pool.end();
    }
    const types = await query<{ cohort: string; type: string; n: string }>(
      dbUrl,
      `SELECT c.id AS cohort, p."cancerType" AS type, count(*) AS n FROM "Cohort" c
         JOIN "CohortSample" cs ON cs."cohortId" = c.id JOIN "Sample" s ON s.id = cs."sampleId"
         JOIN "Patient" p ON p.id = s."patientId" WHERE c.name = $1 GROUP BY c.id, p."cancerType"`,
      ['Pan-cancer extract'],
    );
    const extractId = String(types[0]!.cohort);
    const ofSix = types.filter((t) => TYPES.includes(t.type)).reduce((n, t) => n + Number(t.n), 0);
    const total = types.reduce((n, t) => n + Number(t.n), 0);
    expect(total).toBe(40);
    const { models } = await api<{ models: { nodes: { id: string; name: string; status: string }[] } }>(
      '{ models(first: 50) { nodes { id name status } } }',
    );
    const wide = models.nodes.find((m) => m.name === 'tcga-33types')!;
    expect(wide.status).toBe('CANDIDATE');

    // The pan-cancer extract: the note counts the samples the active model knows, and offers tcga-33types.
    const page = await openPage(`${portalUrl}/cohorts/${extractId}`, 'laptop', 120_000);
    const shown = page.getByTestId('model-shown');
    expect(await shown.getAttribute('data-model')).toBe('tcga-6types');
    expect(await shown.getAttribute('data-known-samples')).toBe(String(ofSix));
    expect(await shown.textContent()).toContain(
      `knows ${types.filter((t) => TYPES.includes(t.type)).length} of this cohort's ${types.length} cancer types: ${ofSix} of 40 samples.`,
    );
    const more = page.getByTestId('model-knowing-more');
    expect(await more.getAttribute('data-model')).toBe('tcga-33types');
    expect(await more.textContent()).toContain(`knows all ${types.length} of them (40 samples)`);
    await page.getByTestId('model-choice').scrollIntoViewIfNeeded();
    await screenshot(page, 'cohort-model-choice-laptop');
    await more.getByRole('link', { name: 'Draw this cohort through tcga-33types' }).click();
    await page.waitForURL(`${portalUrl}/cohorts/${extractId}/model/${wide.id}`);

    // Through tcga-33types: its map (every sample, as the API places it with that model) and its risk groups.
    const map = page.getByTestId('embedding-map');
    await map.waitFor({ timeout: 120_000 });
    const { cohort } = await api<{
      cohort: { map: { points: unknown[]; model: { name: string } }; survival: { model: { name: string } } };
    }>(
      'query ($id: ID!, $m: ID!) { cohort(id: $id) { map(model: $m) { points { sampleId } model { name } } survival(groupBy: RISK_MEDIAN, model: $m) { model { name } } } }',
      { id: extractId, m: wide.id },
    );
    expect(cohort.map.model.name).toBe('tcga-33types');
    expect(await map.locator('a.map-point').count()).toBe(cohort.map.points.length);
    expect(cohort.map.points.length).toBe(40);
    expect(await page.getByTestId('model-shown').getAttribute('data-model')).toBe('tcga-33types');
    expect(await page.locator('h1').textContent()).toBe('Pan-cancer extract through tcga-33types');
    expect(await page.getByText('Survival by predicted risk (tcga-33types)').count()).toBe(1);
    // Its imputation quality: figures measured on the RSEM samples as log2(RSEM + 1), as the API gives them.
    const { cohort: imputed } = await api<{
      cohort: {
        imputationQuality: { scale: string; sampleCount: number; restored: { medianGenePearson: number } };
      };
    }>(
      'query ($id: ID!, $m: ID!) { cohort(id: $id) { imputationQuality(model: $m) { scale sampleCount restored { medianGenePearson } } } }',
      { id: extractId, m: wide.id },
    );
    expect(imputed.imputationQuality.scale).toBe('LOG2_RSEM');
    // the samples stored in RSEM alone (the extract's others have raw counts from the TCGA cohorts, and are read from them)
    const [rsemOnly] = await query<{ n: string }>(
      dbUrl,
      `SELECT count(*) AS n FROM "CohortSample" cs WHERE cs."cohortId" = $1 AND NOT EXISTS
         (SELECT 1 FROM "ExpressionProfile" e WHERE e."sampleId" = cs."sampleId" AND e.unit = 'RAW_COUNT')`,
      [Number(extractId)],
    );
    expect(imputed.imputationQuality.sampleCount).toBe(Number(rsemOnly!.n));
    expect(Number(rsemOnly!.n)).toBeGreaterThan(20);
    expect(imputed.imputationQuality.restored.medianGenePearson).toBeGreaterThan(0.3);
    const medianR = page.getByTestId('imputation-median-r');
    await medianR.waitFor({ timeout: 120_000 });
    expect(await medianR.getAttribute('data-value')).toBe(
      String(imputed.imputationQuality.restored.medianGenePearson),
    );
    expect(await page.getByTestId('imputation-scale').textContent()).toBe('log2(RSEM + 1)');
    expect(await page.getByText('Imputation quality could not be loaded').count()).toBe(0);
    await screenshot(page, 'cohort-through-model-laptop');
    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.waitForURL(`${portalUrl}/cohorts/${extractId}`);
    await page.close();

    // A sample of a type the active model does not know: its page offers tcga-33types, whose answer it then
    // shows as the API gives it (and says it is not the active model's).
    const [other] = await query<{ id: number; type: string }>(
      dbUrl,
      `SELECT s.id, p."cancerType" AS type FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId"
         JOIN "Patient" p ON p.id = s."patientId" WHERE cs."cohortId" = $1 AND NOT (p."cancerType" = ANY($2))
         ORDER BY s.id LIMIT 1`,
      [Number(extractId), TYPES],
    );
    const samplePage = await openPage(`${portalUrl}/samples/${other!.id}`, 'laptop', 120_000);
    // It measured none of the default genes (100-gene RSEM): its most expressed genes are shown instead.
    expect(await samplePage.getByTestId('expression-note').textContent()).toContain(
      'measured none of the default genes, so its 10 most expressed measured genes are shown',
    );
    expect(await samplePage.getByTestId('expression-plot').locator('rect.bar').count()).toBe(10);
    const offer = samplePage.getByTestId('sample-model-knowing');
    expect(await offer.getAttribute('data-model')).toBe('tcga-33types');
    expect(await offer.textContent()).toContain(`tcga-6types was not fitted on ${other!.type}`);
    await offer.getByRole('link', { name: 'See this sample through tcga-33types' }).click();
    await samplePage.waitForURL(`${portalUrl}/samples/${other!.id}?model=${wide.id}`);
    await samplePage.getByTestId('predicted-type').waitFor();
    const { sample } = await api<{ sample: { cancerTypePrediction: { cancerType: string | null } } }>(
      'query ($id: ID!, $m: ID!) { sample(id: $id) { cancerTypePrediction(model: $m) { cancerType } } }',
      { id: String(other!.id), m: wide.id },
    );
    expect(await samplePage.getByTestId('predicted-type').textContent()).toBe(
      sample.cancerTypePrediction.cancerType ?? 'unknown',
    );
    expect(await samplePage.getByTestId('sample-model-shown').getAttribute('data-model')).toBe(
      'tcga-33types',
    );
    expect(await samplePage.getByText('Model predictions (tcga-33types)').count()).toBe(1);
    expect(await samplePage.getByTestId('attributions-active-only').count()).toBe(1);
    // No raw counts: its shown genes are restored from its RSEM values and listed, not compared.
    const top = await api<{ sample: { topGenes: { gene: { symbol: string } }[] } }>(
      'query ($id: ID!) { sample(id: $id) { topGenes(unit: RSEM, first: 10) { gene { symbol } } } }',
      { id: String(other!.id) },
    );
    const restored = await api<{ sample: { restoredValues: { value: number | null }[] } }>(
      'query ($id: ID!, $g: [String!]!, $m: ID!) { sample(id: $id) { restoredValues(genes: $g, model: $m) { value } } }',
      { id: String(other!.id), g: top.sample.topGenes.map((t) => t.gene.symbol), m: wide.id },
    );
    const table = samplePage.getByTestId('restored-only-table');
    expect(await table.locator('tbody tr').count()).toBe(10);
    expect(await table.locator('tbody tr').first().locator('td').nth(1).textContent()).toBe(
      restored.sample.restoredValues[0]!.value!.toFixed(3),
    );
    await screenshot(samplePage, 'sample-through-model-laptop');
    await samplePage.close();
    expect(consoleErrors.slice(errorsBefore)).toEqual([]);
  }, 600_000);
});
