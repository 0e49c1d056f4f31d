// `ingestTableUpload`: the real PanCanAtlas extract (samples as rows, Entrez IDs, RSEM) uploaded with its
// per-sample table over HTTP (GraphQL multipart request spec) into a real database; a per-sample table
// lacking samples is refused by name, leaving the data as they were.
import fs from 'node:fs';
import path from 'node:path';
import { createToken } from '@gexbert/core/auth/tokens';
import { createPrisma, type PrismaClient } from '@gexbert/core/db/prisma';
import { createTestDatabase, fingerprint, query } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../src/server.ts';
import type { GraphQLResponse } from './support.ts';

const PANCAN = path.join(sharedDir(), 'data/tcga/pancan33');
const EXPRESSION = path.join(PANCAN, 'pancan33_expression.tsv.gz');
const SIDECAR = path.join(PANCAN, 'pancan33_samples.tsv');

let dbUrl: string;
let pool: pg.Pool;
let prisma: PrismaClient;
let api: RunningApi;
let curator: string;

beforeAll(async () => {
  dbUrl = await createTestDatabase('table_upload');
  pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  prisma = createPrisma(dbUrl);
  api = await startApi({ pool, prisma, port: 0, env: {} });
  curator = (await createToken(prisma, 'table curator', 'CURATOR')).token;
});
afterAll(async () => {
  await api?.stop();
  await prisma?.$disconnect();
  await pool?.end();
});

const TABLE_MUTATION = `mutation($file: Upload!, $samples: Upload, $unit: ExpressionUnit) {
  ingestTableUpload(file: $file, samples: $samples, unit: $unit) {
    outcome { unchanged written genes file import { kind fileName unit } }
    reading { orientation orientationForced unit attributeColumns samplesFile samplesFileFound geneIds genesMapped entrezMapped unmapped }
  }
}`;

/** The table and its per-sample table as two files of one multipart request. */
async function uploadTable(samples: { name: string; content: Buffer }): Promise<GraphQLResponse> {
  const form = new FormData();
  const variables = { unit: 'RSEM', file: null, samples: null };
  form.append('operations', JSON.stringify({ query: TABLE_MUTATION, variables }));
  form.append('map', JSON.stringify({ 0: ['variables.file'], 1: ['variables.samples'] }));
  form.append('0', new Blob([new Uint8Array(fs.readFileSync(EXPRESSION))]), path.basename(EXPRESSION));
  form.append('1', new Blob([new Uint8Array(samples.content)]), samples.name);
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${curator}`, 'apollo-require-preflight': 'true' },
    body: form,
  });
  return { status: res.status, ...((await res.json()) as Omit<GraphQLResponse, 'status'>) };
}

describe('uploading an expression table with its per-sample table', () => {
  it('refuses a per-sample table that lacks samples, naming it; nothing is written', async () => {
    const lines = fs.readFileSync(SIDECAR, 'utf8').trimEnd().split('\n');
    const before = await fingerprint(dbUrl);
    const res = await uploadTable({
      name: 'partial_samples.tsv',
      content: Buffer.from(`${lines.slice(0, -1).join('\n')}\n`),
    });
    expect(res.errors?.[0]?.message).toMatch(
      /^partial_samples\.tsv:1:1: 1 of the 604 samples of .* are not in this sample table/,
    );
    const { Import: _a, ...after } = await fingerprint(dbUrl);
    const { Import: _b, ...was } = before;
    expect(after).toEqual(was);
  });

  it('stores the 604 samples of 33 cancer types, RSEM, Entrez IDs mapped', async () => {
    const res = await uploadTable({ name: 'pancan33_samples.tsv', content: fs.readFileSync(SIDECAR) });
    expect(res.errors).toBeUndefined();
    const data = res.data as { ingestTableUpload: Record<string, unknown> };
    expect(data.ingestTableUpload).toEqual({
      outcome: {
        unchanged: false,
        written: 604,
        genes: 100,
        file: 'pancan33_expression.tsv.gz',
        import: { kind: 'TABLE', fileName: 'pancan33_expression.tsv.gz', unit: 'RSEM' },
      },
      reading: {
        orientation: 'SAMPLES_AS_ROWS',
        orientationForced: false,
        unit: 'RSEM',
        attributeColumns: [],
        samplesFile: 'pancan33_samples.tsv',
        samplesFileFound: false,
        geneIds: 100,
        genesMapped: 100,
        entrezMapped: 100,
        unmapped: [],
      },
    });
    const types = await query<{ cancerType: string; n: string }>(
      dbUrl,
      `SELECT p."cancerType", count(*) AS n FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" GROUP BY 1`,
    );
    expect(types).toHaveLength(33);
    expect(Number(types.find((t) => t.cancerType === 'BRCA')!.n)).toBe(67);
  });
});
