// Gene attributions: Sample.attributions (one sample, by occlusion; attributionsReady says whether they are
// served at once and starts them in the background) and Cohort.geneImportance (a cancer type's genes ranked
// by mean |attribution|; geneImportanceProgress: how far the worker has stored them), through
// inference/attributions.ts.
import type { Context } from '../context.ts';
import type { Resolvers } from '../generated/graphql.ts';
import {
  attributionsReadiness,
  checkedTop,
  sampleAttributions,
  sampleAttributionsRow,
  typeGeneImportance,
  typeGeneImportanceProgress,
} from '../inference/attributions.ts';
import { modelOf } from './inference.ts';

const geneOf = (row: { ensemblId: string }, _: unknown, context: Context) =>
  context.loaders.gene.load(row.ensemblId);

export const attributionResolvers: Resolvers = {
  Sample: {
    attributions: async (sample, { target, top, model }, context) => {
      const n = checkedTop(top, 20);
      const version = await modelOf(context, model);
      const answer = await sampleAttributions(context, version, sample.id);
      return answer ? sampleAttributionsRow(version, answer, target, n) : null;
    },
    attributionsReady: async (sample, { model, start }, context) =>
      attributionsReadiness(context, await modelOf(context, model), sample.id, start ?? false),
  },
  Cohort: {
    geneImportance: async (cohort, { cancerType, target, top, model }, context) => {
      const n = checkedTop(top, 50);
      const version = await modelOf(context, model);
      const answer = await typeGeneImportance(context, version, Number(cohort.id), cancerType, target);
      return answer ? { ...answer, top: n } : null;
    },
    geneImportanceProgress: async (cohort, { model }, context) =>
      (await typeGeneImportanceProgress(context, await modelOf(context, model), Number(cohort.id)))!,
  },
  TypeGeneImportance: {
    genes: (row) => row.ranking.slice(0, row.top),
    geneRank: async (row, { gene }, context) => {
      const found = await context.loaders.gene.load(gene);
      return found ? (row.ranking.find((g) => g.ensemblId === found.ensemblId) ?? null) : null;
    },
  },
  GeneAttribution: { gene: geneOf },
  GeneImportance: { gene: geneOf },
};
