// The export downloads beside GraphQL (GET, the same bearer token as the API; any role that may read a cohort,
// i.e. any authenticated caller, as Query.cohort):
//   /export/cohorts/<id>/expression.tsv.gz?unit=RAW_COUNT&transform=NONE|LOG2_CPM&genes=TP53,ESR1
//   /export/cohorts/<id>/clinical.tsv.gz
// Both are gzip-compressed TSV, streamed as they are read (cohortMatrix.ts, cohortClinical.ts): the response
// starts before the matrix is read, and a slow reader holds the reads back (stream backpressure).
import type http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { EXPRESSION_UNITS, type ExpressionUnit } from '@gexbert/core/formats/types';
import { genesByIdentifier } from '@gexbert/core/gene/records';
import { GraphQLError } from 'graphql/index.js';
import type pg from 'pg';
import { badInput, notFound, parseId } from '../errors.ts';
import type { ValueTransform } from '../generated/graphql.ts';
import { checkTransform } from '../genes/geneColumn.ts';
import { cohortReference } from '../inference/reference.ts';
import { cohortClinicalLines } from './cohortClinical.ts';
import { cohortMatrixLines } from './cohortMatrix.ts';

export const EXPORT_PATH = '/export/';
const ROUTE = /^\/export\/cohorts\/([^/]+)\/(expression|clinical)\.tsv\.gz$/;
const TRANSFORMS: readonly ValueTransform[] = ['NONE', 'LOG2_CPM'];
const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

export interface ExportDeps {
  db: pg.Pool;
  prisma: PrismaClient;
  cacheKey: string;
  /** Throws UNAUTHENTICATED unless the request carries a token the API accepts (or anonymous reading is on). */
  authenticate(req: http.IncomingMessage): Promise<unknown>;
}

function option<T extends string>(url: URL, name: string, allowed: readonly T[], fallback: T): T {
  const value = url.searchParams.get(name)?.trim().toUpperCase() || fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw badInput(`${name} must be one of ${allowed.join(', ')}; not "${url.searchParams.get(name)}"`);
  return value as T;
}

/** Gene.id values of the `genes` parameter (symbols or Ensembl IDs, comma or space separated), or null. */
async function chosenGenes(db: pg.Pool, url: URL): Promise<number[] | null> {
  const asked = (url.searchParams.get('genes') ?? '').split(/[\s,]+/).filter(Boolean);
  if (!asked.length) return null;
  const found = await genesByIdentifier(db, asked);
  const unknown = asked.filter((_, i) => !found[i]);
  if (unknown.length) throw badInput(`unknown genes: ${unknown.slice(0, 10).join(', ')}`);
  return [...new Set(found.map((g) => g!.id))];
}

async function linesFor(deps: ExportDeps, url: URL, cohortId: number, file: string) {
  const cohort = await cohortReference(deps.db, cohortId);
  if (!cohort) throw notFound(`cohort ${cohortId}`);
  if (file === 'clinical') return cohortClinicalLines(deps.db, cohort.sampleIds);
  const unit = option<ExpressionUnit>(url, 'unit', EXPRESSION_UNITS, 'RAW_COUNT');
  const transform = option(url, 'transform', TRANSFORMS, 'NONE');
  checkTransform(unit, transform);
  const geneIds = await chosenGenes(deps.db, url);
  return cohortMatrixLines(deps, {
    members: cohort.sampleIds,
    unit,
    transform,
    geneIds,
    cacheKey: deps.cacheKey,
  });
}

/** Answers an export request; false when `url` is not one. */
export async function serveExport(
  deps: ExportDeps,
  url: URL,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<boolean> {
  const match = ROUTE.exec(url.pathname);
  if (!match) return false;
  let lines: AsyncGenerator<string>;
  try {
    if ((req.method ?? 'GET').toUpperCase() !== 'GET') throw badInput('exports are read with GET');
    await deps.authenticate(req);
    lines = await linesFor(deps, url, parseId(decodeURIComponent(match[1]!), 'cohort ID'), match[2]!);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const code = String(error.extensions.code ?? 'BAD_USER_INPUT');
    res.writeHead(STATUS[code] ?? 400, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code } }] }));
    return true;
  }
  res.writeHead(200, {
    'content-type': 'application/gzip',
    'content-disposition': `attachment; filename="cohort-${match[1]}-${match[2]}.tsv.gz"`,
    'cache-control': 'no-store',
  });
  await pipeline(Readable.from(lines), createGzip(), res);
  return true;
}
