// All resolvers, merged per type.
import type { Resolvers } from '../generated/graphql.ts';
import { attributionResolvers } from './attributions.ts';
import { authResolvers } from './auth.ts';
import { clinicalResolvers } from './clinical.ts';
import { cohortResolvers } from './cohorts.ts';
import { comparisonResolvers } from './comparison.ts';
import { geneResolvers } from './genes.ts';
import { geneValuesResolvers } from './geneValues.ts';
import { headsResolvers } from './heads.ts';
import { heatmapResolvers } from './heatmap.ts';
import { importResolvers } from './imports.ts';
import { inferenceResolvers } from './inference.ts';
import { mapResolvers } from './maps.ts';
import { modelResolvers } from './models.ts';
import { sampleResolvers } from './samples.ts';
import { trainingResolvers } from './training.ts';
import { uploadResolvers } from './upload.ts';

export function mergeResolvers(...parts: Resolvers[]): Resolvers {
  const out: Record<string, Record<string, unknown>> = {};
  for (const part of parts)
    for (const [type, fields] of Object.entries(part)) out[type] = { ...out[type], ...(fields as object) };
  return out as Resolvers;
}

export const resolvers = mergeResolvers(
  authResolvers,
  sampleResolvers,
  geneResolvers,
  cohortResolvers,
  importResolvers,
  trainingResolvers,
  modelResolvers,
  inferenceResolvers,
  headsResolvers,
  uploadResolvers,
  mapResolvers,
  geneValuesResolvers,
  comparisonResolvers,
  clinicalResolvers,
  heatmapResolvers,
  attributionResolvers,
);
