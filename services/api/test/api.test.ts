// The API over HTTP against a real database holding two real TCGA cohorts (CHOL, DLBC) with survival.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createToken, revokeToken } from '@gexbert/core/auth/tokens';
import { fingerprint, query } from '@gexbert/core/test-support/database';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../src/server.ts';
import { countsFile, type GraphQLResponse, type Harness, OS_TABLE, startHarness } from './support.ts';

const CHOL = 29;
const DLBC = 38;

let h: Harness;
let badDir: string;

const cohortId = async () =>
  (await query<{ id: number }>(h.dbUrl, `SELECT id FROM "Cohort" WHERE name = 'TCGA'`))[0]!.id;

beforeAll(async () => {
  badDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-api-bad-'));
  h = await startHarness(['CHOL', 'DLBC'], {
    ingestDirs: [path.dirname(countsFile('X')), path.dirname(OS_TABLE), badDir],
  });
});
afterAll(async () => {
  await h?.close();
  fs.rmSync(badDir, { recursive: true, force: true });
});

describe('queries', () => {
  it('lists cohorts with their samples, composition and survival by cancer type', async () => {
    const res = await h.gql(`{
      cohorts(first: 10) {
        totalCount
        pageInfo { hasNextPage }
        nodes {
          name sampleCount
          samples(first: 5) { totalCount pageInfo { hasNextPage endCursor } nodes { barcode sampleType } }
          composition { cancerType sampleType count }
          survival {
            missing
            logRank { statistic df pValue }
            groups { cancerType patients events medianDays curve { timeDays survival atRisk events }
                     steps { timeDays survival atRisk events } }
          }
        }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const cohorts = res.data!.cohorts;
    expect(cohorts.totalCount).toBe(1);
    const tcga = cohorts.nodes[0];
    expect(tcga.name).toBe('TCGA');
    expect(tcga.sampleCount).toBe(CHOL + DLBC);
    expect(tcga.samples.totalCount).toBe(CHOL + DLBC);
    expect(tcga.samples.nodes).toHaveLength(5);
    expect(tcga.samples.pageInfo.hasNextPage).toBe(true);
    expect(tcga.composition).toEqual([
      { cancerType: 'CHOL', sampleType: 'TUMOR', count: CHOL },
      { cancerType: 'DLBC', sampleType: 'TUMOR', count: DLBC },
    ]);
    const groups = tcga.survival.groups;
    expect(groups.map((g: { cancerType: string }) => g.cancerType)).toEqual(['CHOL', 'DLBC']);
    const [patients] = await query<{ n: number }>(
      h.dbUrl,
      `SELECT count(DISTINCT p.id)::int AS n FROM "Patient" p WHERE p."osDays" IS NOT NULL AND p."osEvent" IS NOT NULL`,
    );
    expect(groups[0].patients + groups[1].patients + tcga.survival.missing).toBeGreaterThanOrEqual(
      patients!.n,
    );
    for (const g of groups) {
      expect(g.events).toBe(g.curve.reduce((n: number, p: { events: number }) => n + p.events, 0));
      expect(g.curve[0].atRisk).toBe(g.patients);
      // the same curve as parallel arrays
      for (const field of ['timeDays', 'survival', 'atRisk', 'events'] as const)
        expect(g.steps[field]).toEqual(g.curve.map((p: Record<string, number>) => p[field]));
    }
    expect(tcga.survival.logRank.df).toBe(1);
    expect(tcga.survival.logRank.pValue).toBeGreaterThan(0);
    expect(tcga.survival.logRank.pValue).toBeLessThanOrEqual(1);
  });

  it('keeps the survival of chosen cancer types: their curves as in the whole answer, the test across them', async () => {
    const SURVIVAL = `query($types: [String!], $groupBy: SurvivalGrouping) { cohort(name: "TCGA") {
      survival(types: $types, groupBy: $groupBy) { missing logRank { statistic df pValue }
        groups { cancerType patients events medianDays steps { timeDays survival atRisk events } } } } }`;
    const survival = async (variables: Record<string, unknown>) => h.gql(SURVIVAL, variables);
    const whole = (await survival({})).data!.cohort.survival;
    expect(whole.groups).toHaveLength(2);
    // both types: the whole answer
    expect((await survival({ types: ['DLBC', 'CHOL'] })).data!.cohort.survival).toEqual(whole);
    // one type: its group exactly as in the whole answer, and no test across one group
    const dlbc = (await survival({ types: ['DLBC'] })).data!.cohort.survival;
    expect(dlbc.groups).toEqual([whole.groups.find((g: { cancerType: string }) => g.cancerType === 'DLBC')]);
    expect(dlbc.logRank).toBeNull();
    expect(dlbc.missing).toBeLessThanOrEqual(whole.missing);
    // refused, naming what to change
    const absent = await survival({ types: ['DLBC', 'BRCA'] });
    expect(absent.errors?.[0]?.message).toBe(
      `cohort ${await cohortId()} has no patient of "BRCA"; its types are CHOL, DLBC`,
    );
    expect(absent.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await survival({ types: [] })).errors?.[0]?.message).toMatch(/types is empty/);
    expect((await survival({ types: ['CHOL'], groupBy: 'RISK_MEDIAN' })).errors?.[0]?.message).toMatch(
      /types chooses cancer types/,
    );
  });

  it('pages through a cohort with cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res: GraphQLResponse = await h.gql(
        `query($after: String) { cohort(name: "TCGA") { samples(first: 30, after: $after) {
          pageInfo { hasNextPage endCursor } nodes { barcode } } } }`,
        { after },
      );
      const page = res.data!.cohort.samples;
      seen.push(...page.nodes.map((n: { barcode: string }) => n.barcode));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(CHOL + DLBC);
    expect(new Set(seen).size).toBe(CHOL + DLBC);
  });

  it('filters samples by cancer type and returns a sample with its patient and import', async () => {
    const res = await h.gql(`{
      samples(first: 100, filter: { cancerTypes: ["chol"] }) {
        totalCount nodes { id barcode patient { barcode cancerType osDays samples { barcode } } import { kind fileName } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.samples.totalCount).toBe(CHOL);
    const first = res.data!.samples.nodes[0];
    expect(first.patient.cancerType).toBe('CHOL');
    expect(first.barcode.startsWith(first.patient.barcode)).toBe(true);
    expect(first.patient.samples.map((s: { barcode: string }) => s.barcode)).toContain(first.barcode);
    expect(first.import).toEqual({ kind: 'COUNTS', fileName: 'TCGA_CHOL_Counts.exp.gz' });
    const byBarcode = await h.gql(`query($b: String) { sample(barcode: $b) { id } }`, { b: first.barcode });
    expect(byBarcode.data!.sample.id).toBe(first.id);
  });

  it('reads a sample’s measured values by Ensembl ID (versioned or not) and symbol, as in the file', async () => {
    const [sample] = await query<{ id: number; aliquotBarcode: string }>(
      h.dbUrl,
      `SELECT id, "aliquotBarcode" FROM "Sample" ORDER BY id LIMIT 1`,
    );
    const [tp53] = await query<{ ensemblId: string }>(
      h.dbUrl,
      `SELECT "ensemblId" FROM "Gene" WHERE symbol = 'TP53'`,
    );
    const res = await h.gql(
      `query($id: ID) { sample(id: $id) {
        expression(genes: ["tp53", "${tp53!.ensemblId}.17", "GAPDH"], unit: RAW_COUNT) { gene { ensemblId symbol } unit value }
        tpm: expression(genes: ["TP53"], unit: TPM) { value }
      } }`,
      { id: String(sample!.id) },
    );
    expect(res.errors).toBeUndefined();
    const values = res.data!.sample.expression;
    expect(values.map((v: { gene: { symbol: string } }) => v.gene.symbol)).toEqual(['TP53', 'TP53', 'GAPDH']);
    expect(values[0].value).toBe(values[1].value);
    expect(res.data!.sample.tpm).toEqual([]); // no TPM stored for these samples
    // the same number as the stored profile
    const [row] = await query<{ v: number }>(
      h.dbUrl,
      `SELECT (SELECT pos FROM "GeneLayout" l, unnest(l."geneIds") WITH ORDINALITY u(g, pos)
               WHERE l.id = b."layoutId" AND u.g = (SELECT id FROM "Gene" WHERE symbol = 'GAPDH')) AS v
       FROM "ExpressionProfile" p JOIN "ExpressionBlock" b ON b.id = p."blockId" WHERE p."sampleId" = $1`,
      [sample!.id],
    );
    const [bytes] = await query<{ values: Buffer }>(
      h.dbUrl,
      `SELECT values FROM "ExpressionProfile" WHERE "sampleId" = $1`,
      [sample!.id],
    );
    expect(values[2].value).toBe(bytes!.values.readUInt32LE((Number(row!.v) - 1) * 4));
    const unknown = await h.gql(
      `{ sample(id: "${sample!.id}") { expression(genes: ["NOT_A_GENE"]) { value } } }`,
    );
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('looks genes up and lists imports', async () => {
    const res = await h.gql(`{
      genesByIds(ids: ["BRCA1", "ENSG00000141510", "nope"]) { ensemblId symbol }
      genes(search: "BRCA", first: 5) { totalCount nodes { symbol } }
      imports(first: 10) { totalCount nodes { kind fileName sampleCount warnings } }
      clinical: imports(kind: CLINICAL) { totalCount }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.genesByIds[0].symbol).toBe('BRCA1');
    expect(res.data!.genesByIds[1].symbol).toBe('TP53');
    expect(res.data!.genesByIds[2]).toBeNull();
    expect(res.data!.genes.nodes.every((g: { symbol: string }) => g.symbol.startsWith('BRCA'))).toBe(true);
    expect(res.data!.imports.totalCount).toBe(3);
    expect(res.data!.clinical.totalCount).toBe(1);
  });

  it('resolves relations with DataLoader: 50 samples with their patients cost a bounded number of queries', async () => {
    const listing = (n: number) => `{ samples(first: ${n}) { nodes { barcode
      patient { barcode cancerType samples { barcode } } import { fileName } } } }`;
    const fifty = await h.gql(listing(50));
    expect(fifty.data!.samples.nodes).toHaveLength(50);
    const forFifty = await h.queriesOf(() => h.gql(listing(50)));
    expect(await h.queriesOf(() => h.gql(listing(5)))).toBe(forFifty);
    // token check, page + count, patients, samples of patients, imports
    expect(forFifty).toBeLessThanOrEqual(6);
    const cohortsQuery = `{ cohorts { nodes { sampleCount composition { count } survival { missing }
      samples(first: 50) { nodes { patient { barcode } } } } } }`;
    expect((await h.gql(cohortsQuery)).errors).toBeUndefined();
    // token, page + count, sample counts, sample pages, patients, compositions, cohorts' patients
    expect(await h.queriesOf(() => h.gql(cohortsQuery))).toBeLessThanOrEqual(8);
    const valuesQuery = `{ samples(first: 40) { nodes { expression(genes: ["TP53", "GAPDH"]) { value } } } }`;
    const values = await h.gql(valuesQuery);
    expect(
      values.data!.samples.nodes.every((n: { expression: unknown[] }) => n.expression.length === 2),
    ).toBe(true);
    // token, page + count, genes, profiles, and at most one read of the gene layout
    expect(await h.queriesOf(() => h.gql(valuesQuery))).toBeLessThanOrEqual(6);
  });
});

describe('mutations', () => {
  it('creates a cohort from sample IDs and a filter, edits, renames and deletes it', async () => {
    const ids = await query<{ id: number }>(h.dbUrl, `SELECT id FROM "Sample" ORDER BY id LIMIT 3`);
    const created = await h.gql(
      `mutation($ids: [ID!]) { createCohort(input: { name: "mine", sampleIds: $ids, filter: { cancerTypes: ["DLBC"] } }) {
        id name sampleCount composition { cancerType count } } }`,
      { ids: ids.map((r) => String(r.id)) },
      h.tokens.CURATOR,
    );
    expect(created.errors).toBeUndefined();
    const cohort = created.data!.createCohort;
    expect(cohort.sampleCount).toBe(DLBC + 3);
    const edited = await h.gql(
      `mutation($id: ID!, $add: [ID!], $remove: [ID!]) { editCohort(id: $id, input: { addSampleIds: $add, removeSampleIds: $remove, description: "d" }) {
        sampleCount description } }`,
      { id: cohort.id, add: [], remove: ids.map((r) => String(r.id)) },
      h.tokens.CURATOR,
    );
    expect(edited.data!.editCohort).toEqual({ sampleCount: DLBC, description: 'd' });
    const duplicate = await h.gql(
      `mutation($id: ID!) { renameCohort(id: $id, name: "TCGA") { name } }`,
      { id: cohort.id },
      h.tokens.CURATOR,
    );
    expect(duplicate.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const renamed = await h.gql(
      `mutation($id: ID!) { renameCohort(id: $id, name: "DLBC only") { name } }`,
      { id: cohort.id },
      h.tokens.CURATOR,
    );
    expect(renamed.data!.renameCohort.name).toBe('DLBC only');
    const unknown = await h.gql(
      `mutation { createCohort(input: { name: "bad", sampleIds: ["999999"] }) { id } }`,
      {},
      h.tokens.CURATOR,
    );
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const deleted = await h.gql(
      `mutation($id: ID!) { deleteCohort(id: $id) }`,
      { id: cohort.id },
      h.tokens.CURATOR,
    );
    expect(deleted.data!.deleteCohort).toBe(true);
    const names = await query<{ name: string }>(h.dbUrl, `SELECT name FROM "Cohort" ORDER BY name`);
    expect(names.map((r) => r.name)).toEqual(['TCGA']);
  });

  it('ingests counts and clinical data from a server-side path, idempotently', async () => {
    const res = await h.gql(
      `mutation($path: String!) { ingestCounts(input: { path: $path, cohort: "UCS" }) {
        unchanged samples genes file import { kind fileName sampleCount } } }`,
      { path: countsFile('UCS') },
      h.tokens.CURATOR,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.ingestCounts).toEqual([
      {
        unchanged: false,
        samples: 45,
        genes: 56537,
        file: 'TCGA_UCS_Counts.exp.gz',
        import: { kind: 'COUNTS', fileName: 'TCGA_UCS_Counts.exp.gz', sampleCount: 45 },
      },
    ]);
    const again = await h.gql(
      `mutation($path: String!) { ingestClinical(input: { path: $path }) { unchanged matched } }`,
      { path: OS_TABLE },
      h.tokens.CURATOR,
    );
    // The survival table read again stores survival for the UCS patients that arrived since (only them) …
    expect(again.data!.ingestClinical).toEqual({ unchanged: false, matched: 45 });
    // … and a third time writes nothing.
    const third = await h.gql(
      `mutation($path: String!) { ingestClinical(input: { path: $path }) { unchanged matched } }`,
      { path: OS_TABLE },
      h.tokens.CURATOR,
    );
    expect(third.data!.ingestClinical).toEqual({ unchanged: true, matched: CHOL + DLBC });
    const cohort = await h.gql(`{ cohort(name: "UCS") { sampleCount } }`);
    expect(cohort.data!.cohort.sampleCount).toBe(45);
  });

  it('turns a bad file into BAD_USER_INPUT with the one-line message, storing only a FAILED import', async () => {
    const bad = path.join(badDir, 'broken_counts.tsv');
    fs.writeFileSync(bad, 'gene\tTCGA-AA-0001-01A-11R-0000-07\nENSG00000141510\tnot-a-number\n');
    const { Import: _importsBefore, ...before } = await fingerprint(h.dbUrl);
    const res = await h.gql(
      `mutation($path: String!) { ingestCounts(input: { path: $path }) { unchanged } }`,
      { path: bad },
      h.tokens.CURATOR,
    );
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/broken_counts\.tsv/);
    expect(res.errors![0]!.message).not.toMatch(/\n/);
    const outside = await h.gql(
      `mutation { ingestCounts(input: { path: "/etc/passwd" }) { unchanged } }`,
      {},
      h.tokens.CURATOR,
    );
    expect(outside.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const { Import: _importsAfter, ...after } = await fingerprint(h.dbUrl);
    expect(after).toEqual(before);
    const failed = await h.gql(`{
      imports(status: FAILED) { totalCount nodes { kind status fileName error sampleCount } }
      succeeded: imports(status: SUCCEEDED) { nodes { status error } }
    }`);
    expect(failed.errors).toBeUndefined();
    expect(failed.data!.imports).toEqual({
      totalCount: 1,
      nodes: [
        {
          kind: 'COUNTS',
          status: 'FAILED',
          fileName: 'broken_counts.tsv',
          error: res.errors![0]!.message,
          sampleCount: 0,
        },
      ],
    });
    expect(failed.data!.imports.nodes[0].error).toMatch(/broken_counts\.tsv:2:2: .*not-a-number/);
    expect(failed.data!.succeeded.nodes.length).toBeGreaterThan(0);
    for (const ok of failed.data!.succeeded.nodes) expect(ok).toEqual({ status: 'SUCCEEDED', error: null });
  });
});

describe('authentication and roles', () => {
  it('refuses requests without a token or with a wrong or revoked one', async () => {
    const none = await h.gql('{ viewer { role } }', {}, null);
    expect(none.status).toBe(401);
    expect(none.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const wrong = await h.gql('{ viewer { role } }', {}, `gxb_${'x'.repeat(43)}`);
    expect(wrong.status).toBe(401);
    const reader = await h.gql('{ viewer { role tokenName } }');
    expect(reader.data!.viewer).toEqual({ role: 'READER', tokenName: 'test READER' });
  });

  it('lets readers read but not write, curators write, and only admins manage tokens', async () => {
    const write = 'mutation { createCohort(input: { name: "x" }) { id } }';
    const denied = await h.gql(write, {}, h.tokens.READER);
    expect(denied.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(denied.data).toBeNull();
    expect((await h.gql('mutation { ping }', {}, h.tokens.CURATOR)).data).toEqual({ ping: true });
    expect((await h.gql('mutation { ping }', {}, h.tokens.ADMIN)).data).toEqual({ ping: true });
    const curatorTokens = await h.gql('{ apiTokens { name } }', {}, h.tokens.CURATOR);
    expect(curatorTokens.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const created = await h.gql(
      'mutation { createApiToken(name: "temp", role: READER) { token apiToken { id role } } }',
      {},
      h.tokens.ADMIN,
    );
    const { token, apiToken } = created.data!.createApiToken;
    const [stored] = await query<{ tokenHash: string }>(
      h.dbUrl,
      `SELECT "tokenHash" FROM "ApiToken" WHERE id = $1`,
      [Number(apiToken.id)],
    );
    expect(stored!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored!.tokenHash).not.toContain(token);
    expect((await h.gql('{ viewer { role } }', {}, token)).data!.viewer.role).toBe('READER');
    const revoked = await h.gql(
      'mutation($id: ID!) { revokeApiToken(id: $id) }',
      { id: apiToken.id },
      h.tokens.ADMIN,
    );
    expect(revoked.data!.revokeApiToken).toBe(true);
    expect((await h.gql('{ viewer { role } }', {}, token)).status).toBe(401);
  });

  it('remembers a token check briefly: a revocation made elsewhere applies within tokenCacheMs', async () => {
    const { token, row } = await createToken(h.prisma, 'cached', 'READER');
    h.queries.reset();
    expect((await h.gql('{ viewer { role } }', {}, token)).data!.viewer.role).toBe('READER');
    const first = h.queries.count;
    expect((await h.gql('{ viewer { role } }', {}, token)).data!.viewer.role).toBe('READER');
    expect(h.queries.count).toBe(first); // the second check came from the cache
    await revokeToken(h.prisma, row.id); // as `gexbert token revoke` does, outside this server
    expect((await h.gql('{ viewer { role } }', {}, token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, h.api.config.tokenCacheMs + 50));
    expect((await h.gql('{ viewer { role } }', {}, token)).status).toBe(401);
  });
});

describe('limits', () => {
  it('refuses pages larger than the maximum page size', async () => {
    const res = await h.gql('{ samples(first: 501) { totalCount } }');
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toMatch(/maximum page size/);
  });

  it('refuses operations nested too deep', async () => {
    const deep = `{ samples(first: 1) { nodes { patient { samples { patient { samples { patient { samples {
      patient { samples { patient { barcode } } } } } } } } } } } }`;
    const res = await h.gql(deep);
    expect(res.status).toBe(400);
    expect(res.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0]!.message).toMatch(/nests 12 fields deep; at most 10 are allowed/);
    expect(res.data).toBeUndefined();
  });

  it('refuses operations whose estimated cost is too high', async () => {
    const res = await h.gql(
      'query($n: Int) { cohorts(first: $n) { nodes { samples(first: $n) { nodes { barcode patient { barcode } } } } } }',
      { n: 500 },
    );
    expect(res.status).toBe(400);
    expect(res.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses request bodies over the size limit', async () => {
    const res = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tokens.READER}` },
      body: JSON.stringify({ query: `{ viewer { role } } # ${'x'.repeat(200_000)}` }),
    });
    expect(res.status).toBe(413);
  });

  it('serves an offline landing page in development', async () => {
    const res = await fetch(h.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('GexBERT API');
    expect(html).not.toMatch(/https?:\/\//);
  });
});

describe('production mode', () => {
  it('hides stack traces and internal messages, disables introspection and the landing page', async () => {
    const lines: string[] = [];
    const prod = await startApi({
      pool: h.pool,
      prisma: h.prisma,
      port: 0,
      env: {},
      production: true,
      anonymousRole: 'READER',
      log: (line) => lines.push(line),
    });
    try {
      const post = async (query: string, token?: string) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (token) headers.authorization = `Bearer ${token}`;
        const res = await fetch(prod.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
        return { status: res.status, ...((await res.json()) as Omit<GraphQLResponse, 'status'>) };
      };
      // anonymous readers may read (configured), not write
      expect((await post('{ viewer { role tokenName } }')).data).toEqual({
        viewer: { role: 'READER', tokenName: null },
      });
      const write = await post('mutation { ping }');
      expect(write.errors![0]!.extensions!.code).toBe('FORBIDDEN');
      expect(write.errors![0]!.extensions!.stacktrace).toBeUndefined();
      const introspection = await post('{ __schema { queryType { name } } }');
      expect(introspection.errors![0]!.message).toMatch(/introspection/i);
      // an internal error (a sample whose patient row is gone cannot happen; a bad cursor type is user input)
      const internal = await post(
        `{ samples(first: 1, after: "${Buffer.from('Sample:x').toString('base64url')}") { totalCount } }`,
      );
      expect(internal.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(internal)).not.toMatch(/at .*\.ts:\d+/);
      const page = await fetch(prod.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('<html');
    } finally {
      await prod.stop();
    }
  });
});

describe('internal errors', () => {
  // the operations below read through this pool (a filtered samples page is SQL), not through Prisma
  const failingPool = {
    query: async (sql: unknown) => {
      if (typeof sql === 'string' && sql.includes('CREATE TABLE IF NOT EXISTS')) return { rows: [] };
      throw new Error('secret detail from the database driver');
    },
  } as unknown as pg.Pool;

  it('are masked in production, and logged on the server', async () => {
    const lines: string[] = [];
    const prod = await startApi({
      pool: failingPool,
      prisma: h.prisma,
      port: 0,
      env: {},
      production: true,
      anonymousRole: 'READER',
      log: (line) => lines.push(line),
    });
    try {
      const res = await fetch(prod.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ samples { totalCount } }' }),
      });
      const body = await res.text();
      expect(body).not.toContain('secret');
      expect(JSON.parse(body).errors[0]).toMatchObject({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(lines.some((l) => l.includes('secret detail'))).toBe(true);
    } finally {
      await prod.stop();
    }
  });

  it('carry their message and stack trace in development', async () => {
    const dev = await startApi({
      pool: failingPool,
      prisma: h.prisma,
      port: 0,
      env: {},
      anonymousRole: 'READER',
    });
    try {
      const res = await fetch(dev.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ samples { totalCount } }' }),
      });
      const error = ((await res.json()) as GraphQLResponse).errors![0]!;
      expect(error.message).toContain('secret detail');
      expect(error.extensions!.stacktrace!.length).toBeGreaterThan(0);
    } finally {
      await dev.stop();
    }
  });
});
