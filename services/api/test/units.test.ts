// Pure parts: settings, cursors, and the depth and cost limits (no database).
// `graphql/index.js`, not `graphql`: the same CommonJS build Apollo Server loads (under Vitest a bare
// `graphql` resolves to the .mjs build, and two copies of graphql refuse each other's schema objects).

import { hasRole } from '@gexbert/core/auth/tokens';
import { EXPRESSION_UNITS } from '@gexbert/core/formats/types';
import { buildSchema, type GraphQLEnumType, parse, specifiedRules, validate } from 'graphql/index.js';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../src/config.ts';
import { depthLimit, operationCost } from '../src/limits.ts';
import { decodeCursor, encodeCursor, pageRequest } from '../src/pagination.ts';
import { typeDefs } from '../src/schema.ts';

const schema = buildSchema(typeDefs().join('\n'));

describe('settings', () => {
  it('come from GEXBERT_API_* variables, overridden by explicit options', () => {
    const config = loadApiConfig(
      { maxPageSize: 200 },
      {
        GEXBERT_API_PORT: '4100',
        GEXBERT_API_MAX_PAGE_SIZE: '100',
        GEXBERT_API_INGEST_DIRS: '/a:/b',
        NODE_ENV: 'production',
      },
    );
    expect(config).toMatchObject({
      port: 4100,
      maxPageSize: 200,
      ingestDirs: ['/a', '/b'],
      production: true,
    });
    expect(config.anonymousRole).toBe('NONE');
  });

  it('are refused with a one-line message naming the variable', () => {
    expect(() => loadApiConfig({}, { GEXBERT_API_PORT: 'abc' })).toThrow(
      /^invalid API setting GEXBERT_API_PORT/,
    );
    expect(() => loadApiConfig({}, { GEXBERT_API_ANONYMOUS_ROLE: 'ADMIN' })).toThrow(
      /GEXBERT_API_ANONYMOUS_ROLE/,
    );
  });
});

describe('expression units', () => {
  it("are the database schema's enum: the GraphQL ExpressionUnit has exactly Prisma's values", () => {
    const graphqlUnits = (schema.getType('ExpressionUnit') as GraphQLEnumType).getValues().map((v) => v.name);
    expect([...graphqlUnits].sort()).toEqual([...EXPRESSION_UNITS].sort());
  });
});

describe('roles', () => {
  it('are ordered reader < curator < admin', () => {
    expect(hasRole('ADMIN', 'CURATOR')).toBe(true);
    expect(hasRole('CURATOR', 'CURATOR')).toBe(true);
    expect(hasRole('READER', 'CURATOR')).toBe(false);
    expect(hasRole(null, 'READER')).toBe(false);
  });
});

describe('cursors and pages', () => {
  const limits = { defaultPageSize: 50, maxPageSize: 500 };
  it('round-trip and are bound to their type', () => {
    expect(decodeCursor('Sample', encodeCursor('Sample', 42))).toBe(42);
    expect(() => decodeCursor('Cohort', encodeCursor('Sample', 42))).toThrow(/invalid cursor/);
    expect(() => decodeCursor('Sample', 'garbage')).toThrow(/invalid cursor/);
  });
  it('default to the default page size and refuse more than the maximum', () => {
    expect(pageRequest('Sample', {}, limits)).toEqual({ first: 50, afterId: 0 });
    expect(() => pageRequest('Sample', { first: 501 }, limits)).toThrow(/maximum page size/);
    expect(() => pageRequest('Sample', { first: -1 }, limits)).toThrow(/between 0 and 500/);
  });
});

describe('query limits', () => {
  const depthErrors = (query: string, max: number) =>
    validate(schema, parse(query), [...specifiedRules, depthLimit(max)]).map((e) => e.message);

  it('count depth through fragments, ignoring introspection', () => {
    const query = `{ samples { nodes { ...S } } } fragment S on Sample { patient { samples { barcode } } }`;
    expect(depthErrors(query, 5)).toEqual([]);
    expect(depthErrors(query, 4)).toEqual(['the operation nests 5 fields deep; at most 4 are allowed']);
    expect(
      depthErrors('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', 2),
    ).toEqual([]);
  });

  it('estimate cost from page sizes, variables and list arguments', () => {
    const cost = (query: string, variables: Record<string, unknown> = {}) => {
      const document = parse(query);
      const operation = document.definitions.find((d) => d.kind === 'OperationDefinition')!;
      return operationCost(schema, document, operation as never, variables, { defaultPageSize: 50 });
    };
    // cohorts (1), then 10 x (nodes, samples), then 10 x 20 x (nodes, barcode)
    expect(cost('{ cohorts(first: 10) { nodes { samples(first: 20) { nodes { barcode } } } } }')).toBe(
      1 + 10 * 2 + 200 * 2,
    );
    expect(cost('query($n: Int) { samples(first: $n) { nodes { barcode } } }', { n: 5 })).toBe(1 + 5 * 2);
    expect(cost('{ samples { nodes { barcode } } }')).toBe(1 + 50 * 2);
    // sample, expression, then 3 genes x (value, gene, symbol)
    expect(cost('{ sample(id: 1) { expression(genes: ["A", "B", "C"]) { value gene { symbol } } } }')).toBe(
      2 + 3 * 3,
    );
  });
});
