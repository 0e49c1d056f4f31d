// The heatmap page in a real browser against `gexbert start` on the real CHOL and DLBC counts with survival:
// opened from its URL alone (genes, tracks and clustering in the query), it draws the clustered cells, the
// dendrograms and the cancer type and vital status tracks; the SVG download is the whole figure, the PNG
// download that figure at twice its size, and the TSV holds the values the API answers, in the displayed order.
// Opened with Entrez IDs and the model tracks, its rows are the genes they name and the predicted type track is
// filled for every sample by the shipped (active) model, in the drawing and in the PNG.
// Screenshots go to test/artifacts/portal.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countsDatabase } from '../support/cholDatabase.ts';
import { closeSignedInPortal, openSignedInPortal, type SignedInPortal } from '../support/portalStack.ts';

const ARTIFACTS = path.join(import.meta.dirname, '../artifacts/portal');
const GENES = ['ALB', 'APOA1', 'CD19', 'MS4A1', 'TP53', 'KRT19'];
let portal: SignedInPortal | undefined;
let reader: { token: string; cohortId: number };

/** The distinct colours (#rrggbb) of a PNG's pixels in a rectangle (default: all of it), decoded by the browser. */
function pngColours(
  page: Page,
  png: Buffer,
  box?: { x: number; y: number; width: number; height: number },
): Promise<string[]> {
  // (a string: the test's TypeScript has no DOM types)
  return page.evaluate<string[]>(`(async () => {
    const image = new Image();
    image.src = 'data:image/png;base64,${png.toString('base64')}';
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const box = ${JSON.stringify(box ?? null)} ?? { x: 0, y: 0, width: image.width, height: image.height };
    const pixels = context.getImageData(box.x, box.y, box.width, box.height).data;
    const seen = new Set();
    for (let i = 0; i < pixels.length; i += 4)
      seen.add('#' + [pixels[i], pixels[i + 1], pixels[i + 2]].map((c) => c.toString(16).padStart(2, '0')).join(''));
    return [...seen];
  })()`);
}

beforeAll(async () => {
  // the real CHOL and DLBC counts in one cohort "TCGA", with survival
  const { dbUrl, ...rest } = await countsDatabase('heatmap', ['CHOL', 'DLBC'], 'TCGA');
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
  const colours = await pngColours(page, png);
  expect(colours.length).toBeGreaterThan(50);

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
    /(predictions, for (all 67 samples|\d+ of the 67 samples so far)|No model is active)/,
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'heatmap-comparison.png'), fullPage: true });
});

it('fills the predicted type track from the active model, takes Entrez IDs, and downloads a PNG of the drawn figure', async () => {
  const { token, cohortId } = reader;
  const { portalUrl, apiUrl } = portal!.stack;
  const page = await portal!.context.newPage();
  // ../shared/data/reference/ncbi_gene_ids.tsv.gz: 213 ALB, 930 CD19, 931 MS4A1, 7157 TP53
  const ENTREZ = { '213': 'ALB', '930': 'CD19', '931': 'MS4A1', '7157': 'TP53' };
  const url = `${portalUrl}/cohorts/${cohortId}/heatmap?genes=${Object.keys(ENTREZ).join('+')}&tracks=cancerType&tracks=predictedType&tracks=riskGroup`;
  await page.goto(url);
  const svg = page.getByTestId('heatmap-svg');
  await svg.waitFor({ timeout: 300_000 });
  // the gene rows by symbol: every Entrez ID resolved in this database
  const markup = await svg.evaluate((e) => e.outerHTML);
  const labels = [...markup.matchAll(/<text[^>]*>([A-Z0-9]+)<\/text>/g)].map((m) => m[1]!);
  expect(labels.filter((l) => Object.values(ENTREZ).includes(l)).sort()).toEqual(
    Object.values(ENTREZ).sort(),
  );
  expect(await page.getByTestId('heatmap-left-out').count()).toBe(0);
  // every one of the 67 samples has a predicted type and a risk group from the shipped model
  expect(await page.getByTestId('heatmap-summary').textContent()).toMatch(
    /tcga-6types's predictions, for all 67 samples/,
  );
  const res = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `query($id: ID!, $genes: [String!]!) { cohort(id: $id) { heatmap(genes: $genes,
        tracks: ["cancerType", "predictedType", "riskGroup"]) { sampleIds tracks { name values } } } }`,
      variables: { id: String(cohortId), genes: Object.keys(ENTREZ) },
    }),
  });
  const answer = (
    (await res.json()) as {
      data: {
        cohort: { heatmap: { sampleIds: string[]; tracks: { name: string; values: (string | null)[] }[] } };
      };
    }
  ).data.cohort.heatmap;
  const [recorded, predicted] = answer.tracks;
  expect(predicted!.values.every((v) => v !== null)).toBe(true);
  // the shipped heads know both types (among their six): most samples of each are predicted as recorded
  for (const type of ['CHOL', 'DLBC']) {
    const of = recorded!.values.flatMap((t, j) => (t === type ? [predicted!.values[j]] : []));
    expect(of.filter((t) => t === type).length).toBeGreaterThan(of.length / 2);
  }
  // drawn: the predicted type track's cells cover all 67 columns, none in the no-value white
  const fills = await page
    .getByTestId('track-predictedType')
    .locator('rect')
    .evaluateAll((rects) =>
      rects.map((r) => [r.getAttribute('fill'), Number(r.getAttribute('width'))] as const),
    );
  expect(fills.length).toBeGreaterThan(0);
  expect(fills.filter(([fill]) => fill === '#ffffff')).toEqual([]);
  const cells = await page
    .getByTestId('track-cancerType')
    .locator('rect')
    .evaluateAll((rects) => rects.reduce((sum, r) => sum + Number(r.getAttribute('width')), 0));
  expect(fills.reduce((sum, [, w]) => sum + w, 0)).toBeCloseTo(cells, 6);
  await page.screenshot({ path: path.join(ARTIFACTS, 'heatmap-predicted.png'), fullPage: true });

  // the PNG: the drawn figure (its viewBox, as laid out on the page) at twice its size, the track in colour
  const viewBox = /viewBox="([\d.\s-]+)"/.exec(markup)![1]!.trim().split(/\s+/).map(Number);
  const [pngFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /as PNG/ }).click(),
  ]);
  const png = fs.readFileSync((await pngFile.path())!);
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([
    Math.round(viewBox[2]! * 2),
    Math.round(viewBox[3]! * 2),
  ]);
  fs.writeFileSync(path.join(ARTIFACTS, 'heatmap-predicted-download.png'), png);
  // decoded by the browser: the predicted type track's row (its first rect's middle, in figure units x 2)
  // holds no no-value white (nor the cells' grey) and at least one track colour
  const box = await page
    .getByTestId('track-predictedType')
    .locator('rect')
    .first()
    .evaluate((r) => ({ y: Number(r.getAttribute('y')), height: Number(r.getAttribute('height')) }));
  const x0 = Math.min(
    ...(await page
      .getByTestId('track-predictedType')
      .locator('rect')
      .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('x'))))),
  );
  const trackWidth = fills.reduce((sum, [, w]) => sum + w, 0);
  const row = await pngColours(page, png, {
    x: Math.round(x0 * 2) + 2,
    y: Math.round((box.y + box.height / 2) * 2),
    width: Math.round(trackWidth * 2) - 4,
    height: 1,
  });
  expect(row).not.toContain('#d9d9d9');
  expect(row).not.toContain('#ffffff');
  expect(row.length).toBeGreaterThan(0);
  await page.close();
}, 900_000);
