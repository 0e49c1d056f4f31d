// Test support: a real database with real TCGA data, the API on a free port, and a token per role.
import fs from 'node:fs';
import path from 'node:path';
import { createToken } from '@gexbert/core/auth/tokens';
import { createPrisma, type PrismaClient } from '@gexbert/core/db/prisma';
import { ingestClinical, ingestCounts } from '@gexbert/core/ingest/index';
import {
  ensureActiveModel,
  type ModelVersion,
  registerModelVersion,
  SHIPPED_CHECKPOINT,
  TCGA_33_MODEL_NAME,
} from '@gexbert/core/registry/modelVersion';
import { createTestDatabase } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import pg from 'pg';
import { runCli } from '../../../test/support/cli.ts';
import type { Role } from '../src/rows.ts';
import { type RunningApi, type StartApiOptions, startApi } from '../src/server.ts';

export const COUNTS_DIR = path.join(sharedDir(), 'data/tcga/counts');
export const OS_TABLE = path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz');
export const countsFile = (type: string) => path.join(COUNTS_DIR, `TCGA_${type}_Counts.exp.gz`);
/** The real PanCanAtlas extract: 604 samples of 33 types, 100 genes, RSEM values. */
export const PANCAN33_EXPRESSION = path.join(sharedDir(), 'data/tcga/pancan33/pancan33_expression.tsv.gz');

/** Response data, checked by value in the tests. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on response values, not on static types
export type Data = Record<string, any>;

export interface GraphQLResponse<T = Data> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; stacktrace?: string[] } }[];
}

export interface Harness {
  url: string;
  dbUrl: string;
  pool: pg.Pool;
  prisma: PrismaClient;
  api: RunningApi;
  tokens: Record<Role, string>;
  /** Queries the pool has run since the last reset (every SQL statement the API sent). */
  queries: { count: number; reset(): void };
  /**
   * The queries one request costs: the fewest over three runs of it, since the API's background check of the
   * active model and newest import (every modelCheckMs) shares the pool and a token check is cached briefly.
   */
  queriesOf(request: () => Promise<unknown>): Promise<number>;
  gql<T = Data>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** A database holding the given cancer types' counts (one cohort "TCGA", created by the ingest) and survival. */
export async function startHarness(
  types: readonly string[],
  options: Partial<Omit<StartApiOptions, 'pool' | 'prisma'>> = {},
): Promise<Harness> {
  const dbUrl = await createTestDatabase('api');
  const pool = new pg.Pool({ connectionString: dbUrl, max: 4 });
  // Prisma shares the pool, so `queries` counts the queries of both
  const prisma = createPrisma(pool);
  for (const type of types) await ingestCounts(pool, countsFile(type), { cohort: 'TCGA' });
  await ingestClinical(pool, OS_TABLE);
  const queries = {
    count: 0,
    reset() {
      this.count = 0;
    },
  };
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    queries.count++;
    return query(...args);
  };
  const api = await startApi({ pool, prisma, port: 0, env: {}, ingestDirs: [sharedDir()], ...options });
  const tokens = {} as Record<Role, string>;
  for (const role of ['READER', 'CURATOR', 'ADMIN'] as const)
    tokens[role] = (await createToken(prisma, `test ${role}`, role)).token;
  const gql: Harness['gql'] = async (query, variables = {}, token = tokens.READER) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(api.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as Omit<GraphQLResponse, 'status'>;
    return { status: res.status, ...body } as GraphQLResponse<never>;
  };
  return {
    url: api.url,
    dbUrl,
    pool,
    prisma,
    api,
    tokens,
    queries,
    queriesOf: async (request) => {
      let fewest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        queries.reset();
        await request();
        fewest = Math.min(fewest, queries.count);
      }
      return fewest;
    },
    gql,
    close: async () => {
      await api.stop();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/**
 * Ingests the pancan33 extract in RSEM as cohort PANCAN33 (through the CLI, as a newcomer does) and registers
 * the shipped models: tcga-33types' version ID, as the API takes it.
 */
export async function ingestPancan33(h: Harness): Promise<string> {
  const ingest = await runCli(
    ['ingest', 'table', PANCAN33_EXPRESSION, '--unit', 'RSEM', '--cohort', 'PANCAN33'],
    { DATABASE_URL: h.dbUrl },
  );
  if (ingest.code !== 0) throw new Error(`gexbert ingest table exited ${ingest.code}:\n${ingest.stderr}`);
  await ensureActiveModel({ pool: h.pool, prisma: h.prisma });
  const version = await h.prisma.modelVersion.findUniqueOrThrow({ where: { name: TCGA_33_MODEL_NAME } });
  return String(version.id);
}

/** The id of the cohort named `name` (the ingest's "TCGA" by default), as the API takes it. */
export async function cohortIdByName(h: Harness, name = 'TCGA'): Promise<string> {
  const { rows } = await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = $1`, [name]);
  return String(rows[0]!.id);
}

/** The shipped 6-type checkpoint registered as a CANDIDATE version (each test fits or promotes as it needs). */
export function registerShippedCandidate(h: Harness): Promise<ModelVersion> {
  const config = JSON.parse(fs.readFileSync(path.join(SHIPPED_CHECKPOINT, 'config.json'), 'utf8'));
  return registerModelVersion(h.prisma, {
    name: 'tcga-6types',
    checkpointPath: SHIPPED_CHECKPOINT,
    status: 'CANDIDATE',
    config,
  });
}

/** Pearson's r written out from its definition: the tests' independent check of what the API computes. */
export function textbookPearson(x: readonly number[], y: readonly number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((xi, k) => {
    sxy += (xi - mx) * (y[k]! - my);
    sxx += (xi - mx) ** 2;
    syy += (y[k]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}
