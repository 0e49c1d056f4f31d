// Comparing two groups gene by gene (services/core/src/comparison): the stored result's sorted table, the
// groups' composition and their overall survival (Kaplan-Meier of each, log-rank test).
import {
  COMPARISON_METHODS,
  type ComparisonRequest,
  SIGNIFICANT_FDR,
} from '@gexbert/core/comparison/compareGroups';
import { ComparisonInputError, type GroupSpec, resolveGroups } from '@gexbert/core/comparison/groups';
import { readComparison, requestComparison, type StoredComparison } from '@gexbert/core/comparison/store';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import { patientsOfSamples } from '@gexbert/core/patient/records';
import { compositionOfSamples } from '@gexbert/core/sample/records';
import { genePage, sortGenes } from '../comparison/genePage.ts';
import type { ComparedGroupRow } from '../comparison/rows.ts';
import { type Context, requireRole } from '../context.ts';
import { badInput, parseId } from '../errors.ts';
import type { GeneFilterInput, GroupInput, Resolvers } from '../generated/graphql.ts';
import { groupedSurvival } from './cohorts.ts';

function groupSpec(input: GroupInput, name: string): GroupSpec {
  return {
    cohortId: parseId(input.cohort, `group ${name}: cohort ID`),
    cancerType: input.cancerType?.trim() || null,
    sampleType: input.sampleType ?? null,
  };
}

/** The filter with gene names (symbols or Ensembl IDs) resolved; unknown names are an error. */
async function geneFilter(context: Context, filter: GeneFilterInput | null | undefined) {
  if (!filter) return undefined;
  if (filter.minCpm != null && !(filter.minCpm >= 0)) throw badInput('filter.minCpm must be 0 or more');
  if (filter.minSamples != null && filter.minSamples < 1)
    throw badInput('filter.minSamples must be at least 1');
  let genes: string[] | undefined;
  if (filter.genes) {
    if (filter.genes.length > context.config.maxComparisonGenes)
      throw badInput(`filter.genes may name at most ${context.config.maxComparisonGenes} genes`);
    const found = await context.loaders.gene.loadMany(filter.genes);
    const failed = found.find((g) => g instanceof Error);
    if (failed) throw failed;
    const unknown = filter.genes.filter((_, i) => !found[i]);
    if (unknown.length)
      throw badInput(
        `filter.genes: unknown gene(s) ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
      );
    genes = found.map((g) => (g as { ensemblId: string }).ensemblId);
  }
  return {
    ...(genes ? { genes } : {}),
    ...(filter.minCpm == null ? {} : { minCpm: filter.minCpm }),
    ...(filter.minSamples == null ? {} : { minSamples: filter.minSamples }),
  };
}

/** Core input errors become BAD_USER_INPUT. */
async function asUserInput<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ComparisonInputError) throw badInput(error.message);
    throw error;
  }
}

async function groupsOf(context: Context, comparison: StoredComparison): Promise<ComparedGroupRow[]> {
  const groups = await asUserInput(resolveGroups(context.db, comparison.request.a, comparison.request.b));
  return groups.map((g, k) => ({
    name: k === 0 ? 'A' : 'B',
    label: g.label,
    sampleIds: g.sampleIds,
    compared: comparison.result?.groups[k]?.samples ?? null,
  }));
}

export const comparisonResolvers: Resolvers = {
  Query: {
    compareGroups: async (_, args, context) => {
      requireRole(context, 'READER');
      if (!COMPARISON_METHODS.includes(args.method ?? 'LIMMA'))
        throw badInput(`unknown method ${args.method}`);
      const request: ComparisonRequest = {
        a: groupSpec(args.a, 'A'),
        b: groupSpec(args.b, 'B'),
        method: args.method ?? 'LIMMA',
        unit: (args.unit ?? 'RAW_COUNT') as ExpressionUnit,
      };
      const filter = await geneFilter(context, args.filter);
      if (filter) request.filter = filter;
      return asUserInput(
        requestComparison(context.db, context.prisma, request, {
          jobThreshold: context.config.compareJobValues,
          queue: context.queue,
          requestedBy: context.token?.name ?? null,
        }),
      );
    },
    groupComparison: (_, { id }, context) => readComparison(context.db, parseId(id, 'comparison ID')),
  },
  GroupComparison: {
    method: (comparison) => comparison.request.method,
    unit: (comparison) => comparison.request.unit ?? 'RAW_COUNT',
    groups: (comparison, _, context) => groupsOf(context, comparison),
    summary: (comparison) => {
      const r = comparison.result;
      if (!r) return null;
      return {
        genesMeasured: r.genesMeasured,
        genesTested: r.genes.length,
        significant: r.significant,
        fdr: SIGNIFICANT_FDR,
        minCpm: r.minCpm,
        minSamples: r.minSamples,
      };
    },
    volcano: (comparison) => {
      if (!comparison.result) return null;
      const genes = sortGenes(comparison.result.genes, { field: 'P_VALUE', direction: 'ASC' });
      const finite = (x: number) => (Number.isFinite(x) ? x : null);
      return {
        ensemblIds: genes.map((g) => g.ensemblId),
        symbols: genes.map((g) => g.symbol),
        logFC: genes.map((g) => g.logFC),
        pValues: genes.map((g) => finite(g.pValue)),
        adjPValues: genes.map((g) => finite(g.adjPValue)),
      };
    },
    genes: (comparison, args, context) =>
      comparison.result ? genePage(comparison.result.genes, args, context.config) : null,
    survival: async (comparison, _, context) => {
      const groups = await groupsOf(context, comparison);
      const subjects = (
        await Promise.all(
          groups.map(async (g) =>
            (
              await patientsOfSamples(context.db, g.sampleIds)
            ).map((p) => ({ group: g.name, osDays: p.osDays, osEvent: p.osEvent })),
          ),
        )
      ).flat();
      return groupedSurvival(subjects, false, ['A', 'B']);
    },
  },
  ComparedGroup: {
    sampleCount: (group) => group.sampleIds.length,
    composition: (group, _, context) => compositionOfSamples(context.db, group.sampleIds) as never,
  },
  GeneDifference: {
    gene: async (row, _, context) => (await context.loaders.gene.load(row.ensemblId))!,
  },
};
