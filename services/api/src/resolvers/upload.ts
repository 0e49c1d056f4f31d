// Ingest of uploaded files (curator): the upload is written to a temporary file under its own name, then
// the same core ingest as the server-side-path mutations runs on it (same validation, one transaction);
// the temporary file is removed afterwards, whatever happened.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import { ingestClinical, ingestCounts, ingestTable } from '@gexbert/core/ingest/index';
import { GraphQLScalarType } from 'graphql/index.js';
import { requireRole } from '../context.ts';
import { badInput } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { Upload } from '../upload.ts';
import { asUserInput, clinicalOutcome, countsOutcomes, timeUnitOf } from './imports.ts';

/** The `Upload` scalar: input only, its value placed in the variables by the multipart request parser. */
const uploadScalar = new GraphQLScalarType({
  name: 'Upload',
  description: 'A file sent with the request (GraphQL multipart request spec).',
  parseValue(value) {
    if (value instanceof Upload) return value;
    throw badInput(
      'an Upload variable must be a file sent as a multipart request (GraphQL multipart request spec)',
    );
  },
  parseLiteral() {
    throw badInput('an Upload must be passed as a variable of a multipart request, not written in the query');
  },
  serialize() {
    throw new Error('Upload is an input-only scalar');
  },
});

function asUpload(value: unknown): Upload {
  if (!(value instanceof Upload)) throw badInput('the file argument must be an uploaded file');
  return value;
}

/**
 * Runs `work` on the upload written to a fresh temporary directory under its client file name (and the
 * `beside` uploads next to it, e.g. a table's per-sample table). The directory is always removed.
 */
async function withUploadedFile<T>(
  upload: Upload,
  work: (file: string, beside: string[]) => Promise<T>,
  beside: readonly Upload[] = [],
): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gexbert-upload-'));
  const file = path.join(dir, upload.fileName);
  try {
    await fs.writeFile(file, upload.content, { flag: 'wx', mode: 0o600 });
    const others: string[] = [];
    for (const other of beside) {
      const copy = path.join(dir, other.fileName);
      if (copy === file) throw badInput(`the two uploads have the same name '${other.fileName}'`);
      await fs.writeFile(copy, other.content, { flag: 'wx', mode: 0o600 });
      others.push(copy);
    }
    return await work(file, others);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * How an uploaded file's import names it: the client's file name, not the temporary copy, both in the
 * record (its path) and in errors (including the error a FAILED import records).
 */
function uploadNaming(file: string): { origin: string; label: string } {
  return { origin: `upload:${path.basename(file)}`, label: path.basename(file) };
}

export const uploadResolvers: Resolvers = {
  Upload: uploadScalar,
  Mutation: {
    ingestCountsUpload: async (_, args, context) => {
      requireRole(context, 'CURATOR');
      const results = await asUserInput(() =>
        withUploadedFile(asUpload(args.file), async (file) =>
          ingestCounts(context.db, file, {
            cohort: args.cohort ?? undefined,
            cancerType: args.cancerType ?? undefined,
            unit: (args.unit ?? undefined) as ExpressionUnit | undefined,
            ...uploadNaming(file),
          }),
        ),
      );
      return countsOutcomes(context, results);
    },
    ingestTableUpload: async (_, args, context) => {
      requireRole(context, 'CURATOR');
      const samples = args.samples ? [asUpload(args.samples)] : [];
      const [result] = await asUserInput(() =>
        withUploadedFile(
          asUpload(args.file),
          async (file, [sidecar]) =>
            ingestTable(context.db, file, {
              cohort: args.cohort ?? undefined,
              cancerType: args.cancerType ?? undefined,
              unit: (args.unit ?? undefined) as ExpressionUnit | undefined,
              ...(sidecar === undefined ? {} : { samples: sidecar }),
              orientation:
                args.orientation === 'SAMPLES_AS_ROWS'
                  ? 'samples-as-rows'
                  : args.orientation === 'GENES_AS_ROWS'
                    ? 'genes-as-rows'
                    : undefined,
              attributeColumns: args.attributeColumns ?? undefined,
              timeUnit: timeUnitOf(args.timeUnit),
              ...uploadNaming(file),
            }),
          samples,
        ),
      );
      const [outcome] = await countsOutcomes(context, [result!]);
      const t = result!.table;
      return {
        outcome: outcome!,
        reading: t
          ? {
              orientation: t.orientation === 'samples-as-rows' ? 'SAMPLES_AS_ROWS' : 'GENES_AS_ROWS',
              orientationForced: t.orientationFrom === 'forced',
              unit: t.unit,
              unitDetected: t.unitDetected,
              attributeColumns: t.attributeColumns,
              attributesForced: t.attributesFrom === 'forced',
              samplesFile: t.sidecar === null ? null : path.basename(t.sidecar),
              samplesFileFound: t.sidecarFound,
              geneIds: t.geneIds,
              genesMapped: t.genesMapped,
              entrezMapped: t.entrezMapped,
              unmapped: t.unmappedIds,
              clinicalPatients: t.clinicalPatients,
            }
          : null,
      };
    },
    ingestClinicalUpload: async (_, args, context) => {
      requireRole(context, 'CURATOR');
      const result = await asUserInput(() =>
        withUploadedFile(asUpload(args.file), (file) =>
          ingestClinical(context.db, file, {
            timeUnit: timeUnitOf(args.timeUnit),
            ...uploadNaming(file),
          }),
        ),
      );
      return clinicalOutcome(context, result);
    },
  },
};
