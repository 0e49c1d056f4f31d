// Model versions: listing, the active model, and promotion / rollback (admin).

import { hasRole } from '@gexbert/core/auth/tokens';
import {
  activeModelVersion,
  modelVersionById,
  modelVersionPage,
  promoteModelVersion,
  RegistryError,
  rollbackModelVersion,
} from '@gexbert/core/registry/modelVersion';
import { type Context, requireRole } from '../context.ts';
import { badInput, parseId } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { precomputeRow, queuePrecompute } from '../inference/precompute.ts';
import type { ModelVersionRow } from '../inference/rows.ts';
import { readEvaluation, readTrainingCurve } from '../modelFiles.ts';
import { connection, pageRequest } from '../pagination.ts';

/** Runs an activation; registry refusals become BAD_USER_INPUT, and the API notices the change at once. */
async function activation(
  context: Context,
  change: () => Promise<ModelVersionRow>,
): Promise<ModelVersionRow> {
  requireRole(context, 'ADMIN');
  try {
    const version = await change();
    // the new active model's embeddings and predictions for every stored sample, by the workers
    await queuePrecompute(context, { reason: 'PROMOTION', modelVersionId: version.id });
    return version;
  } catch (error) {
    if (error instanceof RegistryError) throw badInput(error.message);
    throw error;
  } finally {
    context.models.activeChanged();
  }
}

export const modelResolvers: Resolvers = {
  Query: {
    models: async (_, args, { prisma, config }) => {
      const page = pageRequest('ModelVersion', args, config);
      const { rows, total } = await modelVersionPage(prisma, args.status, page.afterId, page.first + 1);
      return connection('ModelVersion', page, rows, total, (m) => m.id);
    },
    model: (_, { id }, { prisma }) => modelVersionById(prisma, parseId(id, 'model ID')),
    activeModel: (_, __, { prisma }) => activeModelVersion(prisma),
  },
  Mutation: {
    promoteModel: (_, { id }, context) =>
      activation(context, () => promoteModelVersion(context.prisma, parseId(id, 'model ID'))),
    rollbackModel: (_, __, context) => activation(context, () => rollbackModelVersion(context.prisma)),
  },
  ModelVersion: {
    parent: (m, _, { prisma }) => (m.parentId === null ? null : modelVersionById(prisma, m.parentId)),
    checkpointPath: (m, _, context) => (hasRole(context.role, 'ADMIN') ? m.checkpointPath : null),
    config: (m) => m.config,
    metrics: (m) => m.metrics,
    gate: (m) => m.gate ?? null,
    heads: (m, _, context) => {
      const heads = context.models.headsOf(m);
      return { cancerTypes: heads?.full.cancerType?.classes ?? [], risk: heads?.full.risk !== undefined };
    },
    createdAt: (m) => m.createdAt.toISOString(),
    activatedAt: (m) => m.activatedAt?.toISOString() ?? null,
    retiredAt: (m) => m.retiredAt?.toISOString() ?? null,
    isActive: (m) => m.active === true,
    precompute: (m, _, context) => precomputeRow(context, m),
    vocabulary: async (m, { first }, context) => {
      if (first != null && first < 0) throw badInput(`first must be 0 or more, not ${first}`);
      const version = await context.models.version(m.id);
      const genes = (await context.models.stats(version)).genes.slice(0, first ?? undefined);
      const rows = await context.loaders.gene.loadMany(genes);
      return genes.map((ensemblId, rank) => {
        const row = rows[rank];
        return { rank, ensemblId, symbol: row && !(row instanceof Error) ? row.symbol : null };
      });
    },
    trainingCurve: async (m, _, context) => readTrainingCurve(await context.models.folders(m)),
    evaluation: async (m, _, context) => readEvaluation(await context.models.folders(m)),
  },
};
