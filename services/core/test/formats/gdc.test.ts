import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGdc, parseGdcSampleSheet } from '../../src/formats/gdc.ts';
import { COUNTS, expectInputError, GENES, matrixText, TempDir } from './support.ts';

const tmp = new TempDir();
beforeAll(() => tmp.create());
afterAll(() => tmp.remove());

const HEADER =
  'gene_id\tgene_name\tgene_type\tunstranded\tstranded_first\tstranded_second\ttpm_unstranded\tfpkm_unstranded\tfpkm_uq_unstranded';
const SHEET_HEADER =
  'File ID\tFile Name\tData Category\tData Type\tProject ID\tCase ID\tSample ID\tSample Type';

interface Sample {
  fileId: string;
  fileName: string;
  caseId: string;
  sampleId: string;
  sampleType: string;
}

const SAMPLES: Sample[] = [
  ['TCGA-OR-A5J1', '01A', 'Primary Tumor'],
  ['TCGA-OR-A5J2', '01A', 'Primary Tumor'],
  ['TCGA-OR-A5J3', '11A', 'Solid Tissue Normal'],
].map(([caseId, type, sampleType], s) => ({
  fileId: `0000000${s}-aaaa-bbbb-cccc-00000000000${s}`,
  fileName: `f${s}.rna_seq.augmented_star_gene_counts.tsv`,
  caseId: caseId!,
  sampleId: `${caseId}-${type}`,
  sampleType: sampleType!,
}));

const tpm = (g: number, s: number): number => (g + 1) * 1.5 + s + 0.125;

/** One STAR file: the GDC layout with its four N_ rows and a _PAR_Y row. */
function starText(s: number, edit?: (rows: string[][]) => void): string {
  const rows: string[][] = GENES.map(([id, version, symbol], g) => {
    const count = COUNTS[g]![s]!;
    const t = tpm(g, s);
    return [
      `${id}.${version}`,
      symbol,
      'protein_coding',
      `${count}`,
      `${count >> 1}`,
      `${count - (count >> 1)}`,
      `${t}`,
      `${t / 2}`,
      `${t * 3}`,
    ];
  });
  rows.push(['ENSG00000182378.14_PAR_Y', 'PLCXD1', 'protein_coding', '0', '0', '0', '0', '0', '0']);
  edit?.(rows);
  return [
    '# gene-model: GENCODE v36',
    HEADER,
    ...['N_unmapped', 'N_multimapping', 'N_noFeature', 'N_ambiguous'].map(
      (n, k) => `${n}\t\t\t${k + 10}\t${k + 10}\t${k + 10}\t\t\t`,
    ),
    ...rows.map((r) => r.join('\t')),
    '',
  ].join('\n');
}

function sheetText(samples: readonly Sample[] = SAMPLES, extra: string[] = []): string {
  return `${[
    SHEET_HEADER,
    ...samples.map((x) =>
      [
        x.fileId,
        x.fileName,
        'Transcriptome Profiling',
        'Gene Expression Quantification',
        'TCGA-ACC',
        x.caseId,
        x.sampleId,
        x.sampleType,
      ].join('\t'),
    ),
    ...extra,
  ].join('\n')}\n`;
}

let counter = 0;
/**
 * A fresh GDC download: files 0 and 1 in per-file-ID folders (as gdc-client saves them), file 2 directly in
 * the directory, plus a logs folder. Returns the directory and the sample sheet path (outside it).
 */
async function download(
  options: { star?: (s: number) => string | null; sheet?: string } = {},
): Promise<{ dir: string; sheet: string }> {
  const dir = tmp.path(`download-${++counter}`);
  await mkdir(dir, { recursive: true });
  for (const [s, x] of SAMPLES.entries()) {
    const text = options.star ? options.star(s) : starText(s);
    if (text === null) continue;
    const folder = s < 2 ? join(dir, x.fileId) : dir;
    await mkdir(join(folder, 'logs'), { recursive: true });
    await writeFile(join(folder, 'logs', `${x.fileName}.parcel`), 'log');
    await writeFile(join(folder, x.fileName), text);
  }
  const sheet = tmp.path(`gdc_sample_sheet-${counter}.tsv`);
  await writeFile(sheet, options.sheet ?? sheetText());
  return { dir, sheet };
}

describe('parseGdc', () => {
  it('reads a GDC download into four matrices (raw counts, TPM, FPKM, FPKM-UQ)', async () => {
    const { dir, sheet } = await download();
    const matrices = await parseGdc(dir, sheet);
    expect(matrices.map((m) => m.unit)).toEqual(['RAW_COUNT', 'TPM', 'FPKM', 'FPKM_UQ']);
    for (const m of matrices) {
      expect(m.file).toBe(dir);
      expect(m.cancerType).toBe('ACC');
      expect(m.genes.map((g) => [g.ensemblId, g.version, g.symbol])).toEqual(GENES.map((g) => [...g]));
      expect(
        m.samples.map((x) => [
          x.column,
          x.aliquotBarcode,
          x.sampleBarcode,
          x.patientBarcode,
          x.sampleTypeCode,
          x.projectId,
        ]),
      ).toEqual(
        SAMPLES.map((x, s) => [
          s + 1,
          x.sampleId,
          x.sampleId.slice(0, 15),
          x.caseId,
          x.sampleId.slice(13, 15),
          'TCGA-ACC',
        ]),
      );
      expect(m.samples[0]!.sourceFile).toBe(join(dir, SAMPLES[0]!.fileId, SAMPLES[0]!.fileName));
      expect(m.samples[2]!.sourceFile).toBe(join(dir, SAMPLES[2]!.fileName));
      expect(m.unmapped).toEqual([]);
      expect(m.warnings.join('\n')).toMatch(/1 _PAR_Y row/);
    }
    const [raw, tpmM, fpkm, uq] = matrices;
    expect(raw!.rows[0]).toBeInstanceOf(Uint32Array);
    expect(raw!.rows.map((r) => Array.from(r))).toEqual(COUNTS);
    expect(tpmM!.rows[0]).toBeInstanceOf(Float32Array);
    GENES.forEach((_, g) => {
      SAMPLES.forEach((_, s) => {
        expect(tpmM!.rows[g]![s]).toBe(Math.fround(tpm(g, s)));
        expect(fpkm!.rows[g]![s]).toBe(Math.fround(tpm(g, s) / 2));
        expect(uq!.rows[g]![s]).toBe(Math.fround(tpm(g, s) * 3));
      });
    });
  });

  it('reads only the units asked for', async () => {
    const { dir, sheet } = await download();
    const matrices = await parseGdc(dir, sheet, { units: ['TPM'] });
    expect(matrices.map((m) => m.unit)).toEqual(['TPM']);
  });

  it('ignores sample-sheet lines of other data types, with a warning', async () => {
    const extra = [
      'ffff\tx.maf.gz\tSimple Nucleotide Variation\tMasked Somatic Mutation\tTCGA-ACC\tTCGA-OR-A5J1\tTCGA-OR-A5J1-01A\tPrimary Tumor',
    ];
    const { dir, sheet } = await download({ sheet: sheetText(SAMPLES, extra) });
    const [m] = await parseGdc(dir, sheet);
    expect(m!.samples.length).toBe(3);
    expect(m!.warnings.join('\n')).toMatch(
      /1 line\(s\) are not Gene Expression Quantification files and were ignored \(line 5: x\.maf\.gz/,
    );
  });

  it('a file in the sample sheet is missing from the directory', async () => {
    const { dir, sheet } = await download({ star: (s) => (s === 1 ? null : starText(s)) });
    await expectInputError(parseGdc(dir, sheet), {
      file: sheet,
      line: 3,
      column: undefined,
      problem: new RegExp(
        `${SAMPLES[1]!.fileName} \\(File ID ${SAMPLES[1]!.fileId}\\) is listed in the sample sheet but is not in`,
      ),
      fix: new RegExp(`gdc-client download ${SAMPLES[1]!.fileId}.*or remove line 3 from the sample sheet`),
    });
  });

  it('a STAR file in the directory that the sample sheet does not list', async () => {
    const { dir, sheet } = await download();
    const stray = join(dir, 'stray.rna_seq.augmented_star_gene_counts.tsv');
    await writeFile(stray, starText(0));
    await expectInputError(parseGdc(dir, sheet), {
      file: stray,
      line: undefined,
      problem: /not in the sample sheet/,
      fix: /sample sheet that covers every file/,
    });
  });

  it('gene lists differ between files', async () => {
    const { dir, sheet } = await download({
      star: (s) =>
        s === 2 ? starText(s, (rows) => rows[3]!.splice(0, 1, 'ENSG00000000003.15')) : starText(s),
    });
    const file = join(dir, SAMPLES[2]!.fileName);
    await expectInputError(parseGdc(dir, sheet), {
      file,
      line: 10,
      column: 1,
      problem: new RegExp(
        `gene ENSG00000000003\\.15 here, but ENSG00000146648\\.19 at the same position in .*${SAMPLES[0]!.fileName} \\(line 10\\)`,
      ),
      fix: /every file must list the same genes/,
    });
  });

  it('a file with fewer genes than the first', async () => {
    const { dir, sheet } = await download({
      star: (s) => (s === 1 ? starText(s, (rows) => rows.splice(4)) : starText(s)),
    });
    const file = join(dir, SAMPLES[1]!.fileId, SAMPLES[1]!.fileName);
    await expectInputError(parseGdc(dir, sheet), {
      file,
      line: 10,
      problem: /this file has 4 genes but .* has 7/,
    });
  });

  it('a fractional raw count (unstranded)', async () => {
    const { dir, sheet } = await download({
      star: (s) => (s === 1 ? starText(s, (rows) => (rows[2]![3] = '17.5')) : starText(s)),
    });
    const file = join(dir, SAMPLES[1]!.fileId, SAMPLES[1]!.fileName);
    await expectInputError(parseGdc(dir, sheet), {
      file,
      line: 9,
      column: 4,
      problem:
        /value 17\.5 for sample TCGA-OR-A5J2-01A \(unstranded\) \(column 4\), gene 'ENSG00000075624\.17' is not a whole number/,
    });
  });

  it('a negative TPM', async () => {
    const { dir, sheet } = await download({
      star: (s) => (s === 0 ? starText(s, (rows) => (rows[0]![6] = '-1.5')) : starText(s)),
    });
    const file = join(dir, SAMPLES[0]!.fileId, SAMPLES[0]!.fileName);
    await expectInputError(parseGdc(dir, sheet), {
      file,
      line: 7,
      column: 7,
      problem: /-1\.5 .* is negative, which TPM values cannot be/,
    });
  });

  it('a non-numeric FPKM', async () => {
    const { dir, sheet } = await download({
      star: (s) => (s === 2 ? starText(s, (rows) => (rows[5]![7] = 'n/d')) : starText(s)),
    });
    const file = join(dir, SAMPLES[2]!.fileName);
    await expectInputError(parseGdc(dir, sheet), {
      file,
      line: 12,
      column: 8,
      problem: /'n\/d' .* is not a number/,
    });
  });

  it('a counts matrix listed in the sheet instead of a STAR file', async () => {
    const { dir, sheet } = await download({ star: (s) => (s === 1 ? matrixText() : starText(s)) });
    const file = join(dir, SAMPLES[1]!.fileId, SAMPLES[1]!.fileName);
    await expectInputError(parseGdc(dir, sheet), {
      file,
      line: 1,
      problem: /raw-counts matrix/,
      fix: /gexbert ingest counts/,
    });
  });

  it('duplicate Sample ID in the sample sheet', async () => {
    const twice = [
      SAMPLES[0]!,
      SAMPLES[1]!,
      { ...SAMPLES[2]!, sampleId: SAMPLES[0]!.sampleId, caseId: SAMPLES[0]!.caseId },
    ];
    const { dir, sheet } = await download({ sheet: sheetText(twice) });
    await expectInputError(parseGdc(dir, sheet), {
      file: sheet,
      line: 4,
      column: 7,
      problem: /Sample ID TCGA-OR-A5J1-01A appears twice: lines 2 and 4/,
      fix: /one expression file per sample/,
    });
  });

  it('a manifest instead of a sample sheet: lists the columns found and needed', async () => {
    const { dir } = await download();
    const manifest = await tmp.write(
      'gdc_manifest.txt',
      'id\tfilename\tmd5\tsize\tstate\nabc\tf0.tsv\t0123\t10\treleased\n',
    );
    await expectInputError(parseGdc(dir, manifest), {
      file: manifest,
      line: 1,
      problem:
        /not a GDC sample sheet: no column 'File ID', 'File Name', 'Project ID', 'Sample ID' \(found: id, filename, md5, size, state\)/,
      fix: /Sample Sheet/,
    });
  });

  it('a clinical table instead of a sample sheet', async () => {
    const { dir } = await download();
    const clinical = await tmp.write(
      'clin-as-sheet.tsv',
      'patient\tOS_time_days\tOS_event\nTCGA-OR-A5J1\t10\t1\n',
    );
    await expectInputError(parseGdc(dir, clinical), {
      file: clinical,
      line: 1,
      fix: /gexbert ingest clinical/,
    });
  });

  it('a directory that does not exist', async () => {
    const { sheet } = await download();
    const dir = tmp.path('nowhere');
    await expectInputError(parseGdc(dir, sheet), { file: dir, problem: /directory not found/ });
  });

  it('parseGdcSampleSheet keeps the rows in order', async () => {
    const { sheet, dir } = await download();
    const parsed = await parseGdcSampleSheet(sheet);
    expect(
      parsed.rows.map((r) => [r.line, r.fileId, r.sampleId, r.projectId, r.caseId, r.sampleType]),
    ).toEqual(SAMPLES.map((x, s) => [s + 2, x.fileId, x.sampleId, 'TCGA-ACC', x.caseId, x.sampleType]));
    await rm(dir, { recursive: true });
  });
});
