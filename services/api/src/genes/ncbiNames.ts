// The NCBI names of genes (Entrez IDs, previous and alternative symbols), from the shipped NCBI Gene map
// (services/core/data/ncbi_gene_map.tsv.gz, the map `gexbert ingest table` resolves with): looked up
// case-insensitively, and per gene. Built on first use, once per process.
import { ncbiGeneMap } from '@gexbert/core/gene/reference';

export interface NcbiNames {
  entrezIds: string[];
  aliases: string[];
}

interface NcbiIndex {
  /** Upper-cased Entrez ID or alias -> the Ensembl IDs it names. */
  byName: Map<string, readonly string[]>;
  /** Ensembl ID -> its Entrez IDs and aliases. */
  byGene: Map<string, NcbiNames>;
}

let index: NcbiIndex | undefined;

const isEntrez = (name: string) => /^\d+$/.test(name);

function ncbiIndex(): NcbiIndex {
  if (index) return index;
  const byName = new Map<string, string[]>();
  const byGene = new Map<string, NcbiNames>();
  for (const [name, ensemblIds] of ncbiGeneMap()) {
    const key = name.toUpperCase();
    byName.set(key, [...new Set([...(byName.get(key) ?? []), ...ensemblIds])]);
    for (const id of ensemblIds) {
      const names = byGene.get(id) ?? { entrezIds: [], aliases: [] };
      (isEntrez(name) ? names.entrezIds : names.aliases).push(name);
      byGene.set(id, names);
    }
  }
  index = { byName, byGene };
  return index;
}

/** The Ensembl IDs an Entrez ID or alias names (any case); empty when none. */
export function genesNamed(name: string): { ensemblIds: readonly string[]; entrez: boolean } {
  const text = name.trim();
  return { ensemblIds: ncbiIndex().byName.get(text.toUpperCase()) ?? [], entrez: isEntrez(text) };
}

/** A gene's Entrez IDs and aliases. */
export function ncbiNamesOf(ensemblId: string): NcbiNames {
  return ncbiIndex().byGene.get(ensemblId) ?? { entrezIds: [], aliases: [] };
}
