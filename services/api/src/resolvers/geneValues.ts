// A gene across a cohort: Cohort.geneValues (genes' values read column-wise, with each sample's barcode,
// patient, cancer type and sample type), Cohort.expressionUnits, and Cohort.geneSurvival (overall survival
// split by one gene's expression).
import { storedUnits } from '@gexbert/core/expression/store';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.ts';
import { badInput } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { checkTransform, readGeneColumn } from '../genes/geneColumn.ts';
import { checkSplit, geneSurvival } from '../genes/geneSurvival.ts';
import { genesNamed } from '../genes/ncbiNames.ts';
import { annotateSamples } from '../genes/sampleAnnotations.ts';
import { cohortReference } from '../inference/reference.ts';
import type { GeneRow } from '../rows.ts';

/** The cohort's sample IDs, in ID order (memoised per request). */
export function cohortMembers(context: Context, cohortId: number): Promise<number[]> {
  return cohortReference(context.db, cohortId).then((r) => r?.sampleIds ?? []);
}

export async function resolvedGenes(context: Context, genes: readonly string[]): Promise<(GeneRow | null)[]> {
  const loaded = async (names: readonly string[]) => {
    const found = await context.loaders.gene.loadMany(names);
    const failed = found.find((r) => r instanceof Error);
    if (failed) throw failed;
    return found as (GeneRow | null)[];
  };
  const resolved = await loaded(genes);
  // names that are neither a stored symbol nor an Ensembl ID: an NCBI Entrez ID or alias naming stored genes
  // (the first of them that is stored)
  return Promise.all(
    resolved.map(async (gene, i) => {
      if (gene) return gene;
      const named = genesNamed(genes[i]!).ensemblIds;
      return named.length === 0 ? null : ((await loaded(named)).find((g) => g !== null) ?? null);
    }),
  );
}

/** The per-sample annotations of a GeneColumn, read only when the request selects one of them. */
const ANNOTATIONS = ['barcodes', 'patientBarcodes', 'cancerTypes', 'sampleTypes'];
const NO_ANNOTATIONS = { barcodes: [], patientBarcodes: [], cancerTypes: [], sampleTypes: [] };
const EMPTY_COLUMN = { sampleIds: [], values: [], ...NO_ANNOTATIONS };

/** True when the field's selection names one of `fields` (or spreads a fragment, which may). */
function selectsAny(info: GraphQLResolveInfo, fields: readonly string[]): boolean {
  return info.fieldNodes.some((node) =>
    node.selectionSet?.selections.some((s) => s.kind !== 'Field' || fields.includes(s.name.value)),
  );
}

export const geneValuesResolvers: Resolvers = {
  Cohort: {
    geneValues: async (cohort, args, context, info) => {
      const { genes } = args;
      if (genes.length > context.config.maxGenesPerRequest)
        throw badInput(`at most ${context.config.maxGenesPerRequest} genes may be asked for at once`);
      const scale = { unit: args.unit ?? 'RAW_COUNT', transform: args.transform ?? 'NONE' } as const;
      checkTransform(scale.unit, scale.transform);
      const [resolved, members] = await Promise.all([
        resolvedGenes(context, genes),
        cohortMembers(context, Number(cohort.id)),
      ]);
      return Promise.all(
        genes.map(async (query, i) => {
          const gene = resolved[i] ?? null;
          if (!gene) return { query, gene: null, ...scale, ...EMPTY_COLUMN };
          const column = await readGeneColumn(context.db, gene.id, scale, members, context.cacheKey);
          if (!selectsAny(info, ANNOTATIONS)) return { query, gene, ...scale, ...column, ...NO_ANNOTATIONS };
          const { samples, patients } = await annotateSamples(context, column.sampleIds);
          return {
            query,
            gene,
            ...scale,
            ...column,
            barcodes: samples.map((s) => s.barcode),
            patientBarcodes: patients.map((p) => p.barcode),
            cancerTypes: patients.map((p) => p.cancerType),
            sampleTypes: samples.map((s) => s.sampleType),
          };
        }),
      );
    },
    expressionUnits: async (cohort, _, context) =>
      storedUnits(context.db, await cohortMembers(context, Number(cohort.id))),
    geneSurvival: async (cohort, { gene: query, unit, transform, split, cutoff }, context) => {
      const chosenSplit = split ?? 'MEDIAN';
      const scale = { unit: unit ?? 'RAW_COUNT', transform: transform ?? 'LOG2_CPM' } as const;
      checkTransform(scale.unit, scale.transform);
      checkSplit(chosenSplit, cutoff);
      const [[gene], members, cohortPatients] = await Promise.all([
        resolvedGenes(context, [query]),
        cohortMembers(context, Number(cohort.id)),
        context.loaders.cohortPatients.load(Number(cohort.id)),
      ]);
      if (!gene)
        return {
          query,
          gene: null,
          ...scale,
          split: chosenSplit,
          cutoffs: [],
          groups: [],
          logRank: null,
          missing: cohortPatients.length,
          patients: [],
        };
      const column = await readGeneColumn(context.db, gene.id, scale, members, context.cacheKey);
      const { patients } = await annotateSamples(context, column.sampleIds);
      return geneSurvival({
        query,
        gene,
        ...scale,
        split: chosenSplit,
        cutoff,
        column,
        patientOf: patients,
        cohortPatients: cohortPatients.length,
      });
    },
  },
};
