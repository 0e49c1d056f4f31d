// The GENCODE v36 gene reference (the gene model GDC uses for TCGA), shipped with the platform as
// services/core/data/gencode_v36_genes.tsv.gz (ensembl_id, version, symbol, gene_type; 60,616 genes; derived
// by scripts/derive-gene-reference.ts). Loaded lazily, once per process.
//
// Lookups:
// - by unversioned Ensembl ID;
// - by HGNC symbol. 67 symbols name more than one gene (snoRNA/Y_RNA families, a few readthrough or
//   duplicated loci). When exactly one of them is protein_coding that one is picked and the pick is reported;
//   otherwise the symbol is ambiguous and does not resolve;
// - by alias, for the genes spreadsheets break and HGNC renamed (SEPT1..SEPT14 -> SEPTIN*, SEPT13 ->
//   SEPTIN7P2, MARCH1..MARCH11 -> MARCHF*, DEC1 -> DELEC1): mapped, with a warning;
// - case-insensitively as a last resort (tp53 -> TP53), with a warning.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ResolvedGene } from '../formats/types.ts';

/** Where the shipped reference lives. */
export const GENE_REFERENCE_FILE = new URL('../../data/gencode_v36_genes.tsv.gz', import.meta.url);

/** Old symbols (renamed by HGNC, and the ones spreadsheets turn into dates) -> current GENCODE v36 symbol. */
export const SYMBOL_ALIASES: ReadonlyMap<string, string> = new Map<string, string>([
  ...Array.from({ length: 14 }, (_, i): [string, string] => [
    `SEPT${i + 1}`,
    i + 1 === 13 ? 'SEPTIN7P2' : `SEPTIN${i + 1}`,
  ]),
  ...Array.from({ length: 11 }, (_, i): [string, string] => [`MARCH${i + 1}`, `MARCHF${i + 1}`]),
  ['DEC1', 'DELEC1'],
]);

export type SymbolMatch =
  /** The symbol names exactly one gene (or, via `picked`, one protein-coding gene among several). */
  | { kind: 'symbol'; gene: ResolvedGene; candidates: readonly ResolvedGene[] }
  /** An old symbol mapped to its current one (e.g. SEPT1 -> SEPTIN1). */
  | { kind: 'alias'; gene: ResolvedGene; current: string }
  /** Matched only ignoring case (e.g. tp53 -> TP53). */
  | { kind: 'case'; gene: ResolvedGene }
  /** Several genes and no single protein-coding one among them. */
  | { kind: 'ambiguous'; candidates: readonly ResolvedGene[] }
  | { kind: 'none' };

export class GeneReference {
  private readonly byEnsembl = new Map<string, ResolvedGene>();
  private readonly bySymbolMap = new Map<string, ResolvedGene[]>();
  private readonly byUpperSymbol = new Map<string, ResolvedGene[]>();

  private readonly genes: ResolvedGene[] = [];

  constructor(genes: Iterable<ResolvedGene>) {
    for (const gene of genes) {
      if (this.byEnsembl.has(gene.ensemblId)) continue;
      this.genes.push(gene);
      this.byEnsembl.set(gene.ensemblId, gene);
      if (gene.symbol === null) continue;
      const same = this.bySymbolMap.get(gene.symbol);
      if (same) same.push(gene);
      else this.bySymbolMap.set(gene.symbol, [gene]);
      const upper = gene.symbol.toUpperCase();
      const sameUpper = this.byUpperSymbol.get(upper);
      if (sameUpper) sameUpper.push(gene);
      else this.byUpperSymbol.set(upper, [gene]);
    }
  }

  /** Number of genes. */
  get size(): number {
    return this.byEnsembl.size;
  }

  /** Every gene, in the order given to the constructor (the shipped table: Ensembl ID order). */
  all(): readonly Readonly<ResolvedGene>[] {
    return this.genes;
  }

  /** The gene with this unversioned Ensembl ID (e.g. ENSG00000141510). */
  byId(ensemblId: string): ResolvedGene | undefined {
    return this.byEnsembl.get(ensemblId);
  }

  /** Every gene whose symbol is exactly this one. */
  bySymbol(symbol: string): readonly ResolvedGene[] {
    return this.bySymbolMap.get(symbol) ?? [];
  }

  /** Symbols that name more than one gene. */
  ambiguousSymbols(): string[] {
    return [...this.bySymbolMap].filter(([, genes]) => genes.length > 1).map(([symbol]) => symbol);
  }

  /** Resolves a symbol: exact, then alias, then case-insensitive (see the file comment). */
  lookupSymbol(symbol: string): SymbolMatch {
    const exact = this.bySymbolMap.get(symbol);
    if (exact) return pick(exact);
    const current = SYMBOL_ALIASES.get(symbol.toUpperCase());
    if (current !== undefined) {
      const target = this.bySymbolMap.get(current);
      if (target?.length === 1) return { kind: 'alias', gene: target[0]!, current };
    }
    const folded = this.byUpperSymbol.get(symbol.toUpperCase());
    if (folded) {
      const match = pick(folded);
      if (match.kind === 'symbol') return { kind: 'case', gene: match.gene };
      return match;
    }
    return { kind: 'none' };
  }
}

function pick(genes: readonly ResolvedGene[]): SymbolMatch {
  if (genes.length === 1) return { kind: 'symbol', gene: genes[0]!, candidates: genes };
  const coding = genes.filter((g) => g.geneType === 'protein_coding');
  if (coding.length === 1) return { kind: 'symbol', gene: coding[0]!, candidates: genes };
  return { kind: 'ambiguous', candidates: genes };
}

/** Parses the shipped table's text (header `ensembl_id version symbol gene_type`). */
export function parseGeneReference(text: string): GeneReference {
  const lines = text.split('\n');
  if (lines[0]?.trimEnd() !== 'ensembl_id\tversion\tsymbol\tgene_type') {
    throw new Error(
      `gene reference: unexpected header '${lines[0]}' (re-run scripts/derive-gene-reference.ts)`,
    );
  }
  const genes: ResolvedGene[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const [ensemblId, version, symbol, geneType] = line.split('\t');
    if (!ensemblId || !version || !symbol || !geneType) throw new Error(`gene reference: bad line ${i + 1}`);
    genes.push({ ensemblId, version: Number(version), symbol, geneType });
  }
  return new GeneReference(genes);
}

let cached: GeneReference | undefined;

/** The GENCODE v36 reference, read from disk on first use and cached. */
export function geneReference(): GeneReference {
  cached ??= parseGeneReference(gunzipSync(readFileSync(GENE_REFERENCE_FILE)).toString('utf8'));
  return cached;
}

/** Async form of geneReference() (the load itself is synchronous and takes a few tens of milliseconds). */
export async function loadGeneReference(): Promise<GeneReference> {
  return geneReference();
}
