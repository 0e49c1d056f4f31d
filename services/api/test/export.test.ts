// Cohort exports (src/exports): the genes x samples matrix and the clinical table of a real cohort (TCGA CHOL and
// DLBC counts with survival), streamed as gzip TSV from /export/cohorts/<id>/…. Checked against what the
// GraphQL API answers for the same genes and samples, for validity of the gzip, for refusals, and for streaming.
import http from 'node:http';
import zlib from 'node:zlib';
import { createToken, revokeToken } from '@gexbert/core/auth/tokens';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLINICAL_COLUMNS } from '../src/exports/cohortClinical.ts';
import { GENES_PER_READ } from '../src/exports/cohortMatrix.ts';
import { type Harness, startHarness } from './support.ts';

let h: Harness;
let cohortId: string;
let exportUrl: (file: string, query?: string) => string;

beforeAll(async () => {
  h = await startHarness(['CHOL', 'DLBC']);
  cohortId = String(
    (await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'TCGA'`)).rows[0]!.id,
  );
  exportUrl = (file, query = '') => new URL(`/export/cohorts/${cohortId}/${file}.tsv.gz${query}`, h.url).href;
}, 300_000);
afterAll(async () => {
  await h?.close();
});

async function download(url: string, token: string | null = h.tokens.READER) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = Buffer.from(await res.arrayBuffer());
  return { res, body };
}

/** The TSV's header and rows, by first column. */
function parse(gz: Buffer): { header: string[]; rows: Map<string, string[]> } {
  const lines = zlib.gunzipSync(gz).toString('utf8').split('\n');
  expect(lines.pop()).toBe('');
  const rows = lines.slice(1).map((l) => l.split('\t'));
  return { header: lines[0]!.split('\t'), rows: new Map(rows.map((r) => [r[0]!, r])) };
}

type Column = { gene: { ensemblId: string }; barcodes: string[]; values: (number | null)[] };

async function graphqlValues(genes: string[], unit: string, transform: string): Promise<Column[]> {
  const res = await h.gql<{ cohort: { geneValues: Column[] } }>(
    `query($id: ID!, $genes: [String!]!, $unit: ExpressionUnit, $transform: ValueTransform) {
       cohort(id: $id) { geneValues(genes: $genes, unit: $unit, transform: $transform) { gene { ensemblId } barcodes values } } }`,
    { id: cohortId, genes, unit, transform },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.cohort.geneValues;
}

/** Every value of the columns equals the matrix's cell for its gene and sample (NA for null). */
function expectSameValues(matrix: ReturnType<typeof parse>, columns: Column[]) {
  const at = new Map(matrix.header.map((b, i) => [b, i]));
  let compared = 0;
  for (const column of columns) {
    const row = matrix.rows.get(column.gene.ensemblId)!;
    expect(row, column.gene.ensemblId).toBeDefined();
    column.barcodes.forEach((barcode, k) => {
      const cell = row[at.get(barcode)!]!;
      expect(cell).toBe(column.values[k] === null ? 'NA' : String(column.values[k]));
      compared++;
    });
  }
  return compared;
}

it('exports the whole raw-count matrix: every gene of the layout, every sample, values as GraphQL answers them', async () => {
  const { res, body } = await download(exportUrl('expression'));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/gzip');
  expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  const matrix = parse(body);
  const samples = await h.pool.query<{ barcode: string }>(
    `SELECT s.barcode FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId" WHERE cs."cohortId" = $1 ORDER BY s.id`,
    [Number(cohortId)],
  );
  expect(matrix.header).toEqual(['gene', 'symbol', ...samples.rows.map((r) => r.barcode)]);
  const genes = await h.pool.query<{ n: number }>(
    `SELECT count(DISTINCT g)::int AS n FROM "ExpressionBlock" b JOIN "GeneLayout" l ON l.id = b."layoutId",
       unnest(l."geneIds") g WHERE b.unit = 'RAW_COUNT'`,
  );
  expect(matrix.rows.size).toBe(genes.rows[0]!.n);
  expect(matrix.rows.get('ENSG00000141510')![1]).toBe('TP53');
  const spot = ['TP53', 'GAPDH', 'ESR1', 'CD19', 'ALB', 'MS4A1'];
  const compared = expectSameValues(matrix, await graphqlValues(spot, 'RAW_COUNT', 'NONE'));
  expect(compared).toBe(spot.length * samples.rows.length);
});

it('exports log2(CPM + 1) of a gene list equal to GraphQL geneValues with transform LOG2_CPM', async () => {
  const { res, body } = await download(
    exportUrl('expression', '?unit=RAW_COUNT&transform=LOG2_CPM&genes=TP53,%20ENSG00000111640,ESR1'),
  );
  expect(res.status).toBe(200);
  const matrix = parse(body);
  expect([...matrix.rows.keys()]).toEqual(['ENSG00000141510', 'ENSG00000111640', 'ENSG00000091831']);
  const columns = await graphqlValues(['TP53', 'GAPDH', 'ESR1'], 'RAW_COUNT', 'LOG2_CPM');
  expect(columns[1]!.values.some((v) => v !== null && v > 5)).toBe(true);
  expect(expectSameValues(matrix, columns)).toBe(3 * (matrix.header.length - 2));
});

it("exports the clinical table: a line per sample with its patient's survival as GraphQL gives it", async () => {
  const { res, body } = await download(exportUrl('clinical'));
  expect(res.status).toBe(200);
  const table = parse(body);
  expect(table.header.slice(0, CLINICAL_COLUMNS.length)).toEqual([...CLINICAL_COLUMNS]);
  const page = await h.gql<{
    cohort: {
      sampleCount: number;
      samples: {
        nodes: {
          barcode: string;
          sampleType: string;
          patient: { cancerType: string; osDays: number | null; osEvent: number | null };
        }[];
      };
    };
  }>(
    `query($id: ID!) { cohort(id: $id) { sampleCount samples(first: 500) { nodes { barcode sampleType
       patient { cancerType osDays osEvent } } } } }`,
    { id: cohortId },
  );
  const cohort = page.data!.cohort;
  expect(table.rows.size).toBe(cohort.sampleCount);
  for (const s of cohort.samples.nodes) {
    const row = table.rows.get(s.barcode)!;
    expect(row.slice(2, 4)).toEqual([s.patient.cancerType, s.sampleType]);
    expect(row[6]).toBe(s.patient.osDays === null ? 'NA' : String(s.patient.osDays));
    expect(row[7]).toBe(s.patient.osEvent === null ? 'NA' : String(s.patient.osEvent));
  }
  expect(cohort.samples.nodes.filter((s) => s.patient.osDays !== null).length).toBeGreaterThan(50);
});

it('refuses callers the API refuses, unknown cohorts and bad units', async () => {
  const refused = async (url: string, token: string | null, status: number, code: string) => {
    const { res, body } = await download(url, token);
    expect(res.status).toBe(status);
    expect(JSON.parse(body.toString()).errors[0].extensions.code).toBe(code);
    return JSON.parse(body.toString()).errors[0].message as string;
  };
  await refused(exportUrl('expression'), null, 401, 'UNAUTHENTICATED');
  await refused(exportUrl('clinical'), null, 401, 'UNAUTHENTICATED');
  await refused(exportUrl('expression'), 'gxb_not-a-token', 401, 'UNAUTHENTICATED');
  const { token, row } = await createToken(h.prisma, 'revoked', 'READER');
  await revokeToken(h.prisma, row.id);
  // revoked before its first use (the API caches accepted tokens briefly)
  await refused(exportUrl('clinical'), token, 401, 'UNAUTHENTICATED');
  await refused(
    new URL('/export/cohorts/99999/expression.tsv.gz', h.url).href,
    h.tokens.READER,
    404,
    'NOT_FOUND',
  );
  expect(
    await refused(
      exportUrl('expression', '?unit=RSEM&transform=LOG2_CPM'),
      h.tokens.READER,
      400,
      'BAD_USER_INPUT',
    ),
  ).toMatch(/LOG2_CPM takes raw counts/);
  expect(
    await refused(exportUrl('expression', '?unit=GRAMS'), h.tokens.READER, 400, 'BAD_USER_INPUT'),
  ).toMatch(/unit must be/);
  expect(
    await refused(exportUrl('expression', '?genes=TP53,NOSUCHGENE'), h.tokens.READER, 400, 'BAD_USER_INPUT'),
  ).toMatch(/NOSUCHGENE/);
});

it('streams: the first bytes arrive after a few of the gene reads the whole matrix takes', async () => {
  const genes = (
    await h.pool.query<{ n: number }>(
      `SELECT max("geneCount")::int AS n FROM "GeneLayout" l JOIN "ExpressionBlock" b ON b."layoutId" = l.id`,
    )
  ).rows[0]!.n;
  const batches = Math.ceil(genes / GENES_PER_READ);
  h.queries.reset();
  const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
    http
      .get(exportUrl('expression'), { headers: { authorization: `Bearer ${h.tokens.READER}` } }, resolve)
      .on('error', reject),
  );
  // the first decompressed bytes (the header line and the first genes' lines), then the rest
  const gunzip = res.pipe(zlib.createGunzip());
  const first = await new Promise<Buffer>((resolve) => gunzip.once('data', resolve));
  const atFirstBytes = h.queries.count;
  let size = first.length;
  for await (const chunk of gunzip) size += (chunk as Buffer).length;
  const queries = 2 * batches;
  expect(first.toString('utf8')).toMatch(/^gene\tsymbol\tTCGA-/);
  expect(size).toBeGreaterThan(first.length); // the TSV came in more than one piece
  expect(atFirstBytes).toBeLessThan(queries / 20);
  expect(h.queries.count).toBeGreaterThanOrEqual(queries);
});
