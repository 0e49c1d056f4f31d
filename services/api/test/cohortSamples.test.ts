// A cohort's samples searched and sorted by the API (in SQL), against a real database holding two real
// TCGA cohorts (CHOL, DLBC) with survival. The expected orders and counts are computed here, in plain
// TypeScript, from the rows read straight from the database.
import { query } from '@gexbert/core/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support.ts';

interface Row {
  id: number;
  barcode: string;
  sampleType: string;
  cancerType: string | null;
  patient: string;
  osDays: number | null;
  osEvent: number | null;
}

type Field = 'ID' | 'BARCODE' | 'SAMPLE_TYPE' | 'CANCER_TYPE' | 'PATIENT' | 'OS_TIME' | 'OS_EVENT';
const VALUE: Record<Field, (r: Row) => string | number | null> = {
  ID: (r) => r.id,
  BARCODE: (r) => r.barcode,
  SAMPLE_TYPE: (r) => r.sampleType,
  CANCER_TYPE: (r) => r.cancerType,
  PATIENT: (r) => r.patient,
  OS_TIME: (r) => r.osDays,
  OS_EVENT: (r) => r.osEvent,
};

let h: Harness;
let cohortId: string;
let rows: Row[];

/** Patients whose survival is removed, so the sort's "missing values last" is exercised. */
const WITHOUT_SURVIVAL = 3;

beforeAll(async () => {
  h = await startHarness(['CHOL', 'DLBC']);
  await query(
    h.dbUrl,
    `UPDATE "Patient" SET "osDays" = NULL, "osEvent" = NULL
     WHERE id IN (SELECT id FROM "Patient" ORDER BY barcode LIMIT ${WITHOUT_SURVIVAL})`,
  );
  const [cohort] = await query<{ id: number }>(h.dbUrl, `SELECT id FROM "Cohort" WHERE name = 'TCGA'`);
  cohortId = String(cohort!.id);
  rows = await query<Row>(
    h.dbUrl,
    `SELECT s.id, s.barcode, s."sampleType"::text AS "sampleType", p."cancerType", p.barcode AS patient,
       p."osDays", p."osEvent"
     FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId" JOIN "Patient" p ON p.id = s."patientId"
     WHERE cs."cohortId" = $1`,
    [cohort!.id],
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** The expected order: missing values last in both directions, ties by ID in the sort's direction. */
function expectedOrder(list: readonly Row[], field: Field, descending: boolean): string[] {
  const sign = descending ? -1 : 1;
  const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return [...list]
    .sort((a, b) => {
      const x = VALUE[field](a);
      const y = VALUE[field](b);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        return sign * (a.id - b.id);
      }
      return sign * (compare(x, y) || a.id - b.id);
    })
    .map((r) => r.barcode);
}

const PAGE = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $search: String,
  $orderBy: CohortSampleOrder) {
  cohort(id: $id) {
    samples(first: $first, after: $after, last: $last, before: $before, search: $search, orderBy: $orderBy) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { barcode }
    }
  }
}`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
  nodes: { barcode: string }[];
}

async function page(variables: Record<string, unknown>): Promise<Page> {
  const res = await h.gql(PAGE, { id: cohortId, ...variables });
  expect(res.errors).toBeUndefined();
  return res.data!.cohort.samples as Page;
}

/** Every matching sample, `size` at a time, forward; checks each page's totalCount and flags. */
async function pageForward(size: number, variables: Record<string, unknown>): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const p: Page = await page({ ...variables, first: size, after });
    seen.push(...p.nodes.map((n) => n.barcode));
    expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
    if (!p.pageInfo.hasNextPage) return seen;
    expect(p.nodes).toHaveLength(size);
    after = p.pageInfo.endCursor;
  }
  throw new Error('more than 100 pages');
}

/** Every matching sample, `size` at a time, backward from the end. */
async function pageBackward(size: number, variables: Record<string, unknown>): Promise<string[]> {
  const pages: string[][] = [];
  let before: string | null = null;
  for (let i = 0; i < 100; i++) {
    const p: Page = await page({ ...variables, last: size, before });
    pages.unshift(p.nodes.map((n) => n.barcode));
    expect(p.pageInfo.hasNextPage).toBe(before !== null);
    if (!p.pageInfo.hasPreviousPage) return pages.flat();
    before = p.pageInfo.startCursor;
  }
  throw new Error('more than 100 pages');
}

describe("a cohort's samples, searched and sorted by the API", () => {
  it('has the test data it needs: two cancer types, ties, and samples without survival', () => {
    expect(rows.length).toBe(29 + 38);
    expect(new Set(rows.map((r) => r.cancerType))).toEqual(new Set(['CHOL', 'DLBC']));
    expect(rows.filter((r) => r.osDays === null).length).toBeGreaterThanOrEqual(WITHOUT_SURVIVAL);
    expect(rows.filter((r) => r.osDays !== null).length).toBeGreaterThan(20);
  });

  it('sorts by every field in both directions, paging without gaps or repeats, forward and backward', async () => {
    for (const field of Object.keys(VALUE) as Field[]) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const expected = expectedOrder(rows, field, direction === 'DESC');
        const orderBy = { field, direction };
        expect(await pageForward(7, { orderBy }), `${field} ${direction}`).toEqual(expected);
        const whole = await page({ orderBy, first: 100 });
        expect(whole.nodes.map((n) => n.barcode)).toEqual(expected);
        expect(whole.totalCount).toBe(rows.length);
      }
    }
    for (const direction of ['ASC', 'DESC'] as const) {
      const orderBy = { field: 'OS_EVENT', direction };
      expect(await pageBackward(6, { orderBy })).toEqual(
        expectedOrder(rows, 'OS_EVENT', direction === 'DESC'),
      );
    }
  });

  it('keeps samples without survival last in both directions', async () => {
    for (const direction of ['ASC', 'DESC'] as const) {
      const whole = await page({ orderBy: { field: 'OS_TIME', direction }, first: 100 });
      const missing = new Set(rows.filter((r) => r.osDays === null).map((r) => r.barcode));
      const tail = whole.nodes.slice(-missing.size).map((n) => n.barcode);
      expect(new Set(tail)).toEqual(missing);
    }
  });

  it('searches barcode, patient, cancer type and sample type, case-insensitively, with the filtered totalCount', async () => {
    const patient = rows.find((r) => r.cancerType === 'DLBC')!.patient;
    const needles = [
      'chol',
      'dLbC',
      patient.slice(5).toLowerCase(),
      '-01',
      'tumor',
      'nothing-like-this',
      '%',
      '_',
    ];
    for (const search of needles) {
      const lower = search.toLowerCase();
      const matching = rows.filter((r) =>
        [r.barcode, r.patient, r.cancerType ?? '', r.sampleType].some((v) => v.toLowerCase().includes(lower)),
      );
      const orderBy = { field: 'BARCODE', direction: 'DESC' };
      const first = await page({ search, orderBy, first: 5 });
      expect(first.totalCount, search).toBe(matching.length);
      expect(await pageForward(5, { search, orderBy }), search).toEqual(
        expectedOrder(matching, 'BARCODE', true),
      );
    }
    expect((await page({ search: 'chol', first: 1 })).totalCount).toBe(29);
    expect((await page({ search: 'nothing-like-this', first: 1 })).totalCount).toBe(0);
  });

  it('keeps its place when samples are added to the cohort between pages (no repeats, unlike offsets)', async () => {
    const [growing] = await query<{ id: number }>(
      h.dbUrl,
      `INSERT INTO "Cohort" (name, "updatedAt") VALUES ('growing', now()) RETURNING id`,
    );
    const add = (type: string) =>
      query(
        h.dbUrl,
        `INSERT INTO "CohortSample" ("cohortId", "sampleId")
         SELECT $1, s.id FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE p."cancerType" = $2`,
        [growing!.id, type],
      );
    await add('CHOL');
    const orderBy = { field: 'BARCODE', direction: 'ASC' };
    const vars = { id: String(growing!.id), orderBy, first: 10 };
    const first = (await h.gql(PAGE, vars)).data!.cohort.samples as Page;
    const firstBarcodes = first.nodes.map((n) => n.barcode);
    expect(firstBarcodes).toEqual(
      expectedOrder(
        rows.filter((r) => r.cancerType === 'CHOL'),
        'BARCODE',
        false,
      ).slice(0, 10),
    );
    await add('DLBC');
    const second = (await h.gql(PAGE, { ...vars, after: first.pageInfo.endCursor })).data!.cohort
      .samples as Page;
    const all = expectedOrder(rows, 'BARCODE', false);
    const resume = all.indexOf(firstBarcodes.at(-1)!) + 1;
    expect(second.nodes.map((n) => n.barcode)).toEqual(all.slice(resume, resume + 10));
    expect(second.totalCount).toBe(rows.length);
    for (const barcode of second.nodes) expect(firstBarcodes).not.toContain(barcode.barcode);
  });

  it('refuses mixed directions and over-long searches', async () => {
    const mixed = await h.gql(PAGE, { id: cohortId, first: 5, last: 5 });
    expect(mixed.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(mixed.errors![0]!.message).toMatch(/first\/after .* last\/before/);
    const long = await h.gql(PAGE, { id: cohortId, first: 5, search: 'x'.repeat(201) });
    expect(long.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});
