// parseExpressionTable (`gexbert ingest table`) without a database: both orientations of the real pancan33
// extract give the same matrix, the sidecar beside a table is found, and what it refuses.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSidecar, parseExpressionTable } from '../../src/formats/expressionTable.ts';
import { sharedDir } from '../../test-support/shared.ts';
import { expectInputError, TempDir } from './support.ts';

const PANCAN = path.join(sharedDir(), 'data/tcga/pancan33');
const EXPRESSION = path.join(PANCAN, 'pancan33_expression.tsv.gz');

const tmp = new TempDir();
beforeAll(() => tmp.create());
afterAll(() => tmp.remove());

describe('parseExpressionTable', () => {
  it('reads the real extract transposed (genes as rows) into the same matrix as samples as rows', async () => {
    const rows = zlib
      .gunzipSync(fs.readFileSync(EXPRESSION))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    const transposed = rows[0]!.map((_, j) => rows.map((r) => r[j]).join('\t')).join('\n');
    const file = await tmp.write('genes_expression.tsv.gz', `${transposed}\n`, { gzip: true });
    fs.copyFileSync(path.join(PANCAN, 'pancan33_samples.tsv'), tmp.path('genes_samples.tsv'));
    expect(findSidecar(file)).toBe(tmp.path('genes_samples.tsv'));
    const [byRows, byColumns] = await Promise.all([
      parseExpressionTable(EXPRESSION, { unit: 'RSEM' }),
      parseExpressionTable(file, { unit: 'RSEM' }),
    ]);
    expect(byRows.orientation).toBe('samples-as-rows');
    expect(byColumns.orientation).toBe('genes-as-rows');
    expect(byColumns.sidecarFound).toBe(true);
    expect(byColumns.entrezMapped).toBe(100);
    expect(byColumns.matrix.genes).toEqual(byRows.matrix.genes);
    expect(byColumns.matrix.samples.map((s) => [s.sampleBarcode, s.cancerType, s.sampleTypeCode])).toEqual(
      byRows.matrix.samples.map((s) => [s.sampleBarcode, s.cancerType, s.sampleTypeCode]),
    );
    expect(byColumns.matrix.rows.map((r) => Array.from(r))).toEqual(
      byRows.matrix.rows.map((r) => Array.from(r)),
    );
  });

  it('forces the orientation when asked, and refuses attribute columns on a genes-as-rows table', async () => {
    const file = await tmp.write('small.tsv', 'gene\tS1\tS2\nTP53\t1\t2\nEGFR\t3\t4\nMYC\t5\t6\n');
    const read = await parseExpressionTable(file, { orientation: 'genes-as-rows' });
    expect(read).toMatchObject({
      orientation: 'genes-as-rows',
      orientationFrom: 'forced',
      unitDetected: true,
    });
    expect(read.matrix.unit).toBe('RAW_COUNT');
    await expectInputError(
      parseExpressionTable(file, { orientation: 'genes-as-rows', attributeColumns: ['S1'] }),
      {
        file,
        line: 1,
        problem: /genes are the rows of this table/,
        fix: /leave out --attribute-columns/,
      },
    );
  });

  it('refuses a gene twice in the header (a symbol and its Entrez ID), naming both columns', async () => {
    const file = await tmp.write('gene_twice.tsv', 'sample\tTP53\tEGFR\t7157\nTCGA-AA-0001-01\t1\t2\t3\n');
    await expectInputError(parseExpressionTable(file), {
      file,
      line: 1,
      column: 4,
      problem: /ENSG00000141510 \(TP53\) appears twice: column 2 \('TP53'\) and column 4 \('7157'\)/,
    });
  });

  it('refuses an unknown --attribute-columns name and a sample twice', async () => {
    const file = await tmp.write(
      'twice.tsv',
      'sample\tage\tTP53\tEGFR\tMYC\nTCGA-AA-0001-01\t50\t1\t2\t3\nTCGA-AA-0001-01\t50\t4\t5\t6\n',
    );
    await expectInputError(parseExpressionTable(file, { attributeColumns: ['stage'] }), {
      file,
      line: 1,
      problem: /no column 'stage' for --attribute-columns/,
    });
    await expectInputError(parseExpressionTable(file), {
      file,
      line: 3,
      column: 1,
      problem: /TCGA-AA-0001-01 appears twice \(lines 2 and 3\)/,
    });
  });
});
