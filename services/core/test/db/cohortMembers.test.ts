// A cohort's membership version is raised by the database on every change to its members, whoever writes
// them, so stored answers' fingerprints change exactly when the members (or the data, by an import) do.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortFingerprint } from '../../src/inference/cohortAnswers.ts';
import { createTestDatabase, query } from '../../test-support/database.ts';

describe('cohort membership version', () => {
  let url: string;
  let pool: pg.Pool;
  const samples: number[] = [];

  beforeAll(async () => {
    url = await createTestDatabase('members');
    pool = new pg.Pool({ connectionString: url, max: 2 });
    const [imported] = await query<{ id: number }>(
      url,
      `INSERT INTO "Import" (kind, "fileName", "filePath", checksum, format, "rowCount", "sampleCount", "geneCount", "startedAt")
       VALUES ('COUNTS', 'f.tsv', '/f.tsv', 'x', 'counts-matrix/tsv', 0, 3, 0, now()) RETURNING id`,
    );
    for (const n of [1, 2, 3]) {
      const [patient] = await query<{ id: number }>(
        url,
        `INSERT INTO "Patient" (barcode) VALUES ($1) RETURNING id`,
        [`TCGA-XX-000${n}`],
      );
      const [sample] = await query<{ id: number }>(
        url,
        `INSERT INTO "Sample" (barcode, "patientId", "importId") VALUES ($1, $2, $3) RETURNING id`,
        [`TCGA-XX-000${n}-01`, patient!.id, imported!.id],
      );
      samples.push(sample!.id);
    }
  });
  afterAll(async () => {
    await pool?.end();
  });

  const cohort = async (name: string) =>
    (
      await query<{ id: number }>(
        url,
        `INSERT INTO "Cohort" (name, "updatedAt") VALUES ($1, now()) RETURNING id`,
        [name],
      )
    )[0]!.id;
  const version = async (id: number) =>
    (await query<{ v: number }>(url, `SELECT "membersVersion" AS v FROM "Cohort" WHERE id = $1`, [id]))[0]!.v;

  it('rises once per statement that inserts, moves or deletes members, and only for their cohorts', async () => {
    const a = await cohort('a');
    const b = await cohort('b');
    const empty = await cohortFingerprint(pool, a);
    expect(await version(a)).toBe(0);

    await query(url, `INSERT INTO "CohortSample" ("cohortId", "sampleId") SELECT $1, unnest($2::int[])`, [
      a,
      samples,
    ]);
    expect([await version(a), await version(b)]).toEqual([1, 0]);
    const three = await cohortFingerprint(pool, a);
    expect(three).not.toBe(empty);

    await query(url, `UPDATE "CohortSample" SET "cohortId" = $2 WHERE "cohortId" = $1 AND "sampleId" = $3`, [
      a,
      b,
      samples[0],
    ]);
    expect([await version(a), await version(b)]).toEqual([2, 1]);

    await query(url, `DELETE FROM "CohortSample" WHERE "cohortId" = $1`, [a]);
    expect([await version(a), await version(b)]).toEqual([3, 1]);
    // the same members as before are still a change: an answer is never served for members it was not
    // computed on
    await query(url, `INSERT INTO "CohortSample" ("cohortId", "sampleId") SELECT $1, unnest($2::int[])`, [
      a,
      samples,
    ]);
    expect(await cohortFingerprint(pool, a)).not.toBe(three);

    // a statement that changes nothing leaves the version alone; deleting the cohort takes its members with it
    await query(url, `DELETE FROM "CohortSample" WHERE "cohortId" = $1 AND "sampleId" = -1`, [a]);
    expect(await version(a)).toBe(4);
    await query(url, `DELETE FROM "Cohort" WHERE id = $1`, [a]);
    expect(await cohortFingerprint(pool, a)).toBeNull();
  });

  it('names the newest import, so an import changes every cohort fingerprint', async () => {
    const c = await cohort('c');
    const before = await cohortFingerprint(pool, c);
    await query(
      url,
      `INSERT INTO "Import" (kind, "fileName", "filePath", checksum, format, "rowCount", "sampleCount", "geneCount", "startedAt")
       VALUES ('CLINICAL', 'c.tsv', '/c.tsv', 'y', 'clinical/pancan_os', 0, 0, 0, now())`,
    );
    expect(await cohortFingerprint(pool, c)).not.toBe(before);
  });
});
