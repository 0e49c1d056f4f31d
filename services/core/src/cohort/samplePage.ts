// A cohort's samples searched and sorted in SQL, paged with keyset cursors in both directions. A cursor is
// a sample ID: the next page starts after that sample's position in the chosen order (its sort key is read
// back from the database), so pages neither skip nor repeat samples however the order ties.
import type pg from 'pg';
import { SAMPLE_COLUMNS, type SampleRecord } from '../sample/records.ts';

export const SAMPLE_SORT_FIELDS = [
  'ID',
  'BARCODE',
  'SAMPLE_TYPE',
  'CANCER_TYPE',
  'PATIENT',
  'OS_TIME',
  'OS_EVENT',
] as const;
export type SampleSortField = (typeof SAMPLE_SORT_FIELDS)[number];

/** Each sortable field's SQL value (byte order for text, so the order is the same on every server). */
const FIELDS: Record<SampleSortField, string> = {
  ID: 's.id',
  BARCODE: 's.barcode COLLATE "C"',
  SAMPLE_TYPE: 's."sampleType"::text COLLATE "C"',
  CANCER_TYPE: 'p."cancerType" COLLATE "C"',
  PATIENT: 'p.barcode COLLATE "C"',
  OS_TIME: 'p."osDays"',
  OS_EVENT: 'p."osEvent"',
};
const BLANK: Record<SampleSortField, string> = {
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
function sortKey(field: SampleSortField, descending: boolean): Term[] {
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
function searchSql(search: string, params: unknown[]): string {
  if (!search) return 'TRUE';
  params.push(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const k = `$${params.length}`;
  return `(s.barcode ILIKE ${k} OR p.barcode ILIKE ${k} OR p."cancerType" ILIKE ${k} OR s."sampleType"::text ILIKE ${k})`;
}

export interface SortedSampleRequest {
  /** Text the barcode, patient, cancer type or sample type contains ('' = every sample). */
  search: string;
  field: SampleSortField;
  descending: boolean;
  /** The sample the page starts after (0 = from the start of the order). */
  cursorId: number;
  /** Rows to read (the page size + 1, to tell whether there are more). */
  limit: number;
  /** Read the order backwards from the cursor (the rows come in that reversed order). */
  backward: boolean;
}

/** Up to `limit` of the cohort's matching samples after the cursor, and how many samples match. */
export async function sortedCohortSamples(
  db: pg.Pool,
  cohortId: number,
  request: SortedSampleRequest,
): Promise<{ rows: SampleRecord[]; total: number }> {
  const params: unknown[] = [cohortId];
  const matching = `FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId"
    JOIN "Patient" p ON p.id = s."patientId" WHERE cs."cohortId" = $1 AND ${searchSql(request.search, params)}`;
  const key = sortKey(request.field, request.descending);
  const terms = request.backward ? key.map((t) => ({ ...t, descending: !t.descending })) : key;
  const countParams = [...params];
  params.push(request.cursorId, request.limit);
  const cursor = `$${params.length - 1}`;
  const [rows, count] = await Promise.all([
    // raw SQL: keyset page over a user-chosen sort of SQL terms (cohort/filter.ts)
    db.query<SampleRecord>(
      `WITH c AS (
       SELECT ${terms.map((t, i) => `${t.sql} AS k${i}`).join(', ')}
       FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE s.id = ${cursor}
     )
     SELECT ${SAMPLE_COLUMNS} ${matching} AND (${cursor}::int = 0 OR ${afterCursor(terms)})
     ORDER BY ${terms.map((t) => `${t.sql} ${t.descending ? 'DESC' : 'ASC'}`).join(', ')}
     LIMIT $${params.length}`,
      params,
    ),
    // raw SQL: keyset page over a user-chosen sort of SQL terms (cohort/filter.ts)
    db.query<{ n: number }>(`SELECT count(*)::int AS n ${matching}`, countParams),
  ]);
  return { rows: rows.rows, total: count.rows[0]!.n };
}
