// File uploads over HTTP (GraphQL multipart request spec) against a real database: a real TCGA counts
// file and the pan-cancer survival table are uploaded by a curator; bad files, readers, malformed bodies
// and bodies over the size limit are refused, leaving the database as it was.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createToken } from '@gexbert/core/auth/tokens';
import { createPrisma, type PrismaClient } from '@gexbert/core/db/prisma';
import { createTestDatabase, fingerprint, query } from '@gexbert/core/test-support/database';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../src/server.ts';
import { graphqlMultipartRequest, MultipartError, Upload } from '../src/upload.ts';
import { countsFile, type GraphQLResponse, OS_TABLE } from './support.ts';

/** The smallest real cohort (1.5 MB gzipped); the limit below lets it through but not UCS (2.4 MB). */
const CHOL_FILE = countsFile('CHOL');
const MAX_BODY = 2_000_000;

let dbUrl: string;
let pool: pg.Pool;
let prisma: PrismaClient;
let api: RunningApi;
let reader: string;
let curator: string;

beforeAll(async () => {
  dbUrl = await createTestDatabase('upload');
  pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  prisma = createPrisma(dbUrl);
  api = await startApi({ pool, prisma, port: 0, env: {}, maxUploadBytes: MAX_BODY });
  reader = (await createToken(prisma, 'upload reader', 'READER')).token;
  curator = (await createToken(prisma, 'upload curator', 'CURATOR')).token;
});
afterAll(async () => {
  await api?.stop();
  await prisma?.$disconnect();
  await pool?.end();
});

const COUNTS_MUTATION = `mutation($file: Upload!, $cohort: String) {
  ingestCountsUpload(file: $file, cohort: $cohort) {
    unchanged samples genes file import { kind fileName sampleCount }
  }
}`;
const CLINICAL_MUTATION = `mutation($file: Upload!) {
  ingestClinicalUpload(file: $file) { unchanged matched unknownPatientCount import { kind fileName } }
}`;

/** A spec-conformant multipart request built by the platform's own FormData encoder (undici). */
function uploadForm(
  operation: string,
  variables: Record<string, unknown>,
  content: Buffer,
  fileName: string,
): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: operation, variables: { ...variables, file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob([new Uint8Array(content)]), fileName);
  return form;
}

async function post(
  body: FormData | string,
  {
    token = curator,
    contentType,
    preflight = true,
  }: { token?: string; contentType?: string; preflight?: boolean },
): Promise<GraphQLResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (preflight) headers['apollo-require-preflight'] = 'true';
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(api.url, { method: 'POST', headers, body });
  return { status: res.status, ...((await res.json()) as Omit<GraphQLResponse, 'status'>) };
}

const upload = (operation: string, file: string, variables: Record<string, unknown> = {}, token = curator) =>
  post(uploadForm(operation, variables, fs.readFileSync(file), path.basename(file)), { token });

/** Temporary upload directories left behind (there should be none). */
const leftovers = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('gexbert-upload-'));

/** Sample barcodes in a genes x samples counts file's header. */
function headerSamples(file: string): string[] {
  const text = gunzipSync(fs.readFileSync(file)).toString('utf8');
  return text.slice(0, text.indexOf('\n')).split('\t').slice(1);
}

describe('uploading files through GraphQL', () => {
  it('ingests an uploaded counts file; its samples are then queryable', async () => {
    const before = leftovers();
    const res = await upload(COUNTS_MUTATION, CHOL_FILE, { cohort: 'Uploaded' });
    expect(res.errors).toBeUndefined();
    const barcodes = headerSamples(CHOL_FILE);
    expect(res.data!.ingestCountsUpload).toEqual([
      {
        unchanged: false,
        samples: barcodes.length,
        genes: expect.any(Number),
        file: 'TCGA_CHOL_Counts.exp.gz',
        import: { kind: 'COUNTS', fileName: 'TCGA_CHOL_Counts.exp.gz', sampleCount: barcodes.length },
      },
    ]);
    const listed = await post(
      JSON.stringify({
        query: `{ cohort(name: "Uploaded") { sampleCount }
          samples(first: 100, filter: { cancerTypes: ["CHOL"] }) { totalCount nodes { barcode } } }`,
      }),
      { token: reader, contentType: 'application/json' },
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.cohort.sampleCount).toBe(barcodes.length);
    expect(listed.data!.samples.totalCount).toBe(barcodes.length);
    const stored = listed.data!.samples.nodes.map((n: { barcode: string }) => n.barcode).sort();
    expect(stored).toEqual(barcodes.map((b) => b.slice(0, 15)).sort());
    expect(leftovers()).toEqual(before);
    const recorded = await query<{ filePath: string }>(
      dbUrl,
      `SELECT "filePath" FROM "Import" WHERE kind = 'COUNTS'`,
    );
    expect(recorded.map((r) => r.filePath)).toEqual(['upload:TCGA_CHOL_Counts.exp.gz']);

    const again = await upload(COUNTS_MUTATION, CHOL_FILE, { cohort: 'Uploaded' });
    expect(again.data!.ingestCountsUpload[0].unchanged).toBe(true);
  });

  it('ingests an uploaded clinical table for the patients already stored', async () => {
    const res = await upload(CLINICAL_MUTATION, OS_TABLE);
    expect(res.errors).toBeUndefined();
    const lines = gunzipSync(fs.readFileSync(OS_TABLE)).toString('utf8').split('\n');
    const header = lines[0]!.split('\t');
    const table = new Map(
      lines.slice(1).map((l) => {
        const cells = l.split('\t');
        return [cells[header.indexOf('patient')]!, Number(cells[header.indexOf('OS_time_days')])] as const;
      }),
    );
    const patients = await query<{ barcode: string; osDays: number | null }>(
      dbUrl,
      `SELECT barcode, "osDays" FROM "Patient" ORDER BY barcode`,
    );
    const inTable = patients.filter((p) => table.has(p.barcode));
    expect(inTable.length).toBeGreaterThan(0);
    expect(res.data!.ingestClinicalUpload).toMatchObject({
      unchanged: false,
      matched: inTable.length,
      import: { kind: 'CLINICAL', fileName: 'tcga_pancan_os.tsv.gz' },
    });
    for (const p of inTable)
      if (Number.isFinite(table.get(p.barcode))) expect(p.osDays).toBe(table.get(p.barcode));
  });

  it('turns a bad file into the one-line BAD_USER_INPUT naming the file and line, recording one FAILED import', async () => {
    const ragged = Buffer.from(
      '\tTCGA-W5-AA33-01A-11R-A41I-07\tTCGA-W5-AA30-01A-31R-A41I-07\nENSG00000141510\t5\t7\nENSG00000012048\t3\n',
    );
    const { Import: _importsBefore, ...before } = await fingerprint(dbUrl);
    const importsBefore = await query<{ id: number }>(dbUrl, `SELECT id FROM "Import"`);
    const dirs = leftovers();
    const res = await post(uploadForm(COUNTS_MUTATION, {}, ragged, 'broken_counts.tsv'), {});
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/^broken_counts\.tsv:3\b/);
    expect(res.errors![0]!.message).not.toMatch(/\n|gexbert-upload-/);
    const { Import: _importsAfter, ...after } = await fingerprint(dbUrl);
    expect(after).toEqual(before);
    const added = await query<Record<string, unknown>>(
      dbUrl,
      `SELECT kind, status, "fileName", "filePath", checksum, error, "sampleCount" FROM "Import"
       WHERE NOT (id = ANY($1::int[]))`,
      [importsBefore.map((i) => i.id)],
    );
    expect(added).toEqual([
      {
        kind: 'COUNTS',
        status: 'FAILED',
        fileName: 'broken_counts.tsv',
        filePath: 'upload:broken_counts.tsv',
        checksum: createHash('sha256').update(ragged).digest('hex'),
        error: res.errors![0]!.message,
        sampleCount: 0,
      },
    ]);
    const linked = await query<{ n: string }>(
      dbUrl,
      `SELECT count(*) AS n FROM "Sample" s JOIN "Import" i ON i.id = s."importId" WHERE i.status = 'FAILED'`,
    );
    expect(linked[0]!.n).toBe('0');
    expect(leftovers()).toEqual(dirs);
  });

  it('refuses readers, requests without the CSRF preflight header and bodies over the size limit', async () => {
    const before = await fingerprint(dbUrl);
    const denied = await upload(CLINICAL_MUTATION, OS_TABLE, {}, reader);
    expect(denied.status).toBe(403);
    expect(denied.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(denied.errors![0]!.message).toBe('uploads need the curator role; your token has reader');
    const content = fs.readFileSync(OS_TABLE);
    const csrf = await post(uploadForm(CLINICAL_MUTATION, {}, content, 'os.tsv.gz'), { preflight: false });
    expect(csrf.status).toBe(400);
    const big = countsFile('UCS');
    expect(fs.statSync(big).size).toBeGreaterThan(MAX_BODY);
    const tooLarge = await upload(COUNTS_MUTATION, big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.errors![0]!.extensions!.code).toBe('PAYLOAD_TOO_LARGE');
    expect(tooLarge.errors![0]!.message).toMatch(
      /upload is larger than 2000000 bytes .*GEXBERT_API_MAX_UPLOAD_BYTES/,
    );
    // Who may upload is settled before the body is read: a reader's or a stranger's oversized upload is
    // refused for its token (403, 401), not for its size (413).
    const readerTooLarge = await upload(COUNTS_MUTATION, big, {}, reader);
    expect(readerTooLarge.status).toBe(403);
    expect(readerTooLarge.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const strangerTooLarge = await upload(COUNTS_MUTATION, big, {}, 'gxb_not-a-token');
    expect(strangerTooLarge.status).toBe(401);
    expect(strangerTooLarge.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(await fingerprint(dbUrl)).toEqual(before);
  });

  it('answers a malformed multipart body with one clear 400', async () => {
    const type = 'multipart/form-data; boundary=XyZ';
    const field = (name: string, value: string, file?: string) =>
      `--XyZ\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"` : ''}\r\n\r\n${value}\r\n`;
    const operations = JSON.stringify({ query: CLINICAL_MUTATION, variables: { file: null } });
    const map = JSON.stringify({ 0: ['variables.file'] });
    const cases: [string, RegExp][] = [
      [
        `${field('map', map)}${field('operations', operations)}--XyZ--\r\n`,
        /the first field must be "operations"/,
      ],
      [`${field('operations', operations)}--XyZ--\r\n`, /the second field must be "map"/],
      [`${field('operations', '{oops')}${field('map', map)}--XyZ--\r\n`, /"operations" is not valid JSON/],
      [`${field('operations', operations)}${field('map', map)}--XyZ--\r\n`, /no such file was sent/],
      [
        `${field('operations', operations)}${field('map', JSON.stringify({ 0: ['variables.other'] }))}${field('0', 'x', 'a.tsv')}--XyZ--`,
        /map path "variables.other" does not exist/,
      ],
      [
        `${field('operations', operations)}${field('map', map)}${field('0', 'x', 'a.tsv')}`,
        /not closed by a boundary/,
      ],
      [`garbage${field('operations', operations)}`, /does not start with the boundary/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body, { contentType: type });
      expect(res.status).toBe(400);
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
      expect(res.errors![0]!.message).toMatch(/^malformed GraphQL multipart request: /);
      expect(res.errors![0]!.message).toMatch(message);
    }
    const noBoundary = await post('x', { contentType: 'multipart/form-data' });
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.errors![0]!.message).toMatch(/no valid boundary/);
  });
});

describe('the multipart parser', () => {
  it('returns the operations with the exact bytes of the file in place', async () => {
    const content = fs.readFileSync(CHOL_FILE);
    const request = new Request('http://localhost/', {
      method: 'POST',
      body: uploadForm(COUNTS_MUTATION, { cohort: 'x' }, content, 'C:\\data\\TCGA_CHOL_Counts.exp.gz'),
    });
    const body = Buffer.from(await request.arrayBuffer());
    const parsed = graphqlMultipartRequest(body, request.headers.get('content-type')!) as {
      query: string;
      variables: { cohort: string; file: Upload };
    };
    expect(parsed.query).toBe(COUNTS_MUTATION);
    expect(parsed.variables.cohort).toBe('x');
    expect(parsed.variables.file).toBeInstanceOf(Upload);
    expect(parsed.variables.file.fileName).toBe('TCGA_CHOL_Counts.exp.gz');
    expect(parsed.variables.file.content.equals(content)).toBe(true);
  });

  it('refuses batched operations, files outside the map and unusable file names', () => {
    const type = 'multipart/form-data; boundary=b';
    const part = (name: string, value: string, file?: string) =>
      `--b\r\nContent-Disposition: form-data; name="${name}"${file === undefined ? '' : `; filename="${file}"`}\r\n\r\n${value}\r\n`;
    const ops = JSON.stringify({ query: '{ ping }', variables: { file: null } });
    const map = JSON.stringify({ 0: ['variables.file'] });
    const parse = (body: string) => () => graphqlMultipartRequest(Buffer.from(body), type);
    expect(parse(`${part('operations', '[]')}${part('map', '{}')}--b--`)).toThrow(/batched operations/);
    expect(
      parse(`${part('operations', ops)}${part('map', map)}${part('0', 'x', 'a')}${part('1', 'y', 'b')}--b--`),
    ).toThrow(/file field "1" is not in "map"/);
    expect(parse(`${part('operations', ops)}${part('map', map)}${part('0', 'x', '../')}--b--`)).toThrow(
      /no usable file name/,
    );
    expect(parse(`${part('operations', ops)}${part('map', map)}${part('0', 'x')}--b--`)).toThrow(
      MultipartError,
    );
  });
});
