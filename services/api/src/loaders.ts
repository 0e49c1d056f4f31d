// DataLoaders: one per relation, created per request, so a page of N samples with their patients costs
// one query per relation instead of N.

import {
  type CohortPageKey,
  cohortCompositions,
  cohortPatients,
  cohortSampleCounts,
  cohortSamplePages,
  cohortsById,
} from '@gexbert/core/cohort/records';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { type ProfileKey, type StoredProfile, storedProfiles } from '@gexbert/core/expression/store';
import { genesByIdentifier } from '@gexbert/core/gene/records';
import { importsById } from '@gexbert/core/ingest/records';
import { patientsById } from '@gexbert/core/patient/records';
import { modelVersionsById } from '@gexbert/core/registry/modelVersion';
import { samplesById, samplesOfPatients } from '@gexbert/core/sample/records';
import { trainingRunsById, trainingRunsOfJobs, trainingRunsOfVersions } from '@gexbert/core/training/runs';
import DataLoader from 'dataloader';
import type pg from 'pg';
import type { ModelVersionRow } from './inference/rows.ts';
import type {
  CohortRow,
  CompositionRow,
  GeneRow,
  ImportRow,
  PatientRow,
  SampleRow,
  TrainingRunRow,
} from './rows.ts';

/** Rows in the order of `keys` (null where missing). */
function byKey<K, T>(keys: readonly K[], rows: readonly T[], keyOf: (row: T) => K): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/** Most Sample rows remembered per server (see createLoaders). */
const MAX_SAMPLE_ROWS = 100_000;

/**
 * The request's DataLoaders. `sampleRows` is the server's memory of Sample rows by ID, shared across
 * requests: a stored sample never changes (ingest refuses different values for a stored barcode, and
 * samples are never deleted), so a sample read once is not read again; unknown IDs are always re-checked.
 */
export function createLoaders(
  db: pg.Pool,
  prisma: PrismaClient,
  sampleRows: Map<number, SampleRow> = new Map(),
) {
  return {
    patient: new DataLoader<number, PatientRow | null>(async (keys) =>
      byKey(keys, await patientsById(prisma, keys), (r) => r.id),
    ),
    sample: new DataLoader<number, SampleRow | null>(async (keys) => {
      const missing = keys.filter((k) => !sampleRows.has(k));
      if (missing.length > 0) {
        const rows = await samplesById(prisma, missing);
        if (sampleRows.size + rows.length > MAX_SAMPLE_ROWS) sampleRows.clear();
        for (const r of rows) sampleRows.set(r.id, r);
      }
      return keys.map((k) => sampleRows.get(k) ?? null);
    }),
    import: new DataLoader<number, ImportRow | null>(async (keys) =>
      byKey(keys, await importsById(db, keys), (r) => r.id),
    ),
    cohort: new DataLoader<number, CohortRow | null>(async (keys) =>
      byKey(keys, await cohortsById(prisma, keys), (r) => r.id),
    ),
    samplesOfPatient: new DataLoader<number, SampleRow[]>(async (keys) => {
      const rows = await samplesOfPatients(prisma, keys);
      return keys.map((k) => rows.filter((r) => r.patientId === k));
    }),
    cohortSampleCount: new DataLoader<number, number>((keys) => cohortSampleCounts(prisma, keys)),
    /** A page of a cohort's samples (by sample ID); all cohorts' pages in one query. */
    cohortSamples: new DataLoader<CohortPageKey, SampleRow[], string>((keys) => cohortSamplePages(db, keys), {
      cacheKeyFn: (k) => `${k.cohortId}:${k.afterId}:${k.limit}`,
    }),
    /** Genes by Ensembl ID or symbol (see resolveGenes), null where unknown. */
    gene: new DataLoader<string, GeneRow | null>((keys) => genesByIdentifier(db, keys)),
    /** Sample counts per cancer type and sample type, per cohort. */
    composition: new DataLoader<number, CompositionRow[]>((keys) => cohortCompositions(db, keys)),
    /** The distinct patients of each cohort's samples, with their survival fields. */
    cohortPatients: new DataLoader<number, PatientRow[]>((keys) => cohortPatients(db, keys)),
    modelVersion: new DataLoader<number, ModelVersionRow | null>(async (keys) =>
      byKey(keys, await modelVersionsById(prisma, keys), (r) => r.id),
    ),
    trainingRun: new DataLoader<number, TrainingRunRow | null>(async (keys) =>
      byKey(keys, await trainingRunsById(prisma, keys), (r) => r.id),
    ),
    /** The training run of each queue job ID (null for jobs that are not training runs). */
    trainingRunOfJob: new DataLoader<string, TrainingRunRow | null>(async (keys) =>
      byKey(keys, await trainingRunsOfJobs(prisma, keys), (r) => r.jobId!),
    ),
    /** The training runs of each model version, oldest first. */
    trainingRunsOfVersion: new DataLoader<number, TrainingRunRow[]>((keys) =>
      trainingRunsOfVersions(prisma, keys),
    ),
    /** Samples' whole stored profiles in one unit (null where the sample has none in that unit). */
    profile: new DataLoader<ProfileKey, StoredProfile | null, string>((keys) => storedProfiles(db, keys), {
      cacheKeyFn: (k) => `${k.sampleId}:${k.unit}`,
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
