// The sample page's 64-gene panel view: the 64 most variable genes of the active model's vocabulary (the API
// lists it most variable first) are the model's only input, and the other vocabulary genes are restored from
// them and compared with their measured values (the paper's claim: from as few as 64 measured genes, restore
// the rest).

/** Genes in the panel. */
export const PANEL_SIZE = 64;
/** Held-out genes restored from the panel at most (within the API's per-request gene limit). */
export const MAX_HELD_OUT = 900;

/** The panel (input) genes and the held-out (restored) genes, as Ensembl IDs, from the vocabulary in order. */
export function panelSplit(vocabulary: readonly { ensemblId: string }[]): {
  panel: string[];
  heldOut: string[];
} {
  const ids = vocabulary.map((g) => g.ensemblId);
  return { panel: ids.slice(0, PANEL_SIZE), heldOut: ids.slice(PANEL_SIZE, PANEL_SIZE + MAX_HELD_OUT) };
}
