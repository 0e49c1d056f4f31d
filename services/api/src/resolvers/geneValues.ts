// Cohort.geneValues: genes across a cohort's samples, read column-wise from the expression store's gene
// slices (services/core readGene), for gene views, box plots and survival split by a gene's expression.
import { readGene } from '@gexbert/core/expression/store';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import { badInput } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { cohortReference } from '../inference/reference.ts';
import type { GeneRow } from '../rows.ts';

export const geneValuesResolvers: Resolvers = {
  Cohort: {
    geneValues: async (cohort, { genes, unit }, context) => {
      if (genes.length > context.config.maxGenesPerRequest)
        throw badInput(`at most ${context.config.maxGenesPerRequest} genes may be asked for at once`);
      const chosen = (unit ?? 'RAW_COUNT') as ExpressionUnit;
      const [resolved, members] = await Promise.all([
        context.loaders.gene.loadMany(genes),
        cohortReference(context.db, Number(cohort.id)).then((r) => r?.sampleIds ?? []),
      ]);
      const failed = resolved.find((r) => r instanceof Error);
      if (failed) throw failed;
      return Promise.all(
        genes.map(async (query, i) => {
          const gene = (resolved[i] as GeneRow | null) ?? null;
          if (!gene) return { query, gene: null, unit: chosen, sampleIds: [], values: [] };
          const stored = await readGene(context.db, gene.id, chosen);
          const at = new Map(stored.sampleIds.map((id, k) => [id, k]));
          const sampleIds = members.filter((id) => at.has(id));
          const values = sampleIds.map((id) => {
            const v = stored.values[at.get(id)!]!;
            return Number.isNaN(v) ? null : v;
          });
          return { query, gene, unit: chosen, sampleIds, values };
        }),
      );
    },
  },
};
