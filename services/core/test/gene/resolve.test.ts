import { describe, expect, it } from 'vitest';
import { detectSpreadsheetMangling, parseEnsemblId, resolveGenes } from '../../src/gene/resolve.ts';
import { expectInputError } from '../formats/support.ts';

const file = 'genes.tsv';

describe('parseEnsemblId', () => {
  it('strips versions and recognises _PAR_Y and other species', () => {
    expect(parseEnsemblId('ENSG00000141510.17')).toEqual({
      ensemblId: 'ENSG00000141510',
      version: 17,
      parY: false,
      human: true,
    });
    expect(parseEnsemblId('ENSG00000141510')).toEqual({
      ensemblId: 'ENSG00000141510',
      version: null,
      parY: false,
      human: true,
    });
    expect(parseEnsemblId('ENSG00000182378.14_PAR_Y')).toMatchObject({
      ensemblId: 'ENSG00000182378',
      parY: true,
    });
    expect(parseEnsemblId('ENSMUSG00000059552.8')).toMatchObject({
      ensemblId: 'ENSMUSG00000059552',
      human: false,
    });
    expect(parseEnsemblId('TP53')).toBeNull();
    expect(parseEnsemblId('ENSG0000014151')).toBeNull();
  });
});

describe('detectSpreadsheetMangling', () => {
  it('recognises dates and numbers a spreadsheet made of gene symbols', () => {
    expect(detectSpreadsheetMangling('1-Sep')).toEqual({
      kind: 'date',
      original: 'SEPT1',
      current: 'SEPTIN1',
    });
    expect(detectSpreadsheetMangling('Sep-01')).toEqual({
      kind: 'date',
      original: 'SEPT1',
      current: 'SEPTIN1',
    });
    expect(detectSpreadsheetMangling('2-Mar')).toEqual({
      kind: 'date',
      original: 'MARCH2',
      current: 'MARCHF2',
    });
    expect(detectSpreadsheetMangling('1-Dec')).toEqual({ kind: 'date', original: 'DEC1', current: 'DELEC1' });
    expect(detectSpreadsheetMangling('2001-03-01')).toEqual({
      kind: 'date',
      original: 'MARCH1',
      current: 'MARCHF1',
    });
    expect(detectSpreadsheetMangling('9/7/2020')).toEqual({
      kind: 'date',
      original: 'SEPT7',
      current: 'SEPTIN7',
    });
    expect(detectSpreadsheetMangling('15-Jun')).toEqual({ kind: 'date', original: null, current: null });
    expect(detectSpreadsheetMangling('1.00E+05')).toEqual({ kind: 'number', original: null, current: null });
    expect(detectSpreadsheetMangling('2.31E+13')).toEqual({ kind: 'number', original: null, current: null });
    for (const fine of [
      'TP53',
      'SEPTIN1',
      'MARCHF2',
      'C1orf112',
      'HLA-A',
      'NKX2-1',
      '7157',
      'ENSG00000141510',
      'Sep',
      'SEPT1',
    ]) {
      expect(detectSpreadsheetMangling(fine), fine).toBeNull();
    }
  });
});

describe('resolveGenes', () => {
  it('resolves versioned and unversioned IDs, symbols, legacy SYMBOL|Entrez IDs; drops _PAR_Y; keeps retired IDs', () => {
    const r = resolveGenes(
      [
        'ENSG00000141510.17',
        'GAPDH',
        'ACTB|60',
        '?|100130426',
        'ENSG00000182378.14_PAR_Y',
        'ENSG00000116883',
        'EGFR',
        'MYC',
      ],
      { file },
    );
    expect(r.genes.map((g) => g && [g.ensemblId, g.version, g.symbol])).toEqual([
      ['ENSG00000141510', 17, 'TP53'],
      ['ENSG00000111640', 15, 'GAPDH'],
      ['ENSG00000075624', 17, 'ACTB'],
      null,
      null,
      ['ENSG00000116883', null, null],
      ['ENSG00000146648', 19, 'EGFR'],
      ['ENSG00000136997', 21, 'MYC'],
    ]);
    expect(r.unmapped).toEqual(['?|100130426']);
    const warnings = r.warnings.join('\n');
    expect(warnings).toMatch(
      /genes\.tsv: 1 gene identifier\(s\) unknown to GENCODE v36 were dropped \(line 4: \?\|100130426\)/,
    );
    expect(warnings).toMatch(/1 _PAR_Y row\(s\).*line 5: ENSG00000182378\.14_PAR_Y/);
    expect(warnings).toMatch(/1 Ensembl gene ID\(s\) are not in GENCODE v36.*line 6: ENSG00000116883/);
  });

  it('ambiguous symbols: picks the one protein-coding gene, drops the truly ambiguous', () => {
    const r = resolveGenes(['RGS5', 'MATR3', 'TP53', 'GAPDH'], { file });
    expect(r.genes.map((g) => g?.ensemblId ?? null)).toEqual([
      'ENSG00000143248',
      null,
      'ENSG00000141510',
      'ENSG00000111640',
    ]);
    expect(r.unmapped).toEqual(['MATR3']);
    expect(r.warnings.join('\n')).toMatch(/1 symbol\(s\) name several GENCODE v36 genes .*line 2: MATR3/);
    expect(r.warnings.join('\n')).toMatch(/protein-coding one was used \(line 1: RGS5\)/);
  });

  it('keeps unknown IDs as given with allowUnknownGenes', () => {
    const r = resolveGenes(['SIMG00001', 'SIMG00002', 'TP53'], { file, allowUnknownGenes: true });
    expect(r.genes).toEqual([
      { ensemblId: 'SIMG00001', version: null, symbol: null, geneType: null },
      { ensemblId: 'SIMG00002', version: null, symbol: null, geneType: null },
      { ensemblId: 'ENSG00000141510', version: 18, symbol: 'TP53', geneType: 'protein_coding' },
    ]);
    expect(r.unmapped).toEqual([]);
  });

  it('a mangled symbol is an error on its line, with the probable original', async () => {
    await expectInputError(() => resolveGenes(['TP53', 'Sep-07', 'GAPDH'], { file, lines: [10, 11, 12] }), {
      file,
      line: 11,
      column: 1,
      problem: /'Sep-07' is a date/,
      fix: /Sep-07 was probably SEPTIN7 \(formerly SEPT7\)/,
    });
    await expectInputError(() => resolveGenes(['1.00E+05'], { file }), {
      file,
      line: 1,
      problem: /number in scientific notation/,
      fix: /without spreadsheet number conversion/,
    });
  });

  it('duplicates after version stripping or symbol mapping name both lines', async () => {
    await expectInputError(() => resolveGenes(['SEPTIN7', 'TP53', 'SEPT7'], { file, column: 2 }), {
      file,
      line: 3,
      column: 2,
      problem: /gene ENSG00000122545 \(SEPTIN7\) appears twice: line 1 \('SEPTIN7'\) and line 3 \('SEPT7'\)/,
    });
    await expectInputError(() => resolveGenes(['SIMX1', 'SIMX1'], { file, allowUnknownGenes: true }), {
      file,
      line: 2,
      problem: /gene SIMX1 appears twice: line 1 \('SIMX1'\) and line 2 \('SIMX1'\)/,
    });
  });

  it('more than half unknown is an error; exactly half is not', async () => {
    await expectInputError(() => resolveGenes(['X1', 'TP53', 'X2'], { file }), {
      file,
      line: 1,
      problem: /2 of 3 gene identifiers \(67%\)/,
      fix: /--allow-unknown-genes/,
    });
    await expectInputError(
      () => resolveGenes(['ENSMUSG00000059552', 'ENSMUSG00000000001', 'TP53'], { file }),
      {
        file,
        fix: /non-human Ensembl IDs/,
      },
    );
    const half = resolveGenes(['X1', 'TP53'], { file });
    expect(half.unmapped).toEqual(['X1']);
  });

  it('an empty identifier is an error', async () => {
    await expectInputError(() => resolveGenes(['TP53', '  '], { file }), {
      file,
      line: 2,
      column: 1,
      problem: /gene identifier is empty/,
    });
  });
});
