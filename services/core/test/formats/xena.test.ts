import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXenaMatrix } from '../../src/formats/xena.ts';
import { BARCODES, COUNTS, expectInputError, GENES, matrixText, sharedFile, TempDir } from './support.ts';

const tmp = new TempDir();
beforeAll(() => tmp.create());
afterAll(() => tmp.remove());

const LOG2 = COUNTS.map((r) => r.map((v) => Math.log2(v + 1).toFixed(6)));

describe('parseXenaMatrix', () => {
  it('reads the real STAD immune matrix (235 HGNC symbols x 375 samples, log2)', async () => {
    const file = sharedFile('tcga', 'stad_immune', 'stad_tme_log2.tsv.gz');
    const m = await parseXenaMatrix(file);
    expect(m.unit).toBe('LOG2_COUNT_PLUS1');
    expect(m.samples.length).toBe(375);
    expect(m.samples[0]).toMatchObject({
      column: 2,
      aliquotBarcode: 'TCGA-3M-AB46-01A',
      sampleBarcode: 'TCGA-3M-AB46-01',
      patientBarcode: 'TCGA-3M-AB46',
      sampleTypeCode: '01',
    });
    // Nine symbols were renamed by HGNC before GENCODE v36 (CTGF -> CCN2, H2AFX -> H2AX, ...): dropped, listed.
    expect(m.genes.length + m.unmapped.length).toBe(235);
    expect(m.unmapped.sort()).toEqual(
      [
        'CTGF',
        'FAM101B',
        'H2AFX',
        'HIST1H2AG',
        'HIST1H2AI',
        'HIST1H2BL',
        'HIST2H2BF',
        'MRE11A',
        'SHFM1',
      ].sort(),
    );
    expect(m.genes.every((g) => /^ENSG\d{11}$/.test(g.ensemblId) && g.symbol !== null)).toBe(true);
    // Independent read: every kept value equals the file's (as float32).
    const lines = execFileSync('zcat', [file], { encoding: 'utf8', maxBuffer: 1 << 28 })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));
    const bySymbol = new Map(lines.slice(1).map((r) => [r[0]!, r]));
    expect(m.samples.map((s) => s.aliquotBarcode)).toEqual(lines[0]!.slice(1));
    let checked = 0;
    m.genes.forEach((g, i) => {
      const row = bySymbol.get(g.symbol!)!;
      for (let s = 0; s < m.samples.length; s += 37) {
        expect(m.rows[i]![s]).toBe(Math.fround(Number(row[s + 1])));
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(2000);
  });

  it('reads NA and empty cells as NaN, in float32 rows', async () => {
    const values = LOG2.map((r) => [...r]);
    values[0]![1] = 'NA';
    values[3]![2] = '';
    const file = await tmp.write('xena.tsv.gz', matrixText({ corner: 'Ensembl_ID', values }), { gzip: true });
    const m = await parseXenaMatrix(file);
    expect(m.rows[0]).toBeInstanceOf(Float32Array);
    expect(Number.isNaN(m.rows[0]![1])).toBe(true);
    expect(Number.isNaN(m.rows[3]![2])).toBe(true);
    expect(m.rows[2]![0]).toBe(Math.fround(Number(LOG2[2]![0])));
    expect(m.samples.map((s) => s.aliquotBarcode)).toEqual(BARCODES);
  });

  it('versioned IDs, symbols and CSV give the same values', async () => {
    const a = await parseXenaMatrix(await tmp.write('a.tsv', matrixText({ values: LOG2 })));
    const b = await parseXenaMatrix(
      await tmp.write('b.csv', matrixText({ delimiter: ',', ids: GENES.map((g) => g[2]), values: LOG2 })),
    );
    const c = await parseXenaMatrix(
      await tmp.write('c.tsv', matrixText({ ids: GENES.map(([id, v]) => `${id}.${v}`), values: LOG2 })),
    );
    for (const m of [b, c]) {
      expect(m.genes.map((g) => g.ensemblId)).toEqual(a.genes.map((g) => g.ensemblId));
      expect(m.rows.map((r) => Array.from(r))).toEqual(a.rows.map((r) => Array.from(r)));
    }
  });

  it('negative values: refused for log2(x+1), accepted as LOG2_OTHER', async () => {
    const values = LOG2.map((r) => [...r]);
    values[1]![0] = '-9.9658';
    const file = await tmp.write('negative.tsv', matrixText({ corner: 'sample', values }));
    await expectInputError(parseXenaMatrix(file), {
      file,
      line: 3,
      column: 2,
      problem: /-9\.9658 .* is negative, which LOG2_COUNT_PLUS1 values cannot be/,
      fix: /--unit LOG2_OTHER/,
    });
    const m = await parseXenaMatrix(file, { unit: 'LOG2_OTHER' });
    expect(m.rows[1]![0]).toBeCloseTo(-9.9658, 4);
  });

  it('raw counts given to ingest xena: says to use ingest counts', async () => {
    const file = await tmp.write('counts-as-xena.tsv', matrixText());
    await expectInputError(parseXenaMatrix(file), {
      file,
      line: 2,
      column: 2,
      problem: /far too large for log2-scale data/,
      fix: /gexbert ingest counts <file>/,
    });
  });

  it('non-numeric value', async () => {
    const values = LOG2.map((r) => [...r]);
    values[4]![2] = 'high';
    const file = await tmp.write('text.tsv', matrixText({ values }));
    await expectInputError(parseXenaMatrix(file), {
      file,
      line: 6,
      column: 4,
      problem:
        /'high' for sample TCGA-OU-A5PI-11A-12R-A29S-07 \(column 4\), gene 'ENSG00000136997' is not a number/,
      fix: /write missing values as NA/,
    });
  });

  it('decimal commas', async () => {
    const values = LOG2.map((r) => [...r]);
    values[0]![0] = '3,25';
    const file = await tmp.write('comma.tsv', matrixText({ values }));
    await expectInputError(parseXenaMatrix(file), {
      file,
      line: 2,
      column: 2,
      fix: /with a dot, not a comma/,
    });
  });

  it('a clinical table given to ingest xena', async () => {
    const file = await tmp.write(
      'xena-clinical.tsv',
      'sample\t_PATIENT\tOS\tOS.time\nTCGA-OR-A5J1-01\tTCGA-OR-A5J1\t1\t1355\n',
    );
    await expectInputError(parseXenaMatrix(file), { file, line: 1, fix: /gexbert ingest clinical/ });
  });
});
