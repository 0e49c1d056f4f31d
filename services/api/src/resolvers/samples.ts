// Patients, samples and their measured expression.
import { attributeTypes } from '@gexbert/core/cohort/attributes';
import { genesOfLayout } from '@gexbert/core/expression/store';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import { patientByBarcode } from '@gexbert/core/patient/records';
import { type SampleSelection, sampleByBarcode, selectedSamplePage } from '@gexbert/core/sample/records';
import type { Context } from '../context.ts';
import { badInput, parseId } from '../errors.ts';
import type { Resolvers, SampleFilter } from '../generated/graphql.ts';
import { connection, pageRequest } from '../pagination.ts';
import type { ExpressionValueRow, GeneRow } from '../rows.ts';
import { cohortFilter, selectSamples, withFilterErrors } from './clinical.ts';

/**
 * The samples the filter selects: its conditions, or (with expression thresholds, which read gene values) the
 * IDs of the samples it selects.
 */
async function sampleSelection(
  context: Context,
  filter: SampleFilter | null | undefined,
): Promise<SampleSelection> {
  const parsed = cohortFilter(filter);
  if (parsed.expression.length) return selectSamples(context, { filter: parsed, sampleIds: [] });
  const types = parsed.clinical.length ? await attributeTypes(context.db) : new Map();
  return { filter: parsed, types };
}

const layoutIndexes = new Map<string, Map<string, number>>();

async function layoutIndex(context: Context, layoutId: number): Promise<Map<string, number>> {
  const key = `${context.cacheKey}/${layoutId}`;
  let index = layoutIndexes.get(key);
  if (!index) {
    const genes = await genesOfLayout(context.db, layoutId, context.cacheKey);
    index = new Map(genes.map((g, i) => [g, i]));
    layoutIndexes.set(key, index);
  }
  return index;
}

export const sampleResolvers: Resolvers = {
  Query: {
    patient: (_, { barcode }, { prisma }) => patientByBarcode(prisma, barcode),
    sample: async (_, { id, barcode }, { prisma, loaders }) => {
      if ((id == null) === (barcode == null)) throw badInput('give exactly one of id and barcode');
      if (id != null) return loaders.sample.load(parseId(id, 'sample ID'));
      return sampleByBarcode(prisma, barcode!);
    },
    samples: async (_, args, context) => {
      const page = pageRequest('Sample', args, context.config);
      const selection = await sampleSelection(context, args.filter);
      const { rows, total } = await withFilterErrors(() =>
        selectedSamplePage(context.db, selection, page.afterId, page.first + 1),
      );
      return connection('Sample', page, rows, total, (s) => s.id);
    },
  },
  Patient: {
    samples: (patient, _, { loaders }) => loaders.samplesOfPatient.load(patient.id),
  },
  Sample: {
    patient: async (sample, _, { loaders }) => {
      const patient = await loaders.patient.load(sample.patientId);
      if (!patient) throw new Error(`patient ${sample.patientId} of sample ${sample.id} is missing`);
      return patient;
    },
    import: async (sample, _, { loaders }) => {
      const row = await loaders.import.load(sample.importId);
      if (!row) throw new Error(`import ${sample.importId} of sample ${sample.id} is missing`);
      return row;
    },
    expression: async (sample, { genes, unit }, context) => {
      if (genes.length > context.config.maxGenesPerRequest)
        throw badInput(`at most ${context.config.maxGenesPerRequest} genes may be asked for at once`);
      const resolved = await context.loaders.gene.loadMany(genes);
      const failed = resolved.find((r) => r instanceof Error);
      if (failed) throw failed;
      const unknown = genes.filter((_, i) => !resolved[i]);
      if (unknown.length)
        throw badInput(
          `unknown genes: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}`,
        );
      const chosenUnit = (unit ?? 'RAW_COUNT') as ExpressionUnit;
      const profile = await context.loaders.profile.load({ sampleId: sample.id, unit: chosenUnit });
      if (!profile) return [];
      const index = await layoutIndex(context, profile.layoutId);
      return (resolved as GeneRow[]).map((gene): ExpressionValueRow => {
        const at = index.get(gene.ensemblId);
        const value = at === undefined ? Number.NaN : profile.values[at]!;
        return { gene, unit: chosenUnit, value: Number.isNaN(value) ? null : value };
      });
    },
    topGenes: async (sample, { unit, first }, context) => {
      const n = first ?? 10;
      if (n < 0 || n > context.config.maxGenesPerRequest)
        throw badInput(`first must be between 0 and ${context.config.maxGenesPerRequest}`);
      const chosenUnit = (unit ?? 'RAW_COUNT') as ExpressionUnit;
      const profile = await context.loaders.profile.load({ sampleId: sample.id, unit: chosenUnit });
      if (!profile) return [];
      const index = await layoutIndex(context, profile.layoutId);
      const top = [...index]
        .filter(([, at]) => !Number.isNaN(profile.values[at]!))
        .sort(([a, i], [b, j]) => profile.values[j]! - profile.values[i]! || a.localeCompare(b))
        .slice(0, n);
      const genes = await context.loaders.gene.loadMany(top.map(([ensemblId]) => ensemblId));
      return top.flatMap(([, at], k): ExpressionValueRow[] => {
        const gene = genes[k];
        if (!gene || gene instanceof Error) return [];
        return [{ gene, unit: chosenUnit, value: profile.values[at]! }];
      });
    },
  },
};
