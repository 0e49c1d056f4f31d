// Loads a heatmap for its page and its TSV: the genes (typed, or the top genes of a stored comparison), then
// Cohort.heatmap in the chosen unit, through the signed-in user's token.
import { CohortHeatmapDocument, ComparisonTopGenesDocument } from '../generated/graphql.ts';
import { ApiError, apiRequest } from './api.ts';
import type { Scale } from './genePage.ts';
import { clusterArgs, type HeatmapState } from './heatmapPage.ts';

/** The genes the state names: as typed, or the comparison's top `top` by adjusted p-value (Ensembl IDs). */
export async function heatmapGenes(state: HeatmapState, token?: string): Promise<string[]> {
  if (!state.comparison) return state.genes;
  const found = await apiRequest(
    ComparisonTopGenesDocument,
    { id: state.comparison, first: state.top },
    token,
  );
  const comparison = found.groupComparison;
  if (!comparison) throw new ApiError(`no comparison has the id "${state.comparison}"`);
  if (comparison.state !== 'DONE' || !comparison.genes)
    throw new ApiError(
      `comparison ${state.comparison} is ${comparison.state.toLowerCase()}: its genes come when it is done`,
    );
  return comparison.genes.nodes.map((n) => n.gene.ensemblId);
}

export async function loadHeatmap(id: string, state: HeatmapState, scale: Scale, token?: string) {
  const genes = await heatmapGenes(state, token);
  const result = await apiRequest(
    CohortHeatmapDocument,
    { id, genes, unit: scale.unit, transform: scale.transform, tracks: state.tracks, ...clusterArgs(state) },
    token,
  );
  return { genes, cohort: result.cohort };
}
