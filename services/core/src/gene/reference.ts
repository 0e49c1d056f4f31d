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
// With the NCBI Gene map (services/core/data/ncbi_gene_map.tsv.gz, derived by the same script from NCBI Gene
// 2022; loaded only when asked, see GeneResolver's `ncbi` option):
// - by NCBI Entrez Gene ID (7157 -> TP53): the ID's Ensembl IDs known to v36;
// - by NCBI symbol or alias (previous and alternative symbols) that is not a v36 symbol; an alias naming
//   more than one gene is ambiguous and never picked.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ResolvedGene } from '../formats/types.ts';

/** Where the shipped NCBI Gene map lives (Entrez IDs and NCBI symbols/aliases -> GENCODE v36 genes). */
export const NCBI_GENE_MAP_FILE = new URL('../../data/ncbi_gene_map.tsv.gz', import.meta.url);

/** Entrez Gene ID, or NCBI symbol/alias that is not a GENCODE v36 symbol -> the v36 Ensembl IDs it names. */
export type NcbiGeneMap = ReadonlyMap<string, readonly string[]>;

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
  /** An NCBI previous or alternative symbol of exactly one gene (e.g. an alias renamed since). */
  | { kind: 'ncbi'; gene: ResolvedGene; current: string }
  /** Several genes and no single protein-coding one among them (`alias`: an NCBI alias of several genes). */
  | { kind: 'ambiguous'; candidates: readonly ResolvedGene[]; alias?: boolean }
  | { kind: 'none' };

export class GeneReference {
  private readonly byEnsembl = new Map<string, ResolvedGene>();
  private readonly bySymbolMap = new Map<string, ResolvedGene[]>();
  private readonly byUpperSymbol = new Map<string, ResolvedGene[]>();

  private readonly genes: ResolvedGene[] = [];

  /** `ncbi` gives the NCBI Gene map when Entrez IDs or NCBI aliases are looked up (read on first use). */
  constructor(
    genes: Iterable<ResolvedGene>,
    private readonly ncbi: () => NcbiGeneMap = () => new Map(),
  ) {
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

  /** Resolves an NCBI Entrez Gene ID (digits) through the NCBI Gene map. */
  lookupEntrez(id: string): SymbolMatch {
    return this.fromNcbi(id, id);
  }

  /** Resolves a symbol, then (when `lookupSymbol` finds nothing) an NCBI symbol or alias, never guessing. */
  lookupSymbolOrAlias(symbol: string): SymbolMatch {
    const match = this.lookupSymbol(symbol);
    return match.kind === 'none' ? this.fromNcbi(symbol, null) : match;
  }

  private fromNcbi(key: string, entrez: string | null): SymbolMatch {
    const ids = this.ncbi().get(key);
    const genes = (ids ?? []).map((id) => this.byEnsembl.get(id)).filter((g) => g !== undefined);
    if (genes.length === 0) return { kind: 'none' };
    if (genes.length > 1) return { kind: 'ambiguous', candidates: genes, alias: true };
    const gene = genes[0]!;
    return entrez === null
      ? { kind: 'ncbi', gene, current: gene.symbol ?? gene.ensemblId }
      : { kind: 'symbol', gene, candidates: genes };
  }
}

function pick(genes: readonly ResolvedGene[]): SymbolMatch {
  if (genes.length === 1) return { kind: 'symbol', gene: genes[0]!, candidates: genes };
  const coding = genes.filter((g) => g.geneType === 'protein_coding');
  if (coding.length === 1) return { kind: 'symbol', gene: coding[0]!, candidates: genes };
  return { kind: 'ambiguous', candidates: genes };
}

/** Parses the shipped table's text (header `ensembl_id version symbol gene_type`). */
export function parseGeneReference(text: string, ncbi?: () => NcbiGeneMap): GeneReference {
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
  return new GeneReference(genes, ncbi);
}

/** Parses the shipped NCBI Gene map's text (header `key ensembl_ids`). */
export function parseNcbiGeneMap(text: string): Map<string, string[]> {
  const lines = text.split('\n');
  if (lines[0]?.trimEnd() !== 'key\tensembl_ids') {
    throw new Error(
      `NCBI gene map: unexpected header '${lines[0]}' (re-run scripts/derive-gene-reference.ts)`,
    );
  }
  const map = new Map<string, string[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const tab = line.indexOf('\t');
    if (tab <= 0) throw new Error(`NCBI gene map: bad line ${i + 1}`);
    map.set(line.slice(0, tab), line.slice(tab + 1).split(','));
  }
  return map;
}

let cached: GeneReference | undefined;
let ncbiCached: NcbiGeneMap | undefined;

/** The NCBI Gene map, read from disk on first use and cached. */
export function ncbiGeneMap(): NcbiGeneMap {
  ncbiCached ??= parseNcbiGeneMap(gunzipSync(readFileSync(NCBI_GENE_MAP_FILE)).toString('utf8'));
  return ncbiCached;
}

/** The GENCODE v36 reference, read from disk on first use and cached (the NCBI map only when used). */
export function geneReference(): GeneReference {
  cached ??= parseGeneReference(gunzipSync(readFileSync(GENE_REFERENCE_FILE)).toString('utf8'), ncbiGeneMap);
  return cached;
}

/** Async form of geneReference() (the load itself is synchronous and takes a few tens of milliseconds). */
export async function loadGeneReference(): Promise<GeneReference> {
  return geneReference();
}
