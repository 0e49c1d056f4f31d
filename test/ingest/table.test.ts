// `gexbert ingest table` end to end through the CLI into a real database: the real PanCanAtlas extract
// (../shared/data/tcga/pancan33: samples as rows, NCBI Entrez Gene IDs as columns, RSEM values, a sample
// sidecar beside it), a patients-as-rows table with HGNC symbols and survival columns first, and the
// tables it refuses (one error naming file, line and fix; nothing written; one FAILED import).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { profileToZ } from '@gexbert/model/inference';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProfile } from '../../services/core/src/expression/store.ts';
import { modelInput, sampleProfiles } from '../../services/core/src/inference/modelRuntime.ts';
import { createTestDatabase, fingerprint, query } from '../../services/core/test-support/database.ts';
import { sharedDir } from '../../services/core/test-support/shared.ts';
import { errorLines, runCli } from '../support/cli.ts';

const PANCAN = path.join(sharedDir(), 'data/tcga/pancan33');
const EXPRESSION = path.join(PANCAN, 'pancan33_expression.tsv.gz');
const SIDECAR = path.join(PANCAN, 'pancan33_samples.tsv');
const NCBI = path.join(sharedDir(), 'data/reference/ncbi_gene_ids.tsv.gz');

let url: string;
let pool: pg.Pool;
let tmp: string;

/** An independent read of a tab-separated file, gzipped or not. */
function readTsv(file: string): string[][] {
  const bytes = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return text
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
}

interface ImportRecord {
  id: number;
  kind: string;
  status: string;
  error: string | null;
}

async function snapshot(): Promise<{ data: Record<string, string>; imports: ImportRecord[] }> {
  const { Import: _history, ...data } = await fingerprint(url);
  const imports = await query<ImportRecord>(url, `SELECT id, kind, status, error FROM "Import" ORDER BY id`);
  return { data, imports };
}

/** Runs `ingest table` that must fail: one error line naming file and line, nothing written, one FAILED import. */
async function expectRefused(args: string[], where: string, fix: RegExp): Promise<string> {
  const before = await snapshot();
  const result = await runCli(['ingest', 'table', ...args], { DATABASE_URL: url });
  const errors = errorLines(result.stderr);
  expect(result.code, result.stderr).not.toBe(0);
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toContain(where);
  expect(errors[0]).toMatch(fix);
  const after = await snapshot();
  expect(after.data).toEqual(before.data);
  const added = after.imports.slice(before.imports.length);
  expect(added).toHaveLength(1);
  expect(added[0]).toMatchObject({ kind: 'TABLE', status: 'FAILED' });
  expect(`error: ${added[0]!.error}`).toBe(errors[0]);
  return errors[0]!;
}

beforeAll(async () => {
  url = await createTestDatabase('table');
  pool = new pg.Pool({ connectionString: url });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-table-'));
});
afterAll(async () => {
  await pool.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the real PanCanAtlas extract (samples as rows, Entrez IDs, RSEM)', () => {
  it('refuses fractional values without a unit, naming the cell and the --unit fix', async () => {
    await expectRefused([EXPRESSION], `${EXPRESSION}:2:2`, /not raw counts.*pass --unit .*RSEM/);
  });

  it('refuses a sidecar that lacks samples of the table', async () => {
    const partial = path.join(tmp, 'partial_samples.tsv');
    const rows = readTsv(SIDECAR);
    fs.writeFileSync(
      partial,
      `${rows
        .slice(0, -3)
        .map((r) => r.join('\t'))
        .join('\n')}\n`,
    );
    const error = await expectRefused(
      [EXPRESSION, '--unit', 'RSEM', '--samples', partial],
      `${partial}:1:1`,
      /3 of the 604 samples .* are not in this sample table .*add a row for every sample/,
    );
    expect(error).toContain(rows.at(-1)![0]!);
  });

  it('stores 604 samples of 33 cancer types with the sidecar found beside the table', async () => {
    const result = await runCli(['ingest', 'table', EXPRESSION, '--unit', 'RSEM', '--cohort', 'PANCAN33'], {
      DATABASE_URL: url,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/604 samples x 100 genes stored/);
    expect(result.stdout).toMatch(/orientation: samples-as-rows \(detected from the gene identifiers\)/);
    expect(result.stdout).toMatch(
      /genes: 100 of 100 identifiers mapped to GENCODE v36 \(100 NCBI Entrez Gene IDs\)/,
    );
    expect(result.stdout).toContain(`samples table: ${SIDECAR} (found beside the table)`);
    expect(result.stdout).toMatch(/cancer types: 33 \(BRCA 67,/);
    expect(result.stdout).toContain('cohort "PANCAN33": holds the samples of this ingest');

    const sidecar = readTsv(SIDECAR).slice(1);
    const expected: Record<string, number> = {};
    for (const r of sidecar) expected[r[2]!] = (expected[r[2]!] ?? 0) + 1;
    const perType = await query<{ cancerType: string; n: string }>(
      url,
      `SELECT p."cancerType", count(*) AS n FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" GROUP BY 1`,
    );
    const stored = Object.fromEntries(perType.map((r) => [r.cancerType, Number(r.n)]));
    expect(stored).toEqual(expected);
    expect(Object.keys(stored)).toHaveLength(33);
    expect(stored.BRCA).toBe(67);
    // The sidecar join: patient and sample type code of every sample as the sidecar gives them.
    const samples = await query<{ barcode: string; patient: string; code: string; project: string }>(
      url,
      `SELECT s.barcode, p.barcode AS patient, s."sampleTypeCode" AS code, p."projectId" AS project
       FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"`,
    );
    expect(samples).toHaveLength(604);
    const bySample = new Map(samples.map((s) => [s.barcode, s]));
    for (const [sample, patient, type, code] of sidecar) {
      expect(bySample.get(sample!)).toEqual({ barcode: sample, patient, code, project: `TCGA-${type}` });
    }
    const units = await query<{ unit: string; encoding: string; n: string }>(
      url,
      `SELECT p.unit, b.encoding, count(*) AS n FROM "ExpressionProfile" p JOIN "ExpressionBlock" b ON b.id = p."blockId" GROUP BY 1, 2`,
    );
    expect(units).toEqual([{ unit: 'RSEM', encoding: 'F32', n: '604' }]);
    const [cohort] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "CohortSample"`);
    expect(Number(cohort!.n)).toBe(604);
  });

  it('stores the values as in the file (negative RSEM values kept), genes mapped through NCBI Gene', async () => {
    const raw = readTsv(EXPRESSION);
    const header = raw[0]!;
    const ncbi = new Map(readTsv(NCBI).map((r) => [r[0]!, (r[3] ?? '').split(',')]));
    // Three cells: the first cell, a value in compact exponent notation, and the most negative value.
    const cells: [number, number][] = [[1, 1]];
    const exponent = raw[1]!.findIndex((c, j) => j > 0 && c.includes('e+'));
    cells.push([1, exponent]);
    let min: [number, number, number] = [0, 0, Number.POSITIVE_INFINITY];
    raw.slice(1).forEach((row, i) => {
      row.forEach((c, j) => {
        if (j > 0 && Number(c) < min[2]) min = [i + 1, j, Number(c)];
      });
    });
    expect(min[2]).toBeCloseTo(-0.493, 3);
    cells.push([min[0], min[1]]);
    for (const [r, c] of cells) {
      const [sample] = await query<{ id: number }>(url, `SELECT id FROM "Sample" WHERE barcode = $1`, [
        raw[r]![0],
      ]);
      const profile = await readProfile(pool, sample!.id, 'RSEM');
      expect(profile!.genes).toHaveLength(100);
      const gene = profile!.genes[c - 1]!;
      expect(ncbi.get(header[c]!)).toContain(gene);
      expect(profile!.values[c - 1]).toBe(Math.fround(Number(raw[r]![c])));
    }
    const [negative] = await query<{ n: string }>(
      url,
      `SELECT count(*) AS n FROM "Import" WHERE kind = 'TABLE' AND status = 'SUCCEEDED' AND "geneCount" = 100`,
    );
    expect(Number(negative!.n)).toBe(1);
  });

  it('is model input as log2(x + 1) of the RSEM values (negative values as 0), having no raw counts', async () => {
    const raw = readTsv(EXPRESSION);
    let at: [number, number] = [0, 0];
    raw.slice(1).forEach((row, i) => {
      row.forEach((c, j) => {
        if (j > 0 && Number(c) < 0 && at[0] === 0) at = [i + 1, j];
      });
    });
    const [sample] = await query<{ id: number }>(url, `SELECT id FROM "Sample" WHERE barcode = $1`, [
      raw[at[0]]![0],
    ]);
    const stored = await readProfile(pool, sample!.id, 'RSEM');
    const genes = [...stored!.genes].reverse();
    const stats = {
      genes,
      mean: new Float32Array(100),
      sd: new Float32Array(100).fill(1),
      levels: 16,
      zRange: 3,
    };
    const [profile] = await sampleProfiles(pool, stats, [sample!.id], 'table-test');
    expect(profile!.genes).toEqual(genes);
    // Given to the model as RSEM (z-scored with its RSEM statistics, here its only ones: mean 0, sd 1).
    expect(profile!.unit).toBe('rsem');
    const z = profileToZ(stats, profile!.genes, profile!.values, profile!.unit).z;
    for (const [v, gene] of genes.entries()) {
      const value = stored!.values[stored!.genes.indexOf(gene)]!;
      expect(z[v]).toBeCloseTo(Math.log2(Math.max(value, 0) + 1), 5);
    }
    expect(z[genes.indexOf(stored!.genes[at[1] - 1]!)]).toBe(0);
    expect(
      modelInput(stats, Float32Array.from(stored!.values), 'LOG2_OTHER', new Int32Array(100)),
    ).toBeNull();
  });

  it("joins the pan-cancer survival table on the sidecar's patients (590 with OS, one of them negative)", async () => {
    const table = path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz');
    const result = await runCli(['ingest', 'clinical', table, '--json'], { DATABASE_URL: url });
    expect(result.code, result.stderr).toBe(0);
    const [row] = await query<{ usable: string }>(
      url,
      `SELECT count(*) FILTER (WHERE p."osDays" IS NOT NULL AND p."osEvent" IS NOT NULL) AS usable
       FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE p."cancerType" IS NOT NULL AND s.barcode LIKE 'TCGA-%'`,
    );
    // The README's 590 with usable OS include TCGA-TQ-A7RS, whose negative time is read as missing.
    const os = new Map(readTsv(table).map((r) => [r[0]!, r]));
    const withOs = readTsv(SIDECAR)
      .slice(1)
      .map((r) => os.get(r[1]!))
      .filter((r) => r !== undefined && r[5] !== 'NA' && r[6] !== 'NA');
    expect(withOs).toHaveLength(590);
    expect(withOs.filter((r) => Number(r![5]) < 0).map((r) => r![0])).toEqual(['TCGA-TQ-A7RS']);
    expect(Number(row!.usable)).toBe(589);
  });

  it('changes nothing when run again', async () => {
    const before = await fingerprint(url);
    const result = await runCli(['ingest', 'table', EXPRESSION, '--unit', 'RSEM', '--json'], {
      DATABASE_URL: url,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).imports[0].unchanged).toBe(true);
    expect(await fingerprint(url)).toEqual(before);
  });
});

describe('a patients-as-rows table with HGNC symbols and survival columns first', () => {
  const GENES = ['TP53', 'EGFR', 'MYC', 'GAPDH', 'HER2', 'FAM46C', 'CAP'];
  const PATIENTS = ['PT-0001', 'PT-0002', 'PT-0003', 'PT-0004'];
  let file: string;

  beforeAll(() => {
    const lines = [['patient_id', 'OS.time', 'OS', 'age', 'cancer_type', ...GENES].join('\t')];
    PATIENTS.forEach((p, i) => {
      const survival = [String(100 * (i + 1)), String(i % 2), String(40 + i), 'LUAD'];
      lines.push([p, ...survival, ...GENES.map((_, g) => String(10 * (g + 1) + i))].join('\t'));
    });
    file = path.join(tmp, 'cohort_symbols.tsv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
  });

  it('is not a counts matrix: ingest counts points at ingest table', async () => {
    const result = await runCli(['ingest', 'counts', file], { DATABASE_URL: url });
    expect(result.code).not.toBe(0);
    expect(errorLines(result.stderr)[0]).toMatch(/4 columns named as genes.*`gexbert ingest table <file>`/);
  });

  it('loads: survival and attributes to the clinical store, symbols and aliases to genes', async () => {
    const result = await runCli(['ingest', 'table', file, '--json'], { DATABASE_URL: url });
    expect(result.code, result.stderr).toBe(0);
    const [imported] = JSON.parse(result.stdout).imports;
    expect(imported).toMatchObject({ written: 4, genes: 6, unmapped: 1 });
    expect(imported.table).toMatchObject({
      orientation: 'samples-as-rows',
      orientationFrom: 'detected',
      unit: 'RAW_COUNT',
      unitDetected: true,
      attributeColumns: ['OS.time', 'OS', 'age', 'cancer_type'],
      attributesFrom: 'names',
      sidecar: null,
      unmappedIds: ['CAP'],
      cancerTypes: { LUAD: 4 },
      clinicalPatients: 4,
    });
    expect(imported.warnings.join('\n')).toMatch(/NCBI aliases of several genes.*column 12: CAP \(6 genes\)/);
    expect(imported.warnings.join('\n')).toMatch(/column 10: HER2 -> ERBB2, column 11: FAM46C -> TENT5C/);
    const patients = await query<{
      barcode: string;
      osDays: number;
      osEvent: number;
      cancerType: string;
      age: string;
    }>(
      url,
      `SELECT barcode, "osDays", "osEvent", "cancerType", clinical->>'age' AS age FROM "Patient"
       WHERE barcode LIKE 'PT-%' ORDER BY barcode`,
    );
    expect(patients).toEqual(
      PATIENTS.map((barcode, i) => ({
        barcode,
        osDays: 100 * (i + 1),
        osEvent: i % 2,
        cancerType: 'LUAD',
        age: String(40 + i),
      })),
    );
    const [sample] = await query<{ id: number }>(url, `SELECT id FROM "Sample" WHERE barcode = 'PT-0003'`);
    const profile = await readProfile(pool, sample!.id, 'RAW_COUNT');
    const [erbb2] = await query<{ id: string }>(
      url,
      `SELECT "ensemblId" AS id FROM "Gene" WHERE symbol = 'ERBB2'`,
    );
    expect(profile!.values[profile!.genes.indexOf(erbb2!.id)]).toBe(52);
  });
});

describe('tables it refuses', () => {
  it('an ambiguous table: Entrez IDs on both axes', async () => {
    const file = path.join(tmp, 'ambiguous.tsv');
    fs.writeFileSync(file, 'gene\t7157\t1956\t4609\n672\t1\t2\t3\n7157\t4\t5\t6\n1956\t7\t8\t9\n');
    await expectRefused(
      [file],
      `${file}:2`,
      /both the header .* and the first column .*--samples-as-rows .*--genes-as-rows/,
    );
  });

  it('an unknown orientation: no gene identifiers on either axis', async () => {
    const file = path.join(tmp, 'unknown.tsv');
    fs.writeFileSync(file, 'id\tfoo\tbar\tbaz\nx1\t1\t2\t3\nx2\t4\t5\t6\n');
    await expectRefused(
      [file],
      `${file}:1`,
      /neither the header .* nor the first column .* holds gene identifiers .*--samples-as-rows or --genes-as-rows/,
    );
  });

  it('a text column that is neither genes nor a known attribute: names the --attribute-columns fix', async () => {
    const file = path.join(tmp, 'text_column.tsv');
    fs.writeFileSync(
      file,
      'sample\tOS.time\tOS\tclinic\tTP53\tEGFR\tMYC\nTCGA-AA-0001-01\t10\t1\tnorth\t1\t2\t3\nTCGA-AA-0002-01\t20\t0\tsouth\t4\t5\t6\n',
    );
    await expectRefused([file], `${file}:2:4`, /--attribute-columns OS\.time,OS,clinic/);
    const result = await runCli(
      ['ingest', 'table', file, '--attribute-columns', 'OS.time,OS,clinic', '--json'],
      { DATABASE_URL: url },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).imports[0].table.attributesFrom).toBe('forced');
  });
});
