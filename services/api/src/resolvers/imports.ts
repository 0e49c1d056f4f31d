// Imports: provenance listing, and server-side ingest (curator) with the CLI's validation and atomicity.
import fs from 'node:fs';
import path from 'node:path';
import { samplesOfImports } from '@gexbert/core/expression/store';
import { isInputError } from '@gexbert/core/formats/inputError';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import {
  type ClinicalImportResult,
  type FileImport,
  ingestClinical,
  ingestCounts,
} from '@gexbert/core/ingest/index';
import { importPage } from '@gexbert/core/ingest/records';
import { type Context, requireRole } from '../context.ts';
import { badInput, forbidden } from '../errors.ts';
import type { Resolvers, TimeUnit } from '../generated/graphql.ts';
import { queuePrecompute } from '../inference/precompute.ts';
import { connection, pageRequest } from '../pagination.ts';
import type { ImportRow } from '../rows.ts';

/** The real path of `target` when it lies inside one of the configured ingest directories. */
function allowedPath(context: Context, target: string): string {
  if (context.config.ingestDirs.length === 0)
    throw forbidden('server-side ingest is disabled (set GEXBERT_API_INGEST_DIRS to allow it)');
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(target));
  } catch {
    throw badInput(
      `${target}: no such file or directory — give a path on the server, inside an ingest directory`,
    );
  }
  const inside = context.config.ingestDirs.some((dir) => {
    let root: string;
    try {
      root = fs.realpathSync(dir);
    } catch {
      return false;
    }
    const rel = path.relative(root, real);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
  if (!inside) throw forbidden(`${target} is outside the server's ingest directories`);
  return real;
}

/** Runs an ingest, turning the ingest's InputError into BAD_USER_INPUT with its one-line message. */
export async function asUserInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isInputError(error)) throw badInput(error.message);
    throw error;
  }
}

export async function importRow(context: Context, id: number): Promise<ImportRow> {
  const row = await context.loaders.import.load(id);
  if (!row) throw new Error(`import ${id} is missing`);
  return row;
}

/** The GraphQL outcomes of a counts ingest. */
export async function countsOutcomes(context: Context, results: FileImport[]) {
  const imported = results.filter((r) => !r.unchanged).map((r) => r.id);
  if (imported.length > 0)
    // the new samples' embeddings and predictions by the active model, by the workers
    await queuePrecompute(context, {
      reason: 'INGEST',
      sampleIds: await samplesOfImports(context.db, imported),
    });
  return Promise.all(
    results.map(async (r) => ({
      import: await importRow(context, r.id),
      unchanged: r.unchanged,
      file: path.basename(r.file),
      samples: r.samples,
      genes: r.genes,
      written: r.written,
      skipped: r.skipped,
    })),
  );
}

/** The GraphQL outcome of a clinical ingest. */
export async function clinicalOutcome(context: Context, result: ClinicalImportResult) {
  return {
    import: await importRow(context, result.id),
    unchanged: result.unchanged,
    matched: result.matched,
    unknownPatientCount: result.unknownPatients.length,
  };
}

/** The core ingest's time unit for the GraphQL one. */
export function timeUnitOf(unit: TimeUnit | null | undefined): 'days' | 'months' | undefined {
  return unit === 'MONTHS' ? 'months' : unit === 'DAYS' ? 'days' : undefined;
}

export const importResolvers: Resolvers = {
  Query: {
    imports: async (_, args, { db, config }) => {
      const page = pageRequest('Import', args, config);
      const { rows, total } = await importPage(db, args, page.afterId, page.first + 1);
      return connection('Import', page, rows, total, (i) => i.id);
    },
  },
  Import: {
    startedAt: (i) => i.startedAt.toISOString(),
    finishedAt: (i) => i.finishedAt.toISOString(),
  },
  Mutation: {
    ingestCounts: async (_, { input }, context) => {
      requireRole(context, 'CURATOR');
      const target = allowedPath(context, input.path);
      const results = await asUserInput(() =>
        ingestCounts(context.db, target, {
          cohort: input.cohort ?? undefined,
          cancerType: input.cancerType ?? undefined,
          unit: (input.unit ?? undefined) as ExpressionUnit | undefined,
        }),
      );
      return countsOutcomes(context, results);
    },
    ingestClinical: async (_, { input }, context) => {
      requireRole(context, 'CURATOR');
      const target = allowedPath(context, input.path);
      const result = await asUserInput(() =>
        ingestClinical(context.db, target, { timeUnit: timeUnitOf(input.timeUnit) }),
      );
      return clinicalOutcome(context, result);
    },
  },
};
