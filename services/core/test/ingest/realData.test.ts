// Ingest the six real TCGA cohorts and the pan-cancer survival table into a real PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGene, readProfile, readProfiles } from '../../src/expression/store.ts';
import { ingestClinical, ingestCounts } from '../../src/ingest/index.ts';
import { createTestDatabase, fingerprint, query } from '../../test-support/database.ts';
import { sharedDir } from '../../test-support/shared.ts';

const COUNTS = path.join(sharedDir(), 'data/tcga/counts');
const OS_TABLE = path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz');
const EXPECTED = { ACC: 63, CHOL: 29, DLBC: 38, KICH: 52, UCS: 45, UVM: 64 };

/** An independent read of a counts file: header cells and the lines, split by tabs. */
function readRaw(file: string): { header: string[]; rows: string[][] } {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trimEnd().split('\n');
  return { header: lines[0]!.split('\t'), rows: lines.slice(1).map((l) => l.split('\t')) };
}

describe('ingest of the real TCGA data', () => {
  let url: string;
  let pool: pg.Pool;

  beforeAll(async () => {
    url = await createTestDatabase('real');
    pool = new pg.Pool({ connectionString: url });
  });
  afterAll(() => pool.end());

  it('stores the six cohorts with their sample counts per cancer type, all primary tumours', async () => {
    const results = await ingestCounts(pool, COUNTS, { cohort: 'TCGA six' });
    expect(results).toHaveLength(6);
    expect(results.every((r) => !r.unchanged && r.genes === 56537)).toBe(true);
    const perType = await query<{ cancerType: string; n: string; tumours: string }>(
      url,
      `SELECT p."cancerType", count(*) AS n, count(*) FILTER (WHERE s."sampleType" = 'TUMOR') AS tumours
       FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" GROUP BY 1 ORDER BY 1`,
    );
    expect(Object.fromEntries(perType.map((r) => [r.cancerType, Number(r.n)]))).toEqual(EXPECTED);
    expect(perType.every((r) => r.n === r.tumours)).toBe(true);
    const [cohort] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "CohortSample"`);
    expect(Number(cohort!.n)).toBe(291);
    const [imports] = await query<{ n: string; files: string[] }>(
      url,
      `SELECT count(*) AS n, array_agg("fileName" ORDER BY "fileName") AS files FROM "Import" WHERE kind = 'COUNTS'`,
    );
    expect(imports!.files).toEqual(Object.keys(EXPECTED).map((t) => `TCGA_${t}_Counts.exp.gz`));
  });

  it('reads back exactly the values in the files, by sample and by gene', async () => {
    const file = path.join(COUNTS, 'TCGA_UVM_Counts.exp.gz');
    const raw = readRaw(file);
    const [sample] = await query<{ id: number }>(url, `SELECT id FROM "Sample" WHERE "aliquotBarcode" = $1`, [
      raw.header[7],
    ]);
    const profile = await readProfile(pool, sample!.id, 'RAW_COUNT');
    expect(profile!.genes).toHaveLength(56537);
    for (const g of [0, 1234, 30000, 56536]) {
      const cells = raw.rows[g]!;
      expect(profile!.genes[g]).toBe(cells[0]!.replace(/\.\d+$/, ''));
      expect(profile!.values[g]).toBe(Number(cells[7]));
    }
    const geneRow = raw.rows[4242]!;
    const [gene] = await query<{ id: number }>(url, `SELECT id FROM "Gene" WHERE "ensemblId" = $1`, [
      geneRow[0],
    ]);
    const values = await readGene(pool, gene!.id, 'RAW_COUNT');
    expect(values.sampleIds).toHaveLength(291);
    const ids = await query<{ id: number; aliquotBarcode: string }>(
      url,
      `SELECT id, "aliquotBarcode" FROM "Sample"`,
    );
    const aliquot = new Map(ids.map((r) => [r.id, r.aliquotBarcode]));
    for (let c = 1; c < raw.header.length; c++) {
      const k = values.sampleIds.findIndex((id) => aliquot.get(id) === raw.header[c]);
      expect(values.values[k]).toBe(Number(geneRow[c]));
    }
  });

  it('reads many profiles at once as one at a time, in the order asked, null where there is none', async () => {
    const ids = (await query<{ id: number }>(url, `SELECT id FROM "Sample" ORDER BY id DESC`)).map(
      (r) => r.id,
    );
    const missing = Math.max(...ids) + 1000;
    const asked = [ids[5]!, missing, ...ids]; // 293 ids: two queries of at most 200
    const many = await readProfiles(pool, asked, 'RAW_COUNT');
    expect(many).toHaveLength(asked.length);
    expect(many[1]).toBeNull();
    for (const [i, id] of asked.entries()) {
      if (id === missing) continue;
      const one = await readProfile(pool, id, 'RAW_COUNT');
      expect(many[i]!.sampleId).toBe(id);
      expect(many[i]!.layoutId).toBe(one!.layoutId);
      const [a, b] = [many[i]!.values, one!.values];
      expect(a.length === b.length && a.every((v, g) => Object.is(v, b[g])), `sample ${id}`).toBe(true);
    }
    expect(await readProfiles(pool, [], 'RAW_COUNT')).toEqual([]);
    expect(await readProfiles(pool, [ids[0]!], 'TPM')).toEqual([null]);
  });

  it('joins overall survival to all samples but one', async () => {
    const result = await ingestClinical(pool, OS_TABLE);
    expect(result.matched).toBe(291); // every patient is in the table; one has no usable survival time
    expect(result.unknownPatients.length).toBeGreaterThan(10_000);
    const [row] = await query<{ with_os: string; without: string }>(
      url,
      `SELECT count(*) FILTER (WHERE p."osDays" IS NOT NULL) AS with_os, count(*) FILTER (WHERE p."osDays" IS NULL) AS without
       FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"`,
    );
    expect([Number(row!.with_os), Number(row!.without)]).toEqual([290, 1]);
  });

  it('re-running the same imports changes nothing', async () => {
    const before = await fingerprint(url);
    const again = await ingestCounts(pool, COUNTS, { cohort: 'TCGA six' });
    expect(again.every((r) => r.unchanged)).toBe(true);
    // A cohort named only on the re-run is not created either: unchanged means nothing was written.
    const named = await ingestCounts(pool, COUNTS, { cohort: 'Named on the re-run' });
    expect(named.every((r) => r.unchanged)).toBe(true);
    const clinical = await ingestClinical(pool, OS_TABLE);
    expect(clinical.unchanged).toBe(true);
    expect(await fingerprint(url)).toEqual(before);
  });
});
