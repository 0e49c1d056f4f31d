// Every kind of bad input, through the real `gexbert ingest` command against a real database: one error
// line naming file, line (and column) and the fix, a non-zero exit, the data exactly as before (no sample,
// expression value, patient or cohort written) and the attempt recorded as ONE FAILED import carrying
// that same error. Then the same bad files uploaded through the GraphQL API by a curator: the same
// refusal as BAD_USER_INPUT, nothing written, one FAILED import each.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createToken } from '@gexbert/core/auth/tokens';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../../services/api/src/server.ts';
import { createPrisma } from '../../services/core/src/db/prisma.ts';
import { geneReference } from '../../services/core/src/gene/reference.ts';
import { createTestDatabase, fingerprint, query } from '../../services/core/test-support/database.ts';
import { errorLines, runCli } from '../support/cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-bad-'));
let url: string;

/** Real protein-coding genes from the shipped GENCODE v36 table: [ensemblId, symbol]. */
const GENES = [...geneReference().all()]
  .filter((gene) => gene.geneType === 'protein_coding')
  .slice(0, 40)
  .map((gene) => [gene.ensemblId, gene.symbol!] as const);

const BARCODES = [
  'TCGA-AA-0001-01A-11R-A000-07',
  'TCGA-AA-0002-01A-11R-A000-07',
  'TCGA-AA-0003-11A-11R-A000-07',
];

/** A counts matrix as text: header of barcodes, one row per gene, counts from `value(g, s)`. */
function matrix(
  options: {
    genes?: readonly string[];
    barcodes?: readonly string[];
    sep?: string;
    value?: (g: number, s: number) => string;
  } = {},
): string {
  const genes = options.genes ?? GENES.map(([id]) => id);
  const barcodes = options.barcodes ?? BARCODES;
  const sep = options.sep ?? '\t';
  const value = options.value ?? ((g, s) => String((g * 7 + s * 3) % 50));
  const lines = [['', ...barcodes].join(sep)];
  for (const [g, gene] of genes.entries())
    lines.push([gene, ...barcodes.map((_, s) => value(g, s))].join(sep));
  return `${lines.join('\n')}\n`;
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

interface ImportRecord {
  id: number;
  kind: string;
  status: string;
  fileName: string;
  error: string | null;
  sampleCount: number;
}

/** Every table's digest except the import history's, and the import history itself. */
async function snapshot(): Promise<{ data: Record<string, string>; imports: ImportRecord[] }> {
  const { Import: _history, ...data } = await fingerprint(url);
  const imports = await query<ImportRecord>(
    url,
    `SELECT id, kind, status, "fileName", error, "sampleCount" FROM "Import" ORDER BY id`,
  );
  return { data, imports };
}

/** Runs a command that must fail: one error line, non-zero exit, data unchanged, one FAILED import. */
async function expectFailure(args: string[], kind: string): Promise<{ error: string; record: ImportRecord }> {
  const before = await snapshot();
  const result = await runCli(args, { DATABASE_URL: url });
  const errors = errorLines(result.stderr);
  expect(result.code, result.stderr).not.toBe(0);
  expect(errors, result.stderr).toHaveLength(1);
  const after = await snapshot();
  expect(after.data).toEqual(before.data);
  expect(after.imports.slice(0, before.imports.length)).toEqual(before.imports);
  const added = after.imports.slice(before.imports.length);
  expect(added).toHaveLength(1);
  const record = added[0]!;
  expect(record).toMatchObject({ kind, status: 'FAILED', sampleCount: 0 });
  expect(`error: ${record.error}`).toBe(errors[0]);
  const linked = await query<{ n: number }>(
    url,
    `SELECT (SELECT count(*) FROM "Sample" WHERE "importId" = $1) + (SELECT count(*) FROM "ExpressionBlock"
       WHERE "importId" = $1) + (SELECT count(*) FROM "Patient" WHERE "clinicalImportId" = $1) AS n`,
    [record.id],
  );
  expect(Number(linked[0]!.n)).toBe(0);
  return { error: errors[0]!, record };
}

/** The bad counts files the CLI refused, with where; uploaded again below. */
const rejectedFiles: { file: string; where: { line: number; column?: number } }[] = [];

async function expectRejected(
  args: string[],
  file: string,
  where: { line: number; column?: number },
  fix: RegExp,
) {
  const { error, record } = await expectFailure(args, 'COUNTS');
  rejectedFiles.push({ file, where });
  const location = `${file}:${where.line}${where.column === undefined ? '' : `:${where.column}`}`;
  expect(error).toContain(location);
  expect(error).toMatch(fix);
  expect(record.fileName).toBe(path.basename(file));
}

beforeAll(async () => {
  url = await createTestDatabase('bad');
  // Something already stored, so "exactly as before" means more than "empty".
  const good = write('TCGA_GOOD_Counts.tsv', matrix());
  const result = await runCli(['ingest', 'counts', good, '--cohort', 'good'], { DATABASE_URL: url });
  expect(result.code, result.stderr).toBe(0);
});

describe('gexbert ingest counts rejects bad input', () => {
  it('a path that does not exist (recorded without a checksum)', async () => {
    const file = path.join(dir, 'TCGA_X_missing.tsv');
    const { error, record } = await expectFailure(['ingest', 'counts', file], 'COUNTS');
    expect(error).toContain(`${file}: no such file or directory`);
    const [row] = await query<{ checksum: string }>(url, `SELECT checksum FROM "Import" WHERE id = $1`, [
      record.id,
    ]);
    expect(row!.checksum).toBe('');
  });

  it('an empty file', async () => {
    const file = write('TCGA_X_empty.tsv', '');
    await expectRejected(['ingest', 'counts', file], file, { line: 1 }, /empty/i);
  });

  it('a truncated gzip', async () => {
    const whole = zlib.gzipSync(matrix({ barcodes: ['TCGA-AA-0009-01A'] }));
    const file = write('TCGA_X_truncated.tsv.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const { error } = await expectFailure(['ingest', 'counts', file], 'COUNTS');
    expect(error).toMatch(new RegExp(`${file}:\\d+.*(truncated|corrupt|ends)`, 'i'));
  });

  it('the wrong delimiter', async () => {
    const file = write('TCGA_X_semicolon.tsv', matrix({ sep: ';' }));
    await expectRejected(['ingest', 'counts', file], file, { line: 1 }, /delimit|separat/i);
  });

  it('a ragged row', async () => {
    const lines = matrix().split('\n');
    lines[5] = lines[5]!.split('\t').slice(0, 3).join('\t');
    const file = write('TCGA_X_ragged.tsv', lines.join('\n'));
    await expectRejected(['ingest', 'counts', file], file, { line: 6 }, /cells|columns|fields/i);
  });

  it('a non-numeric value', async () => {
    const file = write('TCGA_X_text.tsv', matrix({ value: (g, s) => (g === 3 && s === 1 ? 'abc' : '5') }));
    await expectRejected(['ingest', 'counts', file], file, { line: 5, column: 3 }, /abc/);
  });

  it('a negative count', async () => {
    const file = write('TCGA_X_negative.tsv', matrix({ value: (g, s) => (g === 2 && s === 0 ? '-4' : '5') }));
    await expectRejected(['ingest', 'counts', file], file, { line: 4, column: 2 }, /negative/i);
  });

  it('a fractional raw count', async () => {
    const file = write(
      'TCGA_X_fraction.tsv',
      matrix({ value: (g, s) => (g === 7 && s === 2 ? '2.5' : '5') }),
    );
    await expectRejected(['ingest', 'counts', file], file, { line: 9, column: 4 }, /fraction|integer|whole/i);
  });

  it('a sample barcode twice in the file', async () => {
    const barcodes = ['TCGA-AA-0011-01A-11R-A000-07', 'TCGA-AA-0011-01B-11R-A000-07'];
    const file = write('TCGA_X_dupsample.tsv', matrix({ barcodes }));
    await expectRejected(['ingest', 'counts', file], file, { line: 1, column: 3 }, /TCGA-AA-0011-01/);
  });

  it('a sample already stored under different values', async () => {
    const file = write(
      'TCGA_X_changed.tsv',
      matrix({ value: (g, s) => String(((g * 7 + s * 3) % 50) + (s === 1 ? 1 : 0)) }),
    );
    await expectRejected(['ingest', 'counts', file], file, { line: 1, column: 3 }, /already stored/i);
  });

  it('a gene row twice (versioned and unversioned)', async () => {
    const genes = GENES.map(([id]) => id);
    genes[6] = `${genes[2]}.5`;
    const file = write('TCGA_X_dupgene.tsv', matrix({ genes }));
    await expectRejected(['ingest', 'counts', file], file, { line: 8 }, new RegExp(GENES[2]![0]));
  });

  it('mostly unknown gene IDs', async () => {
    const genes = GENES.map(([id], g) => (g % 4 === 0 ? id : `NOTAGENE${g}`));
    const file = write('TCGA_X_unknown.tsv', matrix({ genes }));
    const { error } = await expectFailure(['ingest', 'counts', file], 'COUNTS');
    expect(error).toMatch(/NOTAGENE/);
    expect(error).toContain(file);
  });

  it('symbols mangled into dates by a spreadsheet', async () => {
    const genes = GENES.map(([, symbol]) => symbol);
    genes[9] = '1-Sep';
    const file = write('TCGA_X_mangled.tsv', matrix({ genes }));
    await expectRejected(['ingest', 'counts', file], file, { line: 11 }, /1-Sep/);
  });

  it('a clinical table given to ingest counts', async () => {
    const file = write('clinical_wrong.tsv', 'patient\tOS_time_days\tOS_event\nTCGA-AA-0001\t100\t1\n');
    const { error } = await expectFailure(['ingest', 'counts', file], 'COUNTS');
    expect(error).toMatch(/ingest clinical/);
  });

  it('a directory with one good and one bad file stores neither', async () => {
    const sub = path.join(dir, 'mixed');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'TCGA_A_Counts.tsv'), matrix({ barcodes: ['TCGA-AB-0001-01A'] }));
    const bad = path.join(sub, 'TCGA_B_Counts.tsv');
    fs.writeFileSync(bad, matrix({ barcodes: ['TCGA-AB-0002-01A'], value: (g) => (g === 1 ? 'x' : '1') }));
    await expectRejected(['ingest', 'counts', sub], bad, { line: 3, column: 2 }, /x/);
  });
});

describe('gexbert ingest clinical', () => {
  it('rejects a counts matrix, naming the right command', async () => {
    const file = write('TCGA_Y_Counts.tsv', matrix());
    const { error, record } = await expectFailure(['ingest', 'clinical', file], 'CLINICAL');
    expect(error).toMatch(/ingest counts/);
    expect(record.fileName).toBe('TCGA_Y_Counts.tsv');
  });

  it('reports rows for unknown patients without failing or creating them', async () => {
    const file = write(
      'os.tsv',
      'patient\tcancer_type\tvital_status\tdays_to_death\tdays_to_last_followup\tOS_time_days\tOS_event\n' +
        'TCGA-AA-0001\tGOOD\tDead\t100\tNA\t100\t1\nTCGA-ZZ-9999\tGOOD\tAlive\tNA\t50\t50\t0\n',
    );
    const result = await runCli(['ingest', 'clinical', file, '--json'], { DATABASE_URL: url });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.matched).toBe(1);
    expect(json.unknownPatients).toEqual(['TCGA-ZZ-9999']);
    expect(result.stdout).toContain('line 3');
    const patients = await query<{ barcode: string; osDays: number; osEvent: number }>(
      url,
      `SELECT barcode, "osDays", "osEvent" FROM "Patient" ORDER BY barcode`,
    );
    expect(patients.map((p) => p.barcode)).toEqual(['TCGA-AA-0001', 'TCGA-AA-0002', 'TCGA-AA-0003']);
    expect(patients[0]).toMatchObject({ osDays: 100, osEvent: 1 });
  });
});

describe('the same bad files uploaded through the GraphQL API', () => {
  let api: RunningApi;
  let pool: pg.Pool;
  let prisma: ReturnType<typeof createPrisma>;
  let curator: string;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: url, max: 4 });
    prisma = createPrisma(url);
    api = await startApi({ pool, prisma, port: 0, env: {} });
    curator = (await createToken(prisma, 'bad files curator', 'CURATOR')).token;
  });
  afterAll(async () => {
    await api?.stop();
    await prisma?.$disconnect();
    await pool?.end();
  });

  it('refuses each as BAD_USER_INPUT naming the file and line; nothing is written, one FAILED import each', async () => {
    expect(rejectedFiles.length).toBeGreaterThanOrEqual(8);
    for (const { file, where } of rejectedFiles) {
      const name = path.basename(file);
      const before = await snapshot();
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({
          query:
            'mutation($file: Upload!) { ingestCountsUpload(file: $file, cohort: "bad upload") { written } }',
          variables: { file: null },
        }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      form.append('0', new Blob([new Uint8Array(fs.readFileSync(file))]), name);
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${curator}`, 'apollo-require-preflight': 'true' },
        body: form,
      });
      const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
      expect(body.errors, name).toHaveLength(1);
      expect(body.errors![0]!.extensions?.code, name).toBe('BAD_USER_INPUT');
      const location = `${name}:${where.line}${where.column === undefined ? '' : `:${where.column}`}`;
      expect(body.errors![0]!.message.startsWith(location), `${name}: ${body.errors![0]!.message}`).toBe(
        true,
      );
      const after = await snapshot();
      expect(after.data, name).toEqual(before.data);
      const added = after.imports.slice(before.imports.length);
      expect(added, name).toHaveLength(1);
      expect(added[0], name).toMatchObject({
        kind: 'COUNTS',
        status: 'FAILED',
        fileName: name,
        sampleCount: 0,
      });
    }
  });
});
