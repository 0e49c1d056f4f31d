// A cohort's samples searched and sorted in SQL, paged with keyset cursors in both directions. A cursor is
// a sample ID: the next page starts after that sample's position in the chosen order (its sort key is read
// back from the database), so pages neither skip nor repeat samples however the order ties.

import { SAMPLE_COLUMNS } from '@gexbert/core/sample/records';
import type { Context } from '../context.ts';
import { badInput } from '../errors.ts';
import type { CohortSampleField, CohortSampleOrder, CohortSamplesArgs } from '../generated/graphql.ts';
import { encodeCursor, pageRequest } from '../pagination.ts';
import type { Connection, SampleRow } from '../rows.ts';

const MAX_SEARCH = 200;

/** Each sortable field's SQL value (byte order for text, so the order is the same on every server). */
const FIELDS: Record<CohortSampleField, string> = {
  ID: 's.id',
  BARCODE: 's.barcode COLLATE "C"',
  SAMPLE_TYPE: 's."sampleType"::text COLLATE "C"',
  CANCER_TYPE: 'p."cancerType" COLLATE "C"',
  PATIENT: 'p.barcode COLLATE "C"',
  OS_TIME: 'p."osDays"',
  OS_EVENT: 'p."osEvent"',
};
const BLANK: Record<CohortSampleField, string> = {
  ID: '0',
  BARCODE: "''",
  SAMPLE_TYPE: "''",
  CANCER_TYPE: "''",
  PATIENT: "''",
  OS_TIME: '0',
  OS_EVENT: '0',
};

/** One term of the sort key: an SQL expression and whether it sorts descending. */
interface Term {
  sql: string;
  descending: boolean;
}

/**
 * The full sort key, unique per sample: missing values last (in both directions), then the value, then the
 * sample ID (in the same direction as the value).
 */
function sortKey(order: CohortSampleOrder | null | undefined): Term[] {
  const field = order?.field ?? 'ID';
  const descending = order?.direction === 'DESC';
  const value = FIELDS[field];
  return [
    { sql: `(${value} IS NULL)`, descending: false },
    { sql: `COALESCE(${value}, ${BLANK[field]})`, descending },
    { sql: 's.id', descending },
  ];
}

/** Rows strictly after the cursor row `c` (columns k0, k1, ...) in the order of `terms`. */
function afterCursor(terms: readonly Term[]): string {
  const options = terms.map((term, i) => {
    const equal = terms.slice(0, i).map((t, j) => `${t.sql} = c.k${j}`);
    return [...equal, `${term.sql} ${term.descending ? '<' : '>'} c.k${i}`].join(' AND ');
  });
  return `EXISTS (SELECT 1 FROM c WHERE ${options.map((o) => `(${o})`).join(' OR ')})`;
}

/** The search condition (barcode, patient, cancer type or sample type contains it), adding its parameter. */
function searchSql(search: string | null | undefined, params: unknown[]): string {
  const needle = search?.trim() ?? '';
  if (!needle) return 'TRUE';
  if (needle.length > MAX_SEARCH) throw badInput(`search is longer than ${MAX_SEARCH} characters`);
  params.push(`%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const k = `$${params.length}`;
  return `(s.barcode ILIKE ${k} OR p.barcode ILIKE ${k} OR p."cancerType" ILIKE ${k} OR s."sampleType"::text ILIKE ${k})`;
}

/** Page size, cursor and direction from first/after (forward) or last/before (backward). */
function pageOf(args: CohortSamplesArgs, context: Context) {
  const backward = args.last != null || args.before != null;
  if (backward && (args.first != null || args.after != null))
    throw badInput('page forward with first/after or backward with last/before, not both');
  const page = backward
    ? pageRequest('Sample', { first: args.last, after: args.before }, context.config)
    : pageRequest('Sample', args, context.config);
  return { size: page.first, cursorId: page.afterId, backward };
}

/** A page of cohort `cohortId`'s samples matching `args.search` in `args.orderBy` order. */
export async function cohortSamplePage(
  context: Context,
  cohortId: number,
  args: CohortSamplesArgs,
): Promise<Connection<SampleRow>> {
  const page = pageOf(args, context);
  const params: unknown[] = [cohortId];
  const matching = `FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId"
    JOIN "Patient" p ON p.id = s."patientId" WHERE cs."cohortId" = $1 AND ${searchSql(args.search, params)}`;
  const key = sortKey(args.orderBy);
  const terms = page.backward ? key.map((t) => ({ ...t, descending: !t.descending })) : key;
  const countParams = [...params];
  params.push(page.cursorId, page.size + 1);
  const cursor = `$${params.length - 1}`;
  const [rows, count] = await Promise.all([
    context.db.query<SampleRow>(
      `WITH c AS (
       SELECT ${terms.map((t, i) => `${t.sql} AS k${i}`).join(', ')}
       FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE s.id = ${cursor}
     )
     SELECT ${SAMPLE_COLUMNS} ${matching} AND (${cursor}::int = 0 OR ${afterCursor(terms)})
     ORDER BY ${terms.map((t) => `${t.sql} ${t.descending ? 'DESC' : 'ASC'}`).join(', ')}
     LIMIT $${params.length}`,
      params,
    ),
    context.db.query<{ n: number }>(`SELECT count(*)::int AS n ${matching}`, countParams),
  ]);
  const more = rows.rows.length > page.size;
  const nodes = rows.rows.slice(0, page.size);
  if (page.backward) nodes.reverse();
  const edges = nodes.map((node) => ({ cursor: encodeCursor('Sample', node.id), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: page.backward ? page.cursorId > 0 : more,
      hasPreviousPage: page.backward ? more : page.cursorId > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: count.rows[0]!.n,
  };
}

/** True when the arguments need the searched / sorted / backward page rather than the plain ID order. */
export function needsSortedPage(args: CohortSamplesArgs): boolean {
  return Boolean(args.search?.trim() || args.orderBy || args.last != null || args.before != null);
}
