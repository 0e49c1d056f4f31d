// The standing abuse suite: a real API on a real database (real TCGA CHOL counts and survival) attacked the
// ways that once worked, and the ways that never did. Each case fails if its protection is removed: the
// refusal is asserted by its code, and where a write is refused the rows of every table are counted before
// and after.
import fs from 'node:fs';
import path from 'node:path';
import { createToken, revokeToken } from '@gexbert/core/auth/tokens';
import type { GraphQLArgument, GraphQLInputType } from 'graphql';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentAsked } from '../../apps/cli/src/commands/start.ts';
import { typeDefs } from '../../services/api/src/schema.ts';
import { startApi } from '../../services/api/src/server.ts';
import {
  countsFile,
  type GraphQLResponse,
  type Harness,
  startHarness,
} from '../../services/api/test/support.ts';

const MAX_BODY = 500_000;
let h: Harness;
let revoked: string;

beforeAll(async () => {
  // Aliases are allowed here far beyond the default, so that the cost limit is tested on its own; the
  // alias limit has its own API below.
  h = await startHarness(['CHOL'], {
    maxBodyBytes: MAX_BODY,
    maxUploadBytes: 4_000_000,
    env: { GEXBERT_API_MAX_ALIASES: '100000' },
  });
  const { token, row } = await createToken(h.prisma, 'soon revoked', 'ADMIN');
  await revokeToken(h.prisma, Number(row.id));
  revoked = token;
});
afterAll(async () => {
  await h?.close();
});

/** Rows in every table of the platform's schema (a refused write must leave all of them as they were). */
async function rowCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables)
    counts[name] = (
      await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name.replaceAll('"', '""')}"`)
    ).rows[0]!.n;
  return counts;
}

async function post(
  body: string | FormData,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse & { text: string }> {
  const res = await fetch(h.url, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: Omit<GraphQLResponse, 'status'> = {};
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, text, ...parsed };
}

const json = (token: string | null = h.tokens.READER) => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;

describe('query cost: every list is costed', () => {
  let genes = '';
  beforeAll(async () => {
    const res = await h.gql('{ genes(first: 100) { nodes { ensemblId } } }');
    genes = res.data!.genes.nodes.map((g: { ensemblId: string }) => JSON.stringify(g.ensemblId)).join(', ');
  });
  const expression = (page: string) =>
    `{ cohort(name: "TCGA") { samples(${page}) { nodes { expression(genes: [${genes}]) { value } } } } }`;

  it('refuses `last: 500` exactly as `first: 500` (it was costed as the default page)', async () => {
    for (const page of ['first: 500', 'last: 500']) {
      const res = await h.gql(expression(page));
      expect(res.status, page).toBe(400);
      expect(codeOf(res), page).toBe('QUERY_TOO_COMPLEX');
      expect(res.data ?? undefined).toBeUndefined();
    }
    const small = await h.gql(expression('last: 5'));
    expect(small.errors).toBeUndefined();
    expect(small.data!.cohort.samples.nodes).toHaveLength(5);
  });

  it('costs batch lists: sample IDs, gene lists, profiles, inside input objects too', async () => {
    const ids = Array.from({ length: 60_000 }, (_, i) => String(i + 1));
    const embeddings = await h.gql('query($ids: [ID!]) { embeddings(sampleIds: $ids) { dimensions } }', {
      ids: ids.slice(0, 6000),
    });
    expect(codeOf(embeddings)).toBe('QUERY_TOO_COMPLEX');
    const byIds = await h.gql('query($ids: [String!]!) { genesByIds(ids: $ids) { symbol ensemblId } }', {
      ids: ids.slice(0, 30_000),
    });
    expect(codeOf(byIds)).toBe('QUERY_TOO_COMPLEX');
    const profiles = Array.from({ length: 6000 }, (_, i) => ({ name: `p${i}`, values: [1] }));
    const predict = await h.gql('query($input: ProfilesInput!) { predictProfiles(input: $input) { name } }', {
      input: { genes: ['TP53'], unit: 'COUNTS', profiles },
    });
    expect(codeOf(predict)).toBe('QUERY_TOO_COMPLEX');
    const before = await rowCounts(h.pool);
    const create = await h.gql(
      'mutation($ids: [ID!]) { createCohort(input: { name: "huge", sampleIds: $ids }) { id } }',
      { ids: ids.slice(0, 55_000) },
      h.tokens.CURATOR,
    );
    expect(codeOf(create)).toBe('QUERY_TOO_COMPLEX');
    expect(await rowCounts(h.pool)).toEqual(before);
  });

  it('costs introspection: an alias flood of __schema is refused, one introspection query is not', async () => {
    const one =
      '__schema { types { name description fields { name description args { name description type { name kind ofType { name kind } } } type { name kind ofType { name kind ofType { name } } } } } }';
    const flood = `{ ${Array.from({ length: 962 }, (_, i) => `a${i}: ${one}`).join(' ')} }`;
    expect(flood.length).toBeLessThan(MAX_BODY);
    const started = Date.now();
    const res = await h.gql(flood);
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('QUERY_TOO_COMPLEX');
    expect(Date.now() - started).toBeLessThan(5000);
    const single = await h.gql(`{ ${one} }`);
    expect(single.errors).toBeUndefined();
    expect(single.data!.__schema.types.length).toBeGreaterThan(10);
  });

  it('refuses an alias flood of a cheap paginated field', async () => {
    const flood = `{ ${Array.from({ length: 2000 }, (_, i) => `a${i}: samples { nodes { barcode } }`).join(' ')} }`;
    const res = await h.gql(flood);
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses more aliased fields than GEXBERT_API_MAX_ALIASES (default 50), fragments counted per spread', async () => {
    const api = await startApi({ pool: h.pool, prisma: h.prisma, port: 0, env: {} });
    try {
      const ask = async (query: string) => {
        const res = await fetch(api.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tokens.READER}` },
          body: JSON.stringify({ query }),
        });
        return { ...((await res.json()) as GraphQLResponse), status: res.status };
      };
      const viewers = (n: number) => Array.from({ length: n }, (_, i) => `v${i}: viewer { role }`).join(' ');
      const cheap = await ask(`{ ${viewers(2000)} }`);
      expect(cheap.status).toBe(400);
      expect(cheap.errors![0]!.message).toMatch(/has 2000 aliased fields; at most 50 are allowed/);
      const ok = await ask(`{ ${viewers(50)} }`);
      expect(ok.errors).toBeUndefined();
      expect(Object.keys(ok.data!)).toHaveLength(50);
      // 10 aliases in a fragment spread 10 times are 100.
      const spread = await ask(
        `fragment F on Query { ${viewers(10)} } { ${Array.from({ length: 10 }, () => '...F').join(' ')} }`,
      );
      expect(spread.status).toBe(400);
      expect(spread.errors![0]!.message).toMatch(/has 100 aliased fields/);
    } finally {
      await api.stop();
    }
  });

  it('refuses operations nested deeper than the limit', async () => {
    let selection = 'barcode';
    for (let i = 0; i < 6; i++) selection = `samples(first: 1) { nodes { patient { ${selection} } } }`;
    const res = await h.gql(`{ cohorts(first: 1) { nodes { ${selection} } } }`);
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0]!.message).toMatch(/nests \d+ fields deep; at most 10/);
  });
});

describe('clean input: NUL, lone surrogates and lengths refused before any resolver', () => {
  it('refuses a NUL character in a mutation input field, a query argument and a list element', async () => {
    const before = await rowCounts(h.pool);
    const create = await h.gql(
      'mutation($input: CreateCohortInput!) { createCohort(input: $input) { id } }',
      { input: { name: 'nul\u0000name', sampleIds: ['1'] } },
      h.tokens.CURATOR,
    );
    expect(codeOf(create)).toBe('BAD_USER_INPUT');
    expect(create.errors![0]!.message).toMatch(/"input\.name".*NUL/);
    expect(await rowCounts(h.pool)).toEqual(before);
    const literal = await h.gql('{ cohort(name: "a\\u0000b") { id } }');
    expect(codeOf(literal)).toBe('BAD_USER_INPUT');
    expect(literal.errors![0]!.message).toMatch(/"name" of cohort/);
    const search = await h.gql('query($s: String) { genes(search: $s) { totalCount } }', { s: '\u0000' });
    expect(codeOf(search)).toBe('BAD_USER_INPUT');
    const list = await h.gql('{ samples(filter: { cancerTypes: ["CHOL", "x\\u0000"] }) { totalCount } }');
    expect(codeOf(list)).toBe('BAD_USER_INPUT');
    expect(list.errors![0]!.message).toMatch(/filter\.cancerTypes\[1\]/);
    expect(JSON.stringify([create, literal, search, list])).not.toMatch(/0x00|INTERNAL_SERVER_ERROR/);
  });

  it('refuses a lone UTF-16 surrogate (high or low) without leaking a database error', async () => {
    const before = await rowCounts(h.pool);
    for (const name of ['bad \ud800 name', 'bad \udc00 name', 'end \ud83d']) {
      const res = await h.gql(
        'mutation($name: String!) { createCohort(input: { name: $name, sampleIds: ["1"] }) { id } }',
        { name },
        h.tokens.CURATOR,
      );
      expect(codeOf(res), name).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.message).toMatch(/"input\.name".*surrogate/);
      // before any resolver: no Prisma or database error (even in development mode)
      expect(JSON.stringify(res)).not.toMatch(/prisma|P\d{4}|invalid byte/i);
    }
    expect(await rowCounts(h.pool)).toEqual(before);
    // a well-formed pair (an emoji) is fine
    const ok = await h.gql('query($n: String) { cohort(name: $n) { id } }', { n: 'emoji \ud83d\ude00' });
    expect(ok.errors).toBeUndefined();
  });

  it('enforces length limits server-side, naming the argument and the limit', async () => {
    const before = await rowCounts(h.pool);
    const token = await h.gql(
      'mutation($name: String!) { createApiToken(name: $name, role: READER) { token } }',
      { name: 'x'.repeat(20_000) },
      h.tokens.ADMIN,
    );
    expect(codeOf(token)).toBe('BAD_USER_INPUT');
    expect(token.errors![0]!.message).toMatch(/"name" of createApiToken is 20000 characters.*at most 200/);
    const description = await h.gql(
      'mutation($d: String) { createCohort(input: { name: "long", description: $d, sampleIds: ["1"] }) { id } }',
      { d: 'y'.repeat(90_000) },
      h.tokens.CURATOR,
    );
    expect(codeOf(description)).toBe('BAD_USER_INPUT');
    expect(description.errors![0]!.message).toMatch(/"input\.description".*at most 10000/);
    const search = await h.gql('query($s: String) { genes(search: $s) { totalCount } }', {
      s: 'z'.repeat(1001),
    });
    expect(codeOf(search)).toBe('BAD_USER_INPUT');
    expect(search.errors![0]!.message).toMatch(/"search".*at most 1000/);
    expect(await rowCounts(h.pool)).toEqual(before);
    // within the limits: stored as given
    const fine = await h.gql(
      'mutation($d: String) { createCohort(input: { name: "described", description: $d, sampleIds: ["1"] }) { description } }',
      { d: 'd'.repeat(10_000) },
      h.tokens.CURATOR,
    );
    expect(fine.errors).toBeUndefined();
    expect(fine.data!.createCohort.description).toHaveLength(10_000);
  });

  it('stores SQL-injection-like strings verbatim, and they stay harmless', async () => {
    const name = `x'); DROP TABLE "Cohort"; -- " OR 1=1`;
    const created = await h.gql(
      'mutation($name: String!) { createCohort(input: { name: $name, sampleIds: ["1"] }) { id name } }',
      { name },
      h.tokens.CURATOR,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createCohort.name).toBe(name);
    const read = await h.gql('query($n: String) { cohort(name: $n) { name } }', { n: name });
    expect(read.data!.cohort.name).toBe(name);
    const tautology = await h.gql(`{ cohort(name: "' OR '1'='1") { id } }`);
    expect(tautology.errors).toBeUndefined();
    expect(tautology.data!.cohort).toBeNull();
    const search = await h.gql(`{ genes(search: "%' OR 1=1 --", first: 1) { totalCount } }`);
    expect(search.errors).toBeUndefined();
    expect(search.data!.genes.totalCount).toBe(0);
    const samples = await h.gql(`{ samples(filter: { cancerTypes: ["CHOL' OR 'a'='a"] }) { totalCount } }`);
    expect(samples.data!.samples.totalCount).toBe(0);
    const { rows } = await h.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM "Cohort"');
    expect(rows[0]!.n).toBeGreaterThanOrEqual(2);
  });
});

describe('the HTTP layer', () => {
  it('refuses a huge body with 413 before parsing it', async () => {
    const res = await post(
      JSON.stringify({ query: `{ viewer { role } } # ${'x'.repeat(MAX_BODY + 10)}` }),
      json(),
    );
    expect(res.status).toBe(413);
    expect(codeOf(res)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses malformed JSON with 400', async () => {
    for (const body of ['{"query": "{ viewer { role } }"', 'not json', '{"query": 12}']) {
      const res = await post(body, json());
      expect(res.status, body).toBe(400);
      expect(['BAD_REQUEST', 'GRAPHQL_PARSE_FAILED']).toContain(codeOf(res));
    }
  });

  it('refuses batched operations (a JSON array of operations)', async () => {
    const before = await rowCounts(h.pool);
    const ops = Array.from({ length: 50 }, (_, i) => ({
      query: `mutation { createCohort(input: { name: "batched ${i}", sampleIds: ["1"] }) { id } }`,
    }));
    const res = await post(JSON.stringify(ops), json(h.tokens.CURATOR));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/batch/i);
    expect(await rowCounts(h.pool)).toEqual(before);
  });
});

describe('authorization: every mutation of the schema', () => {
  /** Mutations a curator may not call; every other mutation needs at least a curator. */
  const ADMIN_ONLY = new Set([
    'createApiToken',
    'revokeApiToken',
    'promoteModel',
    'rollbackModel',
    'triggerRetraining',
    'cancelTrainingRun',
    'refitHeads',
  ]);
  const schema = buildSchema(typeDefs().join('\n'));
  const mutations = Object.values(schema.getMutationType()!.getFields());

  /** A literal for a required argument of this type (values the resolver would refuse or not find). */
  const literal = (type: GraphQLInputType): string => {
    const named = getNamedType(type);
    if (isEnumType(named)) return named.getValues()[0]!.name;
    if (isInputObjectType(named))
      return `{ ${Object.values(named.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => `${f.name}: ${literal(f.type)}`)
        .join(', ')} }`;
    if (isScalarType(named) && (named.name === 'Int' || named.name === 'Float')) return '1';
    if (named.name === 'Boolean') return 'false';
    if (named.name === 'JSON') return '{}';
    if (named.name === 'ID') return '"999999"';
    return '"/nonexistent"';
  };
  const isUpload = (arg: GraphQLArgument) => getNamedType(arg.type).name === 'Upload';

  /** Calls the mutation with the token; an Upload argument is sent as a (tiny) multipart file. */
  const call = async (name: string, token: string | null): Promise<GraphQLResponse & { text: string }> => {
    const field = schema.getMutationType()!.getFields()[name]!;
    const required = field.args.filter((a) => isNonNullType(a.type));
    const uploads = required.filter(isUpload);
    const args = required.map((a) => `${a.name}: ${isUpload(a) ? `$${a.name}` : literal(a.type)}`);
    const vars = uploads.map((a) => `$${a.name}: Upload!`).join(', ');
    const named = getNamedType(field.type);
    const selection = 'getFields' in named ? ' { __typename }' : '';
    const query = `mutation${vars ? `(${vars})` : ''} { ${name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`;
    const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (uploads.length === 0) return post(JSON.stringify({ query }), { ...auth, ...json(null) });
    const form = new FormData();
    form.append('operations', JSON.stringify({ query, variables: { [uploads[0]!.name]: null } }));
    form.append('map', JSON.stringify({ 0: [`variables.${uploads[0]!.name}`] }));
    form.append('0', new Blob([new Uint8Array(Buffer.from('gene\tS1\nX\t1\n'))]), 'counts.tsv');
    return post(form, { ...auth, 'apollo-require-preflight': 'true' });
  };

  it('lists the mutations from the schema, including the known sensitive ones', () => {
    const names = mutations.map((m) => m.name);
    for (const known of ['createApiToken', 'createCohort', 'deleteCohort', 'ingestCounts', 'promoteModel'])
      expect(names).toContain(known);
  });

  it('refuses every mutation without a token, with a bad token and with a revoked token; nothing is written', async () => {
    const before = await rowCounts(h.pool);
    for (const { name } of mutations)
      for (const [label, token] of [
        ['no token', null],
        ['bad token', 'gexbert_not-a-real-token'],
        ['malformed header', 'x y z'],
        ['revoked token', revoked],
      ] as const) {
        const res = await call(name, token);
        expect(res.status, `${name} with ${label}`).toBe(401);
        expect(codeOf(res), `${name} with ${label}`).toBe('UNAUTHENTICATED');
      }
    expect(await rowCounts(h.pool)).toEqual(before);
  });

  it('refuses every mutation to a reader, and the admin ones to a curator; nothing is written', async () => {
    const before = await rowCounts(h.pool);
    for (const { name } of mutations) {
      const res = await call(name, h.tokens.READER);
      expect(res.status === 403 || codeOf(res) === 'FORBIDDEN', `${name} as reader: ${res.text}`).toBe(true);
      expect(res.data?.[name] ?? null, name).toBeNull();
    }
    for (const name of ADMIN_ONLY) {
      if (!schema.getMutationType()!.getFields()[name]) continue;
      const res = await call(name, h.tokens.CURATOR);
      expect(codeOf(res), `${name} as curator: ${res.text}`).toBe('FORBIDDEN');
    }
    expect(await rowCounts(h.pool)).toEqual(before);
  });

  it('lets a curator past authorization on the curator mutations', async () => {
    for (const { name } of mutations) {
      if (ADMIN_ONLY.has(name)) continue;
      const res = await call(name, h.tokens.CURATOR);
      expect(res.status, `${name} as curator: ${res.text}`).not.toBe(401);
      expect(codeOf(res), `${name} as curator: ${res.text}`).not.toBe('FORBIDDEN');
    }
  });
});

describe('uploads', () => {
  it('an unchanged re-upload writes nothing, not even the cohort it names', async () => {
    const file = countsFile('CHOL');
    const before = await rowCounts(h.pool);
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query:
          'mutation($file: Upload!, $cohort: String) { ingestCountsUpload(file: $file, cohort: $cohort) { unchanged written } }',
        variables: { file: null, cohort: 'Re-uploaded' },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([new Uint8Array(fs.readFileSync(file))]), path.basename(file));
    const res = await post(form, {
      authorization: `Bearer ${h.tokens.CURATOR}`,
      'apollo-require-preflight': 'true',
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.ingestCountsUpload).toEqual([{ unchanged: true, written: 0 }]);
    expect(await rowCounts(h.pool)).toEqual(before);
    const cohort = await h.gql('{ cohort(name: "Re-uploaded") { id } }');
    expect(cohort.data!.cohort).toBeNull();
  });

  it('an unchanged re-ingest by server path writes nothing, not even the cohort it names', async () => {
    const before = await rowCounts(h.pool);
    const res = await h.gql(
      'mutation($input: IngestCountsInput!) { ingestCounts(input: $input) { unchanged written } }',
      { input: { path: countsFile('CHOL'), cohort: 'Re-ingested by path' } },
      h.tokens.CURATOR,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.ingestCounts).toEqual([{ unchanged: true, written: 0 }]);
    expect(await rowCounts(h.pool)).toEqual(before);
  });
});

describe('production mode: safe by default, internal errors masked', () => {
  it('gexbert start is production unless development is asked for', () => {
    expect(developmentAsked(undefined, {})).toBe(false);
    expect(developmentAsked(false, { GEXBERT_API_PRODUCTION: 'true' })).toBe(false);
    expect(developmentAsked(true, {})).toBe(true);
    expect(developmentAsked(undefined, { GEXBERT_DEV: '1' })).toBe(true);
    expect(developmentAsked(undefined, { GEXBERT_API_PRODUCTION: 'false' })).toBe(true);
  });

  it('masks driver and Prisma errors (no stack, path or code), refuses introspection and the query page', async () => {
    const leaking = {
      connect: () => h.pool.connect(),
      query: async (sql: unknown, ...rest: unknown[]) => {
        // a filtered samples page is read through this pool (SQL); cohorts are read through Prisma
        if (typeof sql === 'string' && sql.includes('FROM "Sample"'))
          throw Object.assign(
            new Error(
              'Invalid `prisma.cohort.create()` invocation in /work/main/services/api/src/resolvers/cohorts.ts:231:9 P2002 invalid byte sequence 0x00',
            ),
            { code: 'P2002' },
          );
        return (h.pool.query as (...a: unknown[]) => unknown)(sql, ...rest);
      },
    } as unknown as pg.Pool;
    const lines: string[] = [];
    const prod = await startApi({
      pool: leaking,
      prisma: h.prisma,
      port: 0,
      env: {},
      production: true,
      log: (line) => lines.push(line),
    });
    try {
      const gql = async (query: string) => {
        const res = await fetch(prod.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tokens.READER}` },
          body: JSON.stringify({ query }),
        });
        return { status: res.status, text: await res.text() };
      };
      const internal = await gql('{ samples(first: 1) { nodes { barcode } } }');
      expect(internal.text).toMatch(/INTERNAL_SERVER_ERROR/);
      expect(internal.text).not.toMatch(/prisma|P2002|0x00|\.ts|stacktrace|\/work\//i);
      expect(lines.join('\n')).toMatch(/P2002/);
      const input = await gql('{ cohort(name: "a\\u0000") { id } }');
      expect(input.text).toMatch(/BAD_USER_INPUT/);
      expect(input.text).not.toMatch(/stacktrace|\.ts:\d+/);
      const introspection = await gql('{ __schema { types { name } } }');
      expect(introspection.text).toMatch(/introspection/i);
      expect(introspection.text).not.toMatch(/"types"/);
      const page = await fetch(prod.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('<html');
    } finally {
      await prod.stop();
    }
  });
});
