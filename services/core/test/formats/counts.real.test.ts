// The six real TCGA count matrices in ../shared: every file parses, sample counts and cancer types are the
// documented ones, and the values agree with an independent read of each file (zcat + split).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCountsMatrix } from '../../src/formats/counts.ts';
import type { ParsedMatrix } from '../../src/formats/types.ts';
import { sharedFile } from './support.ts';

const EXPECTED: Record<string, number> = { ACC: 63, CHOL: 29, DLBC: 38, KICH: 52, UCS: 45, UVM: 64 };
const GENE_ROWS = 56_537;

/** The file as zcat gives it, split into cells. */
function independentRead(file: string): string[][] {
  const text = execFileSync('zcat', [file], { maxBuffer: 1 << 30, encoding: 'utf8' });
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

describe('the six real TCGA count matrices', () => {
  const parsed = new Map<string, ParsedMatrix>();

  it('parse with the documented sample counts', async () => {
    for (const type of Object.keys(EXPECTED)) {
      parsed.set(type, await parseCountsMatrix(sharedFile('tcga', 'counts', `TCGA_${type}_Counts.exp.gz`)));
    }
    for (const [type, samples] of Object.entries(EXPECTED)) {
      const m = parsed.get(type)!;
      expect(m.cancerType).toBe(type);
      expect(m.unit).toBe('RAW_COUNT');
      expect(m.samples.length).toBe(samples);
      expect(m.genes.length).toBe(GENE_ROWS);
      expect(m.rows.length).toBe(GENE_ROWS);
      expect(m.unmapped).toEqual([]);
      expect(m.samples.every((s) => s.sampleTypeCode === '01' && s.sampleBarcode.length === 15)).toBe(true);
      expect(m.samples.every((s) => s.patientBarcode === s.aliquotBarcode.slice(0, 12))).toBe(true);
      expect(new Set(m.samples.map((s) => s.sampleBarcode)).size).toBe(samples);
    }
    const total = Object.values(EXPECTED).reduce((a, b) => a + b, 0);
    expect([...parsed.values()].reduce((n, m) => n + m.samples.length, 0)).toBe(total);
  });

  it('agree with an independent read of every file (headers, gene IDs, spot values, column sums)', () => {
    expect(parsed.size).toBe(6);
    for (const [type, m] of parsed) {
      const cells = independentRead(sharedFile('tcga', 'counts', `TCGA_${type}_Counts.exp.gz`));
      const [header, ...rows] = cells;
      expect(m.samples.map((s) => s.aliquotBarcode)).toEqual(header!.slice(1));
      expect(rows.length).toBe(GENE_ROWS);
      expect(m.genes.map((g) => g.ensemblId)).toEqual(rows.map((r) => r[0]));
      // Spot checks spread over the file, and the sum of every column.
      for (const g of [0, 1, 1234, 20_000, 40_000, GENE_ROWS - 1]) {
        for (const s of [0, 7, m.samples.length - 1]) {
          expect(m.rows[g]![s]).toBe(Number(rows[g]![s + 1]));
        }
      }
      const sums = new Float64Array(m.samples.length);
      for (const r of rows) for (let s = 0; s < sums.length; s++) sums[s]! += Number(r[s + 1]);
      const parsedSums = new Float64Array(m.samples.length);
      for (const r of m.rows) for (let s = 0; s < sums.length; s++) parsedSums[s]! += r[s]!;
      expect(Array.from(parsedSums)).toEqual(Array.from(sums));
    }
  });

  it('resolve symbols from GENCODE v36 and keep the 89 older Ensembl IDs without one', () => {
    const m = parsed.get('ACC')!;
    const tp53 = m.genes.find((g) => g.ensemblId === 'ENSG00000141510');
    expect(tp53).toEqual({
      ensemblId: 'ENSG00000141510',
      version: 18,
      symbol: 'TP53',
      geneType: 'protein_coding',
    });
    const withoutSymbol = m.genes.filter((g) => g.symbol === null);
    expect(withoutSymbol.length).toBe(89);
    expect(m.warnings.join('\n')).toMatch(/89 Ensembl gene ID\(s\) are not in GENCODE v36/);
  });
});
