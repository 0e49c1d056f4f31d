// Cohort.heatmap: a gene list across a cohort's samples, clustered, with column tracks (genes/heatmap.ts).

import { badInput } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { checkTransform } from '../genes/geneColumn.ts';
import { heatmap } from '../genes/heatmap.ts';
import { cohortMembers, resolvedGenes } from './geneValues.ts';

export const heatmapResolvers: Resolvers = {
  Cohort: {
    heatmap: async (cohort, args, context) => {
      if (args.genes.length > context.config.maxGenesPerRequest)
        throw badInput(`at most ${context.config.maxGenesPerRequest} genes may be asked for at once`);
      const scale = { unit: args.unit ?? 'RAW_COUNT', transform: args.transform ?? 'LOG2_CPM' } as const;
      checkTransform(scale.unit, scale.transform);
      const [resolved, members] = await Promise.all([
        resolvedGenes(context, args.genes),
        cohortMembers(context, Number(cohort.id)),
      ]);
      return heatmap(context, {
        genes: args.genes,
        resolved,
        members,
        scale,
        clusterRows: args.clusterRows ?? true,
        clusterColumns: args.clusterColumns ?? true,
        distance: args.distance ?? 'PEARSON',
        maxSamples: args.maxSamples ?? 1000,
        tracks: args.tracks ?? ['cancerType'],
      });
    },
  },
};
