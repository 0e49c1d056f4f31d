// The other ingest formats end to end through the CLI into a real database: UCSC Xena (real stomach
// cohort), a clinical table in months (real), and GDC STAR files with their sample sheet.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, query } from '../../services/core/test-support/database.ts';
import { sharedDir } from '../../services/core/test-support/shared.ts';
import { runCli } from '../support/cli.ts';

const STAD = path.join(sharedDir(), 'data/tcga/stad_immune');
let url: string;

function gunzipLines(file: string): string[][] {
  return zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
}

beforeAll(async () => {
  url = await createTestDatabase('formats');
});

describe('Xena and clinical (real stomach cohort)', () => {
  it('stores the log2 matrix, missing values as missing', async () => {
    const file = path.join(STAD, 'stad_tme_log2.tsv.gz');
    const result = await runCli(['ingest', 'xena', file, '--cohort', 'STAD', '--json'], {
      DATABASE_URL: url,
    });
    expect(result.code, result.stderr).toBe(0);
    const [imported] = JSON.parse(result.stdout).imports;
    expect(imported.written).toBe(375);
    const raw = gunzipLines(file);
    expect(imported.genes + imported.unmapped).toBe(raw.length - 1);
    const [row] = await query<{ unit: string; n: string }>(
      url,
      `SELECT unit, count(*) AS n FROM "ExpressionProfile" GROUP BY unit`,
    );
    expect(row).toEqual({ unit: 'LOG2_COUNT_PLUS1', n: '375' });
    // B2M in the first sample, against an independent read of the file (stored as float32).
    const { readProfile } = await import('../../services/core/src/expression/store.ts');
    const pg = await import('pg');
    const pool = new pg.default.Pool({ connectionString: url });
    const [sample] = await query<{ id: number }>(url, `SELECT id FROM "Sample" WHERE barcode = $1`, [
      raw[0]![1]!.slice(0, 15),
    ]);
    const profile = await readProfile(pool, sample!.id, 'LOG2_COUNT_PLUS1');
    await pool.end();
    const [b2m] = await query<{ ensemblId: string }>(
      url,
      `SELECT "ensemblId" FROM "Gene" WHERE symbol = 'B2M'`,
    );
    const at = profile!.genes.indexOf(b2m!.ensemblId);
    expect(profile!.values[at]).toBe(Math.fround(Number(raw.find((r) => r[0] === 'B2M')![1])));
  });

  it('keeps NA and blank cells as missing values', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-xena-')), 'missing.tsv');
    fs.writeFileSync(
      file,
      'sample\tTCGA-XN-0001-01\tTCGA-XN-0002-01\nTP53\t1.5\tNA\nEGFR\t\t2.25\nB2M\t3\t4\n',
    );
    const result = await runCli(['ingest', 'xena', file, '--unit', 'LOG2_TPM_PLUS1'], { DATABASE_URL: url });
    expect(result.code, result.stderr).toBe(0);
    // without --cohort, the report says the samples are in no cohort and how to make one
    expect(result.stdout).toMatch(/note: the 2 stored samples are in no cohort, .* --cohort NAME/);
    const { readProfile } = await import('../../services/core/src/expression/store.ts');
    const pg = await import('pg');
    const pool = new pg.default.Pool({ connectionString: url });
    const values: Record<string, number[]> = {};
    for (const barcode of ['TCGA-XN-0001-01', 'TCGA-XN-0002-01']) {
      const [sample] = await query<{ id: number }>(url, `SELECT id FROM "Sample" WHERE barcode = $1`, [
        barcode,
      ]);
      const profile = await readProfile(pool, sample!.id, 'LOG2_TPM_PLUS1');
      values[barcode] = [...profile!.values];
    }
    await pool.end();
    expect(values).toEqual({
      'TCGA-XN-0001-01': [1.5, Number.NaN, 3],
      'TCGA-XN-0002-01': [Number.NaN, 2.25, 4],
    });
  });

  it('converts survival in months to days', async () => {
    const file = path.join(STAD, 'stad_clinical.tsv.gz');
    const result = await runCli(['ingest', 'clinical', file, '--time-unit', 'months', '--json'], {
      DATABASE_URL: url,
    });
    expect(result.code, result.stderr).toBe(0);
    const raw = gunzipLines(file);
    const header = raw[0]!;
    const first = raw[1]!;
    const [patient] = await query<{ osDays: number; osEvent: number; osSourceUnit: string }>(
      url,
      `SELECT "osDays", "osEvent", "osSourceUnit" FROM "Patient" WHERE barcode = $1`,
      [first[0]],
    );
    expect(patient!.osDays).toBeCloseTo(Number(first[header.indexOf('time')]) * 30.4375, 9);
    expect(patient!.osEvent).toBe(Number(first[header.indexOf('OS_status')]));
    expect(patient!.osSourceUnit).toBe('months');
    const json = JSON.parse(result.stdout);
    expect(json.matched).toBeGreaterThan(300);
  });
});

describe('GDC STAR gene counts', () => {
  const HEADER = [
    'gene_id',
    'gene_name',
    'gene_type',
    'unstranded',
    'stranded_first',
    'stranded_second',
    'tpm_unstranded',
    'fpkm_unstranded',
    'fpkm_uq_unstranded',
  ];
  const GENES = [
    ['ENSG00000141510.17', 'TP53'],
    ['ENSG00000012048.23', 'BRCA1'],
    ['ENSG00000146648.18', 'EGFR'],
  ];
  const SAMPLES = ['TCGA-OR-A5J1-01A', 'TCGA-OR-A5J2-01A', 'TCGA-OR-A5J2-11A'];

  it('stores raw counts, TPM, FPKM and FPKM-UQ per sample, tumour and normal', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-gdc-'));
    const sheet = [
      'File ID\tFile Name\tData Category\tData Type\tProject ID\tCase ID\tSample ID\tSample Type',
    ];
    SAMPLES.forEach((sample, s) => {
      const fileId = `${s}0000000-0000-0000-0000-000000000000`;
      const name = `${s}.rna_seq.augmented_star_gene_counts.tsv`;
      fs.mkdirSync(path.join(dir, fileId));
      const lines = ['# gene-model: GENCODE v36', HEADER.join('\t')];
      for (const n of ['N_unmapped', 'N_multimapping', 'N_noFeature', 'N_ambiguous'])
        lines.push(`${n}\t\t\t9\t9\t9\t\t\t`);
      GENES.forEach(([id, symbol], g) => {
        const count = 10 * (g + 1) + s;
        lines.push(
          [id, symbol, 'protein_coding', count, count, 0, count / 4, count / 8, count / 2].join('\t'),
        );
      });
      fs.writeFileSync(path.join(dir, fileId, name), `${lines.join('\n')}\n`);
      const type = sample.endsWith('11A') ? 'Solid Tissue Normal' : 'Primary Tumor';
      sheet.push(
        [
          fileId,
          name,
          'Transcriptome Profiling',
          'Gene Expression Quantification',
          'TCGA-ACC',
          sample.slice(0, 12),
          sample,
          type,
        ].join('\t'),
      );
    });
    const sheetFile = path.join(dir, 'gdc_sample_sheet.tsv');
    fs.writeFileSync(sheetFile, `${sheet.join('\n')}\n`);
    const result = await runCli(['ingest', 'gdc', dir, '--sample-sheet', sheetFile, '--json'], {
      DATABASE_URL: url,
    });
    expect(result.code, result.stderr).toBe(0);
    const units = await query<{ unit: string; n: string }>(
      url,
      `SELECT p.unit, count(*) AS n FROM "ExpressionProfile" p JOIN "Sample" s ON s.id = p."sampleId"
       WHERE s.barcode LIKE 'TCGA-OR-%' GROUP BY 1 ORDER BY p.unit::text`,
    );
    expect(units).toEqual(['FPKM', 'FPKM_UQ', 'RAW_COUNT', 'TPM'].map((unit) => ({ unit, n: '3' })));
    const samples = await query<{ barcode: string; sampleType: string; projectId: string }>(
      url,
      `SELECT s.barcode, s."sampleType", p."projectId" FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId"
       WHERE s.barcode LIKE 'TCGA-OR-%' ORDER BY 1`,
    );
    expect(samples.map((s) => [s.barcode.slice(0, 15), s.sampleType, s.projectId])).toEqual([
      ['TCGA-OR-A5J1-01', 'TUMOR', 'TCGA-ACC'],
      ['TCGA-OR-A5J2-01', 'TUMOR', 'TCGA-ACC'],
      ['TCGA-OR-A5J2-11', 'NORMAL', 'TCGA-ACC'],
    ]);
    const again = await runCli(['ingest', 'gdc', dir, '--sample-sheet', sheetFile, '--json'], {
      DATABASE_URL: url,
    });
    expect(JSON.parse(again.stdout).imports[0].unchanged).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});
