import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffFile, sniffFormat } from '../../src/formats/detect.ts';
import { COUNTS, matrixText, sharedFile, TempDir } from './support.ts';

const tmp = new TempDir();
beforeAll(() => tmp.create());
afterAll(() => tmp.remove());

describe('sniffFormat', () => {
  it('recognises the real files', async () => {
    expect(await sniffFormat(sharedFile('tcga', 'counts', 'TCGA_ACC_Counts.exp.gz'))).toBe('counts');
    expect(await sniffFormat(sharedFile('tcga', 'stad_immune', 'stad_tme_log2.tsv.gz'))).toBe('xena');
    expect(await sniffFormat(sharedFile('tcga', 'clinical', 'tcga_pancan_os.tsv.gz'))).toBe('clinical');
    expect(await sniffFormat(sharedFile('tcga', 'stad_immune', 'stad_clinical.tsv.gz'))).toBe('clinical');
  });

  it('recognises GDC STAR files and sample sheets', async () => {
    const star = await tmp.write(
      'star.tsv',
      '# gene-model: GENCODE v36\ngene_id\tgene_name\tgene_type\tunstranded\nN_unmapped\t\t\t5\nENSG00000141510.18\tTP53\tprotein_coding\t5\n',
    );
    expect(await sniffFormat(star)).toBe('gdc-star');
    const sheet = await tmp.write(
      'sheet.tsv',
      'File ID\tFile Name\tProject ID\tSample ID\na\tb\tTCGA-ACC\tTCGA-OR-A5J1-01A\n',
    );
    expect(await sniffFormat(sheet)).toBe('gdc-sample-sheet');
  });

  it('tells counts from a Xena-style matrix by its values', async () => {
    expect(await sniffFormat(await tmp.write('c.tsv', matrixText()))).toBe('counts');
    const xena = matrixText({
      corner: 'sample',
      values: COUNTS.map((r) => r.map((v) => Math.log2(v + 1).toFixed(3))),
    });
    expect(await sniffFormat(await tmp.write('x.tsv', xena))).toBe('xena');
    // One odd cell does not make a counts file a Xena matrix.
    const values: (string | number)[][] = COUNTS.map((r) => [...r]);
    values[0]![0] = '1.5';
    const typo = matrixText({ values });
    expect(await sniffFormat(await tmp.write('typo.tsv', typo))).toBe('counts');
  });

  it('unknown for empty, unreadable and odd files, with a reason', async () => {
    expect(await sniffFormat(await tmp.write('e.tsv', ''))).toBe('unknown');
    expect(await sniffFormat(tmp.path('missing.tsv'))).toBe('unknown');
    expect(await sniffFile(await tmp.write('words.tsv', 'a\tb\nx\ty\n'))).toEqual({
      format: 'unknown',
      reason: 'its values are not numeric',
    });
  });
});
