import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCountsMatrix } from '../../src/formats/counts.ts';
import { cancerTypeFromFileName } from '../../src/formats/matrix.ts';
import { BARCODES, COUNTS, expectInputError, GENES, matrixText, plainRows, TempDir } from './support.ts';

const tmp = new TempDir();
beforeAll(() => tmp.create());
afterAll(() => tmp.remove());

const ids = GENES.map((g) => g[0]);

describe('parseCountsMatrix: layouts that must give the same matrix', () => {
  it('reads a plain TSV with unversioned Ensembl IDs, an empty corner cell and TCGA barcodes', async () => {
    const file = await tmp.write('TCGA_ACC_Counts.tsv', matrixText());
    const m = await parseCountsMatrix(file);
    expect(m.file).toBe(file);
    expect(m.unit).toBe('RAW_COUNT');
    expect(m.cancerType).toBe('ACC');
    expect(m.genes.map((g) => [g.ensemblId, g.version, g.symbol, g.geneType])).toEqual(
      GENES.map(([id, version, symbol]) => [id, version, symbol, 'protein_coding']),
    );
    expect(m.samples).toEqual([
      {
        column: 2,
        aliquotBarcode: 'TCGA-OR-A5L9-01A-11R-A29S-07',
        sampleBarcode: 'TCGA-OR-A5L9-01',
        patientBarcode: 'TCGA-OR-A5L9',
        sampleTypeCode: '01',
        projectId: null,
      },
      {
        column: 3,
        aliquotBarcode: 'TCGA-OR-A5K8-01A-11R-A29S-07',
        sampleBarcode: 'TCGA-OR-A5K8-01',
        patientBarcode: 'TCGA-OR-A5K8',
        sampleTypeCode: '01',
        projectId: null,
      },
      {
        column: 4,
        aliquotBarcode: 'TCGA-OU-A5PI-11A-12R-A29S-07',
        sampleBarcode: 'TCGA-OU-A5PI-11',
        patientBarcode: 'TCGA-OU-A5PI',
        sampleTypeCode: '11',
        projectId: null,
      },
    ]);
    expect(m.rows.every((r) => r instanceof Uint32Array && r.length === BARCODES.length)).toBe(true);
    expect(plainRows(m.rows)).toEqual(COUNTS);
    expect(m.unmapped).toEqual([]);
    expect(m.warnings).toEqual([]);
  });

  const variants: [string, () => Promise<string>, Parameters<typeof parseCountsMatrix>[1]?][] = [
    [
      'versioned Ensembl IDs, gzip',
      () =>
        tmp.write('versioned.tsv.gz', matrixText({ ids: GENES.map(([id, v]) => `${id}.${v}`) }), {
          gzip: true,
        }),
    ],
    [
      'CSV with a named corner cell',
      () => tmp.write('counts.csv', matrixText({ delimiter: ',', corner: 'gene_id' })),
    ],
    ['HGNC symbols', () => tmp.write('symbols.tsv', matrixText({ ids: GENES.map((g) => g[2]) }))],
    ['CRLF line ends and a UTF-8 BOM', () => tmp.write('crlf.tsv', `\ufeff${matrixText({ eol: '\r\n' })}`)],
    [
      'quoted CSV cells',
      () =>
        tmp.write(
          'quoted.csv',
          matrixText({
            delimiter: ',',
            ids: ids.map((id) => `"${id}"`),
            samples: BARCODES.map((b) => `"${b}"`),
            corner: '""',
          }),
        ),
    ],
    [
      "R's write.table header without the row-name cell",
      () => tmp.write('rstyle.tsv', matrixText().replace(/^\t/, '')),
    ],
    [
      'gzip data under a plain name (detected by magic bytes)',
      () => tmp.write('gzipped.tsv', matrixText(), { gzip: true }),
    ],
    ['plain data under a .gz name', () => tmp.write('plain.tsv.gz', matrixText())],
    [
      'a forced delimiter',
      () => tmp.write('semicolon.txt', matrixText({ delimiter: ';' })),
      { delimiter: ';' },
    ],
  ];
  for (const [name, make, options] of variants) {
    it(`reads ${name} to the same values`, async () => {
      const m = await parseCountsMatrix(await make(), options);
      expect(m.genes.map((g) => g.ensemblId)).toEqual(ids);
      expect(m.genes.map((g) => g.symbol)).toEqual(GENES.map((g) => g[2]));
      expect(m.samples.map((s) => s.aliquotBarcode)).toEqual(BARCODES);
      expect(plainRows(m.rows)).toEqual(COUNTS);
      expect(m.unmapped).toEqual([]);
    });
  }

  it('keeps the file version of a versioned ID, and the reference version otherwise', async () => {
    const file = await tmp.write('mixed-versions.tsv', matrixText({ ids: [`${ids[0]}.3`, ...ids.slice(1)] }));
    const m = await parseCountsMatrix(file);
    expect(m.genes.map((g) => g.version)).toEqual([3, ...GENES.slice(1).map((g) => g[1])]);
  });

  it('reads synthetic gene IDs as given with allowUnknownGenes, to the same values', async () => {
    const synthetic = ids.map((_, g) => `SIMG${String(g + 1).padStart(5, '0')}`);
    const samples = BARCODES.map((_, s) => `GXSM-AA-000${s + 1}-01A-01R-0000-07`);
    const file = await tmp.write('SIM1_Counts.tsv.gz', matrixText({ ids: synthetic, samples }), {
      gzip: true,
    });
    const m = await parseCountsMatrix(file, { allowUnknownGenes: true });
    expect(m.cancerType).toBe('SIM1');
    expect(m.genes).toEqual(
      synthetic.map((id) => ({ ensemblId: id, version: null, symbol: null, geneType: null })),
    );
    expect(m.samples.map((s) => [s.sampleBarcode, s.patientBarcode, s.sampleTypeCode])).toEqual(
      samples.map((_, s) => [`GXSM-AA-000${s + 1}-01`, `GXSM-AA-000${s + 1}`, '01']),
    );
    expect(plainRows(m.rows)).toEqual(COUNTS);
    expect(m.warnings.join('\n')).toMatch(/6 gene identifier\(s\) unknown to GENCODE v36 were kept/);
  });

  it('keeps a well-formed Ensembl ID unknown to GENCODE v36 (no symbol) and drops a few unknown symbols', async () => {
    const file = await tmp.write(
      'some-unknown.tsv',
      matrixText({ ids: ['ENSG00000116883', 'NOT_A_GENE', ...ids.slice(2)] }),
    );
    const m = await parseCountsMatrix(file);
    expect(m.genes[0]).toEqual({ ensemblId: 'ENSG00000116883', version: null, symbol: null, geneType: null });
    expect(m.genes.map((g) => g.ensemblId)).toEqual(['ENSG00000116883', ...ids.slice(2)]);
    expect(plainRows(m.rows)).toEqual([COUNTS[0], ...COUNTS.slice(2)]);
    expect(m.unmapped).toEqual(['NOT_A_GENE']);
    expect(m.warnings.join('\n')).toMatch(/dropped \(line 3: NOT_A_GENE\)/);
    expect(m.warnings.join('\n')).toMatch(
      /not in GENCODE v36 .*kept without symbol.*line 2: ENSG00000116883/,
    );
  });

  it('drops _PAR_Y rows with a warning', async () => {
    const file = await tmp.write(
      'pary.tsv',
      matrixText({ ids: [...ids, 'ENSG00000182378.14_PAR_Y'], values: [...COUNTS, [0, 0, 0]] }),
    );
    const m = await parseCountsMatrix(file);
    expect(m.genes.map((g) => g.ensemblId)).toEqual(ids);
    expect(m.unmapped).toEqual([]);
    expect(m.warnings.join('\n')).toMatch(/1 _PAR_Y row.*line 8: ENSG00000182378\.14_PAR_Y/);
  });

  it('maps an old symbol (SEPT7) to its current name with a warning', async () => {
    const file = await tmp.write('sept7.tsv', matrixText({ ids: ['SEPT7', ...ids.slice(1)] }));
    const m = await parseCountsMatrix(file);
    expect(m.genes[0]!.symbol).toBe('SEPTIN7');
    expect(m.warnings.join('\n')).toMatch(/line 2: SEPT7 -> SEPTIN7/);
  });

  it('takes the cancer type from the option over the file name, with a warning', async () => {
    const file = await tmp.write('TCGA_KICH_Counts.tsv', matrixText());
    const m = await parseCountsMatrix(file, { cancerType: 'KIRC' });
    expect(m.cancerType).toBe('KIRC');
    expect(m.warnings.join('\n')).toMatch(/file name says cancer type KICH/);
    expect(cancerTypeFromFileName('/x/y/TCGA_UVM_Counts.exp.gz')).toBe('UVM');
    expect(cancerTypeFromFileName('TCGA-LUAD.htseq_counts.tsv.gz')).toBe('LUAD');
    expect(cancerTypeFromFileName('counts.tsv')).toBeNull();
  });

  it('reads another unit (TPM) as Float32 with fractional values and NA as NaN', async () => {
    const values = COUNTS.map((r, g) => r.map((v, s) => (g === 1 && s === 2 ? 'NA' : `${v}.25`)));
    const file = await tmp.write('tpm.tsv', matrixText({ values }));
    const m = await parseCountsMatrix(file, { unit: 'TPM' });
    expect(m.unit).toBe('TPM');
    expect(m.rows[0]).toBeInstanceOf(Float32Array);
    expect(m.rows[0]![0]).toBeCloseTo(COUNTS[0]![0]! + 0.25, 3);
    expect(Number.isNaN(m.rows[1]![2])).toBe(true);
  });
});

describe('parseCountsMatrix: bad input', () => {
  it('empty file', async () => {
    const file = await tmp.write('empty.tsv', '');
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      column: undefined,
      problem: /the file is empty/,
      fix: /export or download finished/,
    });
  });

  it('empty gzip file (compressed empty text)', async () => {
    const file = await tmp.write('empty.tsv.gz', '', { gzip: true });
    await expectInputError(parseCountsMatrix(file), { file, line: 1, problem: /empty/ });
  });

  it('header only', async () => {
    const file = await tmp.write('header-only.tsv', `\t${BARCODES.join('\t')}\n`);
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      column: undefined,
      problem: /header but no gene rows/,
      fix: /one row per gene/,
    });
  });

  it('truncated gzip names the file and the last line read', async () => {
    // Enough incompressible rows that the cut lands well inside the data.
    let seed = 1;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const rows = 3000;
    const big = matrixText({
      ids: Array.from({ length: rows }, (_, i) => `GENE${i}`),
      values: Array.from({ length: rows }, () => BARCODES.map(() => rnd() % 100000)),
    });
    const gz = gzipSync(big);
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const file = await tmp.write('truncated.tsv.gz', cut);
    // Independent count of the complete lines in what can be decompressed.
    const partial = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    const completeLines = partial.split('\n').length - 1;
    expect(completeLines).toBeGreaterThan(100);
    const error = await expectInputError(parseCountsMatrix(file, { allowUnknownGenes: true }), {
      file,
      line: completeLines,
      column: undefined,
      problem: new RegExp(`gzip data is truncated or corrupt after line ${completeLines}`),
      fix: /download or copy it again/,
    });
    expect(error.message).toMatch(/^.*truncated\.tsv\.gz:\d+: /);
  });

  it('corrupt gzip (damaged bytes)', async () => {
    const gz = gzipSync(matrixText());
    const bad = Buffer.from(gz);
    for (let i = 12; i < bad.length - 8; i++) bad[i] = 0xff - bad[i]!;
    const file = await tmp.write('corrupt.tsv.gz', bad);
    await expectInputError(parseCountsMatrix(file), { file, problem: /gzip data is truncated or corrupt/ });
  });

  it('wrong delimiter (semicolons): the header is one cell', async () => {
    const file = await tmp.write('semicolon.csv', matrixText({ delimiter: ';' }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      column: undefined,
      problem: /header splits into a single column.*seems to use semicolon/,
      // no command has a --delimiter option: the fix is to convert the file
      fix: /^convert the file to tab-separated or comma-separated text \(replace each semicolon[^-]*$/,
    });
  });

  it('ragged row: names the line and expected vs actual cell counts', async () => {
    const text = matrixText().split('\n');
    text[3] = `${text[3]}\t17`;
    const file = await tmp.write('ragged.tsv', text.join('\n'));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 4,
      column: undefined,
      problem: /this row has 5 cells but the header \(line 1\) has 4/,
      fix: /one cell per header column/,
    });
  });

  it('ragged row with too few cells', async () => {
    const text = matrixText().split('\n');
    text[5] = text[5]!.split('\t').slice(0, 3).join('\t');
    const file = await tmp.write('ragged-short.tsv', text.join('\n'));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 6,
      problem: /has 3 cells but the header \(line 1\) has 4/,
    });
  });

  it('non-numeric value: line, column, value and sample', async () => {
    const values = COUNTS.map((r) => [...r] as (string | number)[]);
    values[2]![1] = 'abc';
    const file = await tmp.write('nonnumeric.tsv', matrixText({ values }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 4,
      column: 3,
      problem:
        /value 'abc' for sample TCGA-OR-A5K8-01A-11R-A29S-07 \(column 3\), gene 'ENSG00000075624' is not a number/,
      fix: /whole numbers >= 0/,
    });
  });

  it('missing value (NA) in raw counts', async () => {
    const values = COUNTS.map((r) => [...r] as (string | number)[]);
    values[4]![0] = 'NA';
    const file = await tmp.write('na.tsv', matrixText({ values }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 6,
      column: 2,
      problem: /'NA' is missing for sample TCGA-OR-A5L9-01A-11R-A29S-07.*raw counts cannot be missing/,
      fix: /fill in the count/,
    });
  });

  it('negative count', async () => {
    const values = COUNTS.map((r) => [...r] as (string | number)[]);
    values[0]![2] = -5;
    const file = await tmp.write('negative.tsv', matrixText({ values }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 2,
      column: 4,
      problem:
        /value -5 for sample TCGA-OU-A5PI-11A-12R-A29S-07 \(column 4\), gene 'ENSG00000141510' is negative/,
      fix: /cannot be negative/,
    });
  });

  it('fractional count', async () => {
    const values = COUNTS.map((r) => [...r] as (string | number)[]);
    values[5]![1] = 12.5;
    const file = await tmp.write('fractional.tsv', matrixText({ values }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 7,
      column: 3,
      problem: /value 12\.5 .* is not a whole number/,
      fix: /raw counts must be integers.*gexbert ingest xena --unit/,
    });
  });

  it('a count too large for uint32', async () => {
    const values = COUNTS.map((r) => [...r] as (string | number)[]);
    values[1]![1] = '4294967296';
    const file = await tmp.write('huge.tsv', matrixText({ values }));
    await expectInputError(parseCountsMatrix(file), { file, line: 3, column: 3, problem: /too large/ });
  });

  it('duplicate sample barcode: two aliquots of the same 15-character sample', async () => {
    const samples = [BARCODES[0]!, BARCODES[1]!, 'TCGA-OR-A5L9-01A-21R-A29S-07'];
    const file = await tmp.write('dup-sample.tsv', matrixText({ samples }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      column: 4,
      problem:
        /columns 2 \(TCGA-OR-A5L9-01A-11R-A29S-07\) and 4 \(TCGA-OR-A5L9-01A-21R-A29S-07\) are the same sample TCGA-OR-A5L9-01/,
      fix: /one column per sample/,
    });
  });

  it('duplicate sample: the same header twice', async () => {
    const samples = [BARCODES[0]!, BARCODES[1]!, BARCODES[1]!];
    const file = await tmp.write('dup-sample2.tsv', matrixText({ samples }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      column: 4,
      problem: /TCGA-OR-A5K8-01A-11R-A29S-07 appears twice in the header \(columns 3 and 4\)/,
    });
  });

  it('empty sample header cell', async () => {
    const file = await tmp.write(
      'empty-sample.tsv',
      matrixText({ samples: [BARCODES[0]!, '', BARCODES[2]!] }),
    );
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      column: 3,
      problem: /column 3 has no sample ID/,
    });
  });

  it('duplicate gene row: versioned and unversioned ID of the same gene', async () => {
    const file = await tmp.write('dup-gene.tsv', matrixText({ ids: [...ids.slice(0, 5), `${ids[0]}.18`] }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 7,
      column: 1,
      problem:
        /gene ENSG00000141510 \(TP53\) appears twice: line 2 \('ENSG00000141510'\) and line 7 \('ENSG00000141510\.18'\)/,
      fix: /one row per gene/,
    });
  });

  it('duplicate gene row: a symbol and the Ensembl ID of the same gene', async () => {
    const file = await tmp.write(
      'dup-gene-symbol.tsv',
      matrixText({ ids: [...ids.slice(0, 3), 'GAPDH', ...ids.slice(4)] }),
    );
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 5,
      column: 1,
      problem: /ENSG00000111640 \(GAPDH\) appears twice: line 3 \('ENSG00000111640'\) and line 5 \('GAPDH'\)/,
    });
  });

  it('mostly unknown gene IDs: examples and the fix', async () => {
    const file = await tmp.write(
      'unknown.tsv',
      matrixText({ ids: ['FOO1', 'BAR2', ids[2]!, 'BAZ3', 'QUX4', ids[5]!] }),
    );
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 2,
      column: 1,
      problem:
        /4 of 6 gene identifiers \(67%\) are neither .*line 2: FOO1, line 3: BAR2, line 5: BAZ3, line 6: QUX4/,
      fix: /human Ensembl gene IDs .* or HGNC symbols; for synthetic or custom gene IDs pass --allow-unknown-genes/,
    });
  });

  it('mostly unknown: Entrez IDs get their own fix', async () => {
    const file = await tmp.write(
      'entrez.tsv',
      matrixText({ ids: ['7157', '2597', '60', '1956', '4609', '672'] }),
    );
    await expectInputError(parseCountsMatrix(file), { file, line: 2, fix: /Entrez\/NCBI gene IDs/ });
  });

  it("spreadsheet-mangled symbol '1-Sep'", async () => {
    const file = await tmp.write(
      'sep.tsv',
      matrixText({ ids: [...GENES.slice(0, 3).map((g) => g[2]), '1-Sep', 'MYC', 'BRCA1'] }),
    );
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 5,
      column: 1,
      problem: /'1-Sep' is a date: a spreadsheet converted a gene symbol/,
      fix: /re-export the data without spreadsheet date conversion.*1-Sep was probably SEPTIN1 \(formerly SEPT1\)/,
    });
  });

  it("spreadsheet-mangled symbol '2-Mar'", async () => {
    const file = await tmp.write(
      'mar.csv',
      matrixText({ delimiter: ',', ids: ['TP53', '2-Mar', 'ACTB', 'EGFR', 'MYC', 'BRCA1'] }),
    );
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 3,
      column: 1,
      problem: /'2-Mar' is a date/,
      fix: /2-Mar was probably MARCHF2 \(formerly MARCH2\)/,
    });
  });

  it('wrong format: a clinical table given to ingest counts', async () => {
    const file = await tmp.write(
      'clinical.tsv',
      'patient\tcancer_type\tOS_time_days\tOS_event\nTCGA-OR-A5J1\tACC\t1355\t1\nTCGA-OR-A5J2\tACC\t1677\t1\n',
    );
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      column: undefined,
      problem: /looks like a clinical table .*not a raw-counts matrix/,
      fix: /use `gexbert ingest clinical <file>`/,
    });
  });

  it('wrong format: a GDC STAR per-sample file given to ingest counts', async () => {
    const file = await tmp.write(
      'star.tsv',
      [
        '# gene-model: GENCODE v36',
        'gene_id\tgene_name\tgene_type\tunstranded\tstranded_first\tstranded_second\ttpm_unstranded\tfpkm_unstranded\tfpkm_uq_unstranded',
        'N_unmapped\t\t\t100\t100\t100\t\t\t',
        'ENSG00000141510.18\tTP53\tprotein_coding\t10\t5\t5\t1.5\t0.5\t0.6',
        '',
      ].join('\n'),
    );
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 2,
      column: undefined,
      problem: /GDC per-sample STAR gene-count file/,
      fix: /gexbert ingest gdc <dir> --sample-sheet/,
    });
  });

  it('wrong format: a Xena log2 matrix (fractional values and NA) given to ingest counts', async () => {
    const values = COUNTS.map((r, g) =>
      r.map((v, s) => (g === 0 && s === 1 ? 'NA' : Math.log2(v + 1).toFixed(4))),
    );
    const file = await tmp.write('xena.tsv', matrixText({ corner: 'sample', values }));
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 2,
      problem:
        /UCSC Xena-style matrix .*missing \(NA\/blank\) and fractional values.*not a raw-counts matrix/,
      fix: /use `gexbert ingest xena <file>`/,
    });
  });

  it('wrong format: a GDC sample sheet given to ingest counts', async () => {
    const file = await tmp.write(
      'sheet.tsv',
      'File ID\tFile Name\tData Category\tData Type\tProject ID\tCase ID\tSample ID\tSample Type\nabc\tx.tsv\tTranscriptome Profiling\tGene Expression Quantification\tTCGA-ACC\tTCGA-OR-A5J1\tTCGA-OR-A5J1-01A\tPrimary Tumor\n',
    );
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      problem: /GDC sample sheet/,
      fix: /gexbert ingest gdc/,
    });
  });

  it('a transposed matrix (samples as rows)', async () => {
    const text = `sample\t${ids.join('\t')}\n${BARCODES.map((b, s) => [b, ...COUNTS.map((r) => r[s])].join('\t')).join('\n')}\n`;
    const file = await tmp.write('transposed.tsv', text);
    await expectInputError(parseCountsMatrix(file), {
      file,
      line: 1,
      problem: /transposed/,
      fix: /gexbert ingest table/,
    });
  });

  it('a missing file', async () => {
    const file = tmp.path('does-not-exist.tsv');
    await expectInputError(parseCountsMatrix(file), { file, line: undefined, problem: /file not found/ });
  });

  it('an Excel workbook', async () => {
    const file = await tmp.write('book.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]));
    await expectInputError(parseCountsMatrix(file), {
      file,
      problem: /ZIP archive .*Excel/,
      fix: /export the sheet as tab-separated/,
    });
  });
});
