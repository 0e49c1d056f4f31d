import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { geneReference, SYMBOL_ALIASES } from '../../src/gene/reference.ts';
import { sharedFile } from '../formats/support.ts';

describe('the shipped GENCODE v36 reference', () => {
  it('matches the shared source table row for row (minus the _PAR_Y copies)', () => {
    const ref = geneReference();
    const source = execFileSync('zcat', [sharedFile('reference', 'gencode_v36_genes.tsv.gz')], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));
    const [header, ...rows] = source;
    expect(header!.slice(0, 4)).toEqual(['gene_id', 'ensembl_id', 'symbol', 'gene_type']);
    expect(rows.length).toBe(60_660);
    const kept = rows.filter((r) => !r[0]!.endsWith('_PAR_Y'));
    expect(kept.length).toBe(60_616);
    expect(ref.size).toBe(60_616);
    for (const [geneId, ensemblId, symbol, geneType] of kept) {
      expect(ref.byId(ensemblId!)).toEqual({
        ensemblId,
        version: Number(geneId!.split('.')[1]),
        symbol,
        geneType,
      });
    }
    expect(rows.filter((r) => r[3] === 'protein_coding').length).toBe(19_962); // as the README says
    expect(kept.filter((r) => r[3] === 'protein_coding').length).toBe(19_944); // 18 are _PAR_Y copies
  });

  it('is loaded once, and lists every gene in Ensembl ID order', () => {
    expect(geneReference()).toBe(geneReference());
    const all = geneReference().all();
    expect(all.length).toBe(60_616);
    expect(all.every((g, i) => i === 0 || all[i - 1]!.ensemblId < g.ensemblId)).toBe(true);
  });

  it('looks up symbols: exact, protein-coding pick, ambiguous, alias, case-insensitive', () => {
    const ref = geneReference();
    expect(ref.lookupSymbol('TP53')).toMatchObject({
      kind: 'symbol',
      gene: { ensemblId: 'ENSG00000141510' },
    });
    // RGS5 names a protein-coding gene and a lncRNA: the protein-coding one is picked.
    const rgs5 = ref.lookupSymbol('RGS5');
    expect(rgs5).toMatchObject({
      kind: 'symbol',
      gene: { ensemblId: 'ENSG00000143248', geneType: 'protein_coding' },
    });
    expect(rgs5.kind === 'symbol' && rgs5.candidates.length).toBe(2);
    // MATR3 names two protein-coding genes: ambiguous.
    expect(ref.lookupSymbol('MATR3')).toMatchObject({ kind: 'ambiguous', candidates: [{}, {}] });
    expect(ref.lookupSymbol('Y_RNA').kind).toBe('ambiguous');
    expect(ref.lookupSymbol('SEPT1')).toMatchObject({
      kind: 'alias',
      current: 'SEPTIN1',
      gene: { symbol: 'SEPTIN1' },
    });
    expect(ref.lookupSymbol('tp53')).toMatchObject({ kind: 'case', gene: { symbol: 'TP53' } });
    expect(ref.lookupSymbol('NOT_A_GENE')).toEqual({ kind: 'none' });
    expect(ref.ambiguousSymbols().length).toBe(67);
  });

  it('maps the spreadsheet-broken old symbols to genes that exist', () => {
    const ref = geneReference();
    expect(SYMBOL_ALIASES.size).toBe(26);
    expect(SYMBOL_ALIASES.get('SEPT1')).toBe('SEPTIN1');
    expect(SYMBOL_ALIASES.get('SEPT13')).toBe('SEPTIN7P2');
    expect(SYMBOL_ALIASES.get('SEPT14')).toBe('SEPTIN14');
    expect(SYMBOL_ALIASES.get('MARCH1')).toBe('MARCHF1');
    expect(SYMBOL_ALIASES.get('MARCH11')).toBe('MARCHF11');
    expect(SYMBOL_ALIASES.get('DEC1')).toBe('DELEC1');
    for (const [old, current] of SYMBOL_ALIASES) {
      expect(ref.bySymbol(old)).toEqual([]);
      expect(ref.bySymbol(current).length, current).toBe(1);
    }
  });
});
