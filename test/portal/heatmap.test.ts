// The heatmap page in a real browser against `gexbert start` on the real CHOL and DLBC counts with survival:
// opened from its URL alone (genes, tracks and clustering in the query), it draws the clustered cells, the
// dendrograms and the cancer type and vital status tracks; the SVG download is the whole figure, the PNG
// download that figure at twice its size, and the TSV holds the values the API answers, in the displayed order. Screenshots go to test/artifacts/portal.
import fs from 'node:fs';
import path from 'node:path';
import { createToken } from '@gexbert/core/auth/tokens';
import { createPrisma } from '@gexbert/core/db/prisma';
import { ingestClinical, ingestCounts } from '@gexbert/core/ingest/index';
import { createTestDatabase, query } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeSignedInPortal, openSignedInPortal, type SignedInPortal } from '../support/portalStack.ts';

const ARTIFACTS = path.join(import.meta.dirname, '../artifacts/portal');
const GENES = ['ALB', 'APOA1', 'CD19', 'MS4A1', 'TP53', 'KRT19'];
let portal: SignedInPortal | undefined;
let reader: { token: string; cohortId: number };

/** A database with the real CHOL and DLBC counts in one cohort "TCGA", survival, and a reader's token. */
async function heatmapDatabase(): Promise<{ dbUrl: string; token: string; cohortId: number }> {
  const dbUrl = await createTestDatabase('heatmap');
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prisma = createPrisma(pool); // shares the pool, which is ended below
  try {
    for (const type of ['CHOL', 'DLBC'])
      await ingestCounts(pool, path.join(sharedDir(), `data/tcga/counts/TCGA_${type}_Counts.exp.gz`), {
        cohort: 'TCGA',
      });
    await ingestClinical(pool, path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz'));
    const { token } = await createToken(prisma, 'heatmap reader', 'READER');
    const cohort = await query<{ id: number }>(dbUrl, `SELECT id FROM "Cohort" WHERE name = 'TCGA'`);
    return { dbUrl, token, cohortId: cohort[0]!.id };
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  const { dbUrl, ...rest } = await heatmapDatabase();
  reader = rest;
  portal = await openSignedInPortal(dbUrl, reader.token);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 900_000);

afterAll(() => closeSignedInPortal(portal));

it('opens a heatmap from its URL with its tracks, and downloads the SVG, the PNG and the matrix', async () => {
  const { token, cohortId } = reader;
  const { portalUrl, apiUrl } = portal!.stack;
  const page = await portal!.context.newPage();
  const url = `${portalUrl}/cohorts/${cohortId}/heatmap?genes=${GENES.join('+')}&tracks=cancerType&tracks=vital_status`;
  await page.goto(url);
  const svg = page.getByTestId('heatmap-svg');
  await svg.waitFor();
  for (const track of ['cancerType', 'vital_status'])
    expect(await page.getByTestId(`track-${track}`).count()).toBe(1);
  expect(await page.getByTestId('track-predictedType').count()).toBe(0);
  expect(await page.getByTestId('row-dendrogram').count()).toBe(1);
  expect(await page.getByTestId('column-dendrogram').count()).toBe(1);
  const summary = await page.getByTestId('heatmap-summary').textContent();
  // the form shows the URL's choices
  expect(await page.getByTestId('heatmap-genes').inputValue()).toBe(GENES.join(' '));
  expect(await page.getByLabel('vital_status').isChecked()).toBe(true);
  expect(await page.getByLabel('predicted type').isChecked()).toBe(false);
  await page.screenshot({ path: path.join(ARTIFACTS, 'heatmap-laptop.png'), fullPage: true });

  // what the API answers for the same view
  const res = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `query($id: ID!, $genes: [String!]!) { cohort(id: $id) { heatmap(genes: $genes,
        tracks: ["cancerType", "vital_status"]) { genes { symbol } barcodes values tracks { name values } } } }`,
      variables: { id: String(cohortId), genes: GENES },
    }),
  });
  const { data } = (await res.json()) as {
    data: {
      cohort: { heatmap: { genes: { symbol: string }[]; barcodes: string[]; values: (number | null)[] } };
    };
  };
  const heatmap = data.cohort.heatmap;
  expect(summary).toContain(`${GENES.length} genes × ${heatmap.barcodes.length} samples`);

  const [svgFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /as SVG/ }).click(),
  ]);
  expect(svgFile.suggestedFilename()).toBe('heatmap-of-tcga.svg');
  const markup = fs.readFileSync((await svgFile.path())!, 'utf8');
  expect(markup).toContain('<svg');
  expect(markup).toContain('data-testid="track-vital_status"');
  // gene names at the right of the rows, in the API's (clustered) order
  const labels = [...markup.matchAll(/<text[^>]*>([A-Z0-9]+)<\/text>/g)].map((m) => m[1]);
  expect(labels.filter((l) => GENES.includes(l!))).toEqual(heatmap.genes.map((g) => g.symbol));
  fs.writeFileSync(path.join(ARTIFACTS, 'heatmap.svg'), markup);

  // the PNG: the same figure drawn at twice its size, with the heatmap's colours in it
  const [pngFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /as PNG/ }).click(),
  ]);
  expect(pngFile.suggestedFilename()).toBe('heatmap-of-tcga.png');
  const png = fs.readFileSync((await pngFile.path())!);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  const viewBox = /viewBox="([\d.\s-]+)"/.exec(markup)![1]!.trim().split(/\s+/).map(Number);
  expect(png.readUInt32BE(16)).toBe(Math.round(viewBox[2]! * 2));
  expect(png.readUInt32BE(20)).toBe(Math.round(viewBox[3]! * 2));
  fs.writeFileSync(path.join(ARTIFACTS, 'heatmap-download.png'), png);
  // decoded by the browser: many distinct colours (cells, tracks, text), not a blank canvas
  // (a string: the test's TypeScript has no DOM types)
  const colours = await page.evaluate<number>(`(async () => {
    const image = new Image();
    image.src = 'data:image/png;base64,${png.toString('base64')}';
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    const seen = new Set();
    for (let i = 0; i < pixels.length; i += 4) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
    return seen.size;
  })()`);
  expect(colours).toBeGreaterThan(50);

  const [tsvFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('heatmap-tsv').click(),
  ]);
  const rows = fs
    .readFileSync((await tsvFile.path())!, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
  expect(rows[0]).toEqual(['gene', 'ensembl_id', ...heatmap.barcodes]);
  const m = heatmap.barcodes.length;
  rows.slice(1).forEach((row, r) => {
    expect(row[0]).toBe(heatmap.genes[r]!.symbol);
    expect(row.slice(2).map((v) => (v === '' ? null : Number(v)))).toEqual(
      heatmap.values.slice(r * m, (r + 1) * m),
    );
  });
});

it("opens a heatmap of a comparison's top genes from the compare page", async () => {
  const { token, cohortId } = reader;
  const { portalUrl, apiUrl } = portal!.stack;
  const page = await portal!.context.newPage();
  await page.goto(`${portalUrl}/compare?a=${cohortId}&atype=CHOL&b=${cohortId}&btype=DLBC&method=limma`, {
    waitUntil: 'domcontentloaded',
  });
  const link = page.getByTestId('heatmap-link-a');
  await link.waitFor({ timeout: 300_000 });
  await link.click();
  await page.getByTestId('heatmap-svg').waitFor();
  const url = new URL(page.url());
  expect(url.pathname).toBe(`/cohorts/${cohortId}/heatmap`);
  expect(url.searchParams.get('top')).toBe('50');
  const comparison = url.searchParams.get('comparison')!;
  // the rows are the comparison's 50 genes with the lowest adjusted p-values, as the API lists them
  const res = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `query($id: ID!) { groupComparison(id: $id) {
        genes(first: 50, orderBy: { field: ADJ_P_VALUE, direction: ASC }) { nodes { gene { symbol } } } } }`,
      variables: { id: comparison },
    }),
  });
  const { data } = (await res.json()) as {
    data: { groupComparison: { genes: { nodes: { gene: { symbol: string } }[] } } };
  };
  // (by symbol: every top gene of these two types has one)
  const top = data.groupComparison.genes.nodes.map((n) => n.gene.symbol);
  expect(top).toHaveLength(50);
  expect((await page.getByTestId('heatmap-genes').inputValue()).split(' ').sort()).toEqual([...top].sort());
  expect(await page.getByTestId('heatmap-summary').textContent()).toMatch(/^50 genes × 67 samples/);
  expect(await page.getByTestId('heatmap-summary').textContent()).toMatch(
    /(stored predictions, for \d+ of the 67 samples so far|No model is active)/,
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'heatmap-comparison.png'), fullPage: true });
});
