// Cohorts: listing, composition, survival, and editing (curator).
import {
  CohortNameTaken,
  cohortById,
  cohortByName,
  cohortPage,
  createCohort,
  deleteCohort,
  editCohort as storeCohortEdit,
} from '@gexbert/core/cohort/records';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { unknownSampleIds } from '@gexbert/core/sample/records';
import { kaplanMeier, logRankTest, summarizeKaplanMeier } from '@gexbert/model/survival';
import { type Context, requireRole } from '../context.ts';
import { badInput, notFound, parseId } from '../errors.ts';
import type {
  Resolvers,
  ResolversParentTypes,
  ResolversTypes,
  SurvivalSummary,
} from '../generated/graphql.ts';
import { storedCohortAnswer } from '../inference/cohortAnswers.ts';
import { queueCohortMapJob } from '../inference/precompute.ts';
import { connection, pageRequest } from '../pagination.ts';
import type { CohortRow, PatientRow } from '../rows.ts';
import { cohortFilter, selectSamples } from './clinical.ts';
import { cohortSamplePage, needsSortedPage } from './cohortSamples.ts';
import { riskGroupSurvivalSummary } from './inference.ts';

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** One patient's survival and group (null = no group: counted as missing). */
export interface SurvivalSubject {
  group: string | null;
  osDays: number | null;
  osEvent: number | null;
}

/** True when a patient's overall survival is usable: a time of 0 or more and a status of 0 or 1. */
export function hasSurvival(r: Pick<SurvivalSubject, 'osDays' | 'osEvent'>): boolean {
  return (
    r.osDays !== null && Number.isFinite(r.osDays) && r.osDays >= 0 && (r.osEvent === 0 || r.osEvent === 1)
  );
}

/**
 * Kaplan-Meier per group and a log-rank test across the groups. Groups come in `order` when given (else
 * sorted); `byCancerType` says the groups are cancer types.
 */
export function groupedSurvival(
  subjects: readonly SurvivalSubject[],
  byCancerType: boolean,
  order?: readonly string[],
): Pick<ResolversParentTypes['SurvivalSummary'], 'groups' | 'logRank' | 'missing'> {
  const usable = subjects.filter((r) => r.group !== null && hasSurvival(r));
  const present = new Set(usable.map((r) => r.group!));
  const names = order ? order.filter((g) => present.has(g)) : [...present].sort();
  const groups = names.map((name) => {
    const members = usable.filter((r) => r.group === name);
    const curve = kaplanMeier({
      time: members.map((r) => r.osDays!),
      event: members.map((r) => r.osEvent as 0 | 1),
    });
    const summary = summarizeKaplanMeier(curve);
    return {
      name,
      cancerType: byCancerType ? name : null,
      patients: members.length,
      events: members.filter((r) => r.osEvent === 1).length,
      medianDays: finiteOrNull(summary.median),
      medianLowerDays: finiteOrNull(summary.medianLower),
      medianUpperDays: finiteOrNull(summary.medianUpper),
      curve: curve.time.map((timeDays, i) => ({
        timeDays,
        survival: curve.surv[i]!,
        atRisk: curve.nRisk[i]!,
        events: curve.nEvent[i]!,
      })),
    };
  });
  let logRank: SurvivalSummary['logRank'] = null;
  if (names.length >= 2) {
    try {
      const test = logRankTest(
        { time: usable.map((r) => r.osDays!), event: usable.map((r) => r.osEvent as 0 | 1) },
        usable.map((r) => r.group!),
      );
      // no death in any group leaves the test undefined (NaN), which GraphQL's Float cannot carry
      const defined = Number.isFinite(test.statistic) && Number.isFinite(test.pValue);
      logRank = defined ? { statistic: test.statistic, df: test.df, pValue: test.pValue } : null;
    } catch {
      logRank = null; // e.g. no events at all: the test is undefined
    }
  }
  return { groups, logRank, missing: subjects.length - usable.length };
}

/** Overall survival per cancer type of a cohort's patients (each patient once). */
export function survivalSummary(rows: readonly PatientRow[]): ResolversTypes['SurvivalSummary'] {
  const subjects = rows.map((r) => ({ group: r.cancerType, osDays: r.osDays, osEvent: r.osEvent }));
  return { grouping: 'CANCER_TYPE', model: null, cutoffs: [], ...groupedSurvival(subjects, true) };
}

/** Overall survival of the patients of some of a cohort's cancer types (each must have a patient there). */
export function survivalOfTypes(
  rows: readonly PatientRow[],
  cohortId: number,
  types: readonly string[],
): ResolversTypes['SurvivalSummary'] {
  const chosen = new Set(types.map((t) => t.trim()));
  if (chosen.size === 0) throw badInput('types is empty: leave it out for every cancer type');
  const present = new Set(rows.map((r) => r.cancerType));
  const absent = [...chosen].filter((t) => !present.has(t));
  if (absent.length) {
    const known = [...present].filter((t) => t !== null).sort();
    const named = absent.map((t) => JSON.stringify(t)).join(', ');
    throw badInput(`cohort ${cohortId} has no patient of ${named}; its types are ${known.join(', ')}`);
  }
  return survivalSummary(rows.filter((r) => r.cancerType !== null && chosen.has(r.cancerType)));
}

/** Sample IDs that exist, from explicit IDs (all must exist). */
async function chooseSamples(
  prisma: PrismaClient,
  sampleIds: readonly (string | number)[] | null | undefined,
): Promise<number[]> {
  if (!sampleIds?.length) return [];
  const ids = [...new Set(sampleIds.map((id) => parseId(id, 'sample ID')))].sort((a, b) => a - b);
  const missing = await unknownSampleIds(prisma, ids);
  if (missing.length) throw badInput(`unknown sample IDs: ${missing.slice(0, 10).join(', ')}`);
  return ids;
}

function cohortName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw badInput('a cohort name must have 1 to 200 characters');
  return trimmed;
}

/** Runs a cohort write, turning CohortNameTaken into BAD_USER_INPUT naming `name`. */
async function uniquelyNamed<T>(name: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof CohortNameTaken)
      throw badInput(`a cohort named ${JSON.stringify(name)} exists already`);
    throw error;
  }
}

async function existingCohort(context: Context, id: string | number): Promise<CohortRow> {
  const cohortId = parseId(id, 'cohort ID');
  const row = await cohortById(context.prisma, cohortId);
  if (!row) throw notFound(`cohort ${cohortId}`);
  return row;
}

async function editCohort(
  context: Context,
  id: string | number,
  input: {
    name?: string | null;
    description?: string | null;
    addSampleIds?: readonly (string | number)[] | null;
    removeSampleIds?: readonly (string | number)[] | null;
  },
): Promise<CohortRow> {
  requireRole(context, 'CURATOR');
  const cohort = await existingCohort(context, id);
  const addSampleIds = await chooseSamples(context.prisma, input.addSampleIds);
  const removeSampleIds = (input.removeSampleIds ?? []).map((s) => parseId(s, 'sample ID'));
  const name = input.name != null ? cohortName(input.name) : null;
  const edited = await uniquelyNamed(input.name, () =>
    storeCohortEdit(context.prisma, cohort.id, {
      name,
      description: input.description,
      addSampleIds,
      removeSampleIds,
    }),
  );
  if (addSampleIds.length + removeSampleIds.length > 0) await queueCohortMapJob(context, cohort.id);
  return edited;
}

export const cohortResolvers: Resolvers = {
  SurvivalGroup: {
    steps: ({ curve }) => ({
      timeDays: curve.map((p) => p.timeDays),
      survival: curve.map((p) => p.survival),
      atRisk: curve.map((p) => p.atRisk),
      events: curve.map((p) => p.events),
    }),
  },
  Query: {
    cohort: async (_, { id, name }, { prisma, loaders }) => {
      if ((id == null) === (name == null)) throw badInput('give exactly one of id and name');
      if (id != null) return loaders.cohort.load(parseId(id, 'cohort ID'));
      return cohortByName(prisma, name!);
    },
    cohorts: async (_, args, { prisma, config }) => {
      const page = pageRequest('Cohort', args, config);
      const { rows, total } = await cohortPage(prisma, page.afterId, page.first + 1);
      return connection('Cohort', page, rows, total, (c) => c.id);
    },
  },
  Cohort: {
    createdAt: (c) => c.createdAt.toISOString(),
    updatedAt: (c) => c.updatedAt.toISOString(),
    sampleCount: (c, _, { loaders }) => loaders.cohortSampleCount.load(c.id),
    samples: async (c, args, context) => {
      if (needsSortedPage(args)) return cohortSamplePage(context, c.id, args);
      const { loaders, config } = context;
      const page = pageRequest('Sample', args, config);
      const [rows, total] = await Promise.all([
        loaders.cohortSamples.load({ cohortId: c.id, afterId: page.afterId, limit: page.first + 1 }),
        loaders.cohortSampleCount.load(c.id),
      ]);
      return connection('Sample', page, rows, total, (s) => s.id);
    },
    composition: (c, _, { loaders }) => loaders.composition.load(c.id),
    survival: async (c, { groupBy, model, types }, context) => {
      const byType = !groupBy || groupBy === 'CANCER_TYPE';
      if (types != null) {
        if (!byType) throw badInput('types chooses cancer types: ask with groupBy: CANCER_TYPE');
        return survivalOfTypes(await context.loaders.cohortPatients.load(c.id), c.id, types);
      }
      return byType
        ? storedCohortAnswer(context, c.id, 'survival/CANCER_TYPE', async () =>
            survivalSummary(await context.loaders.cohortPatients.load(c.id)),
          )
        : riskGroupSurvivalSummary(context, c.id, groupBy, model);
    },
  },
  Mutation: {
    createCohort: async (_, { input }, context) => {
      requireRole(context, 'CURATOR');
      const name = cohortName(input.name);
      const explicit = await chooseSamples(context.prisma, input.sampleIds);
      // A cohort made from a filter stores it (with the samples given by ID) and can be rebuilt.
      const definition = input.filter ? { filter: cohortFilter(input.filter), sampleIds: explicit } : null;
      const sampleIds = definition ? (await selectSamples(context, definition)).sampleIds : explicit;
      const cohort = await uniquelyNamed(name, () =>
        createCohort(context.prisma, { name, description: input.description ?? null, sampleIds, definition }),
      );
      // its map and gene importance by the active model, placed by a worker from the stored answers
      await queueCohortMapJob(context, cohort.id);
      return cohort;
    },
    editCohort: (_, { id, input }, context) => editCohort(context, id, input),
    renameCohort: (_, { id, name }, context) => editCohort(context, id, { name }),
    deleteCohort: (_, { id }, context) => {
      requireRole(context, 'CURATOR');
      return deleteCohort(context.prisma, parseId(id, 'cohort ID'));
    },
  },
};
