// Genes: lookup by Ensembl ID or symbol, and search.
import { genePage, genesByIdentifier } from '@gexbert/core/gene/records';
import { badInput } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { searchGenes } from '../genes/geneSearch.ts';
import { ncbiNamesOf } from '../genes/ncbiNames.ts';
import { connection, pageRequest } from '../pagination.ts';

export const geneResolvers: Resolvers = {
  Gene: {
    entrezIds: (gene) => ncbiNamesOf(gene.ensemblId).entrezIds,
    aliases: (gene) => ncbiNamesOf(gene.ensemblId).aliases,
  },
  Query: {
    genesByIds: (_, { ids }, { db }) => genesByIdentifier(db, ids),
    geneSearch: (_, { text, first }, { db }) => {
      if (text.length > 200) throw badInput('a gene search text has at most 200 characters');
      return searchGenes(db, text, first ?? 10);
    },
    genes: async (_, args, { db, config }) => {
      const page = pageRequest('Gene', args, config);
      const { rows, total } = await genePage(db, args.search ?? '', page.afterId, page.first + 1);
      return connection('Gene', page, rows, total, (g) => g.id);
    },
  },
};
