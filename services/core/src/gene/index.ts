// Genes: the shipped GENCODE v36 reference and resolving a file's gene identifiers against it.

export {
  GENE_REFERENCE_FILE,
  GeneReference,
  geneReference,
  loadGeneReference,
  NCBI_GENE_MAP_FILE,
  type NcbiGeneMap,
  ncbiGeneMap,
  parseGeneReference,
  parseNcbiGeneMap,
  SYMBOL_ALIASES,
  type SymbolMatch,
} from './reference.ts';
export {
  detectSpreadsheetMangling,
  type EnsemblId,
  type GeneResolution,
  GeneResolver,
  type Mangling,
  parseEnsemblId,
  type ResolveOptions,
  resolveGenes,
} from './resolve.ts';
