// Stores parsed expression matrices as one import, in one transaction: all of it, or nothing.
// Re-running the same file changes nothing; a sample already stored with the same values is skipped,
// and one stored with different values is an error. A stored sample that gains a unit loses its stored
// model answers (inference/storedAnswers.ts).
import type pg from 'pg';
import { encodingOf, sameValues, unpackRow } from '../expression/codec.ts';
import { layoutFor, writeBlock } from '../expression/store.ts';
import { InputError } from '../formats/inputError.ts';
import type { ParsedMatrix, SampleHeader } from '../formats/types.ts';
import { forgetStoredAnswers } from '../inference/storedAnswers.ts';
import type { ImportSource } from './source.ts';
import { addToCohort, type ImportKind, type ImportResult, insertImport } from './transaction.ts';

export interface MatrixImportOptions {
  kind: ImportKind;
  cohort?: string;
  /** Called as values are written: (values written so far, values in all). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Stores one new source's matrices inside the caller's import transaction (see withImportTransaction);
 * the caller has checked with alreadyImported that the source is new.
 */
export async function importMatrices(
  client: pg.ClientBase,
  source: ImportSource,
  matrices: readonly ParsedMatrix[],
  options: MatrixImportOptions,
): Promise<ImportResult> {
  const first = matrices[0]!;
  const importId = await insertImport(client, source, options.kind, {
    unit: matrices.length === 1 ? first.unit : null,
    rowCount: first.genes.length + first.unmapped.length,
    geneCount: first.genes.length,
    unmappedGenes: first.unmapped,
    warnings: matrices.flatMap((m) => m.warnings),
  });
  const total = matrices.reduce((n, m) => n + m.genes.length * m.samples.length, 0);
  let done = 0;
  const progress = (n: number) => {
    done += n;
    options.onProgress?.(done, total);
  };
  const touched = new Set<number>();
  let written = 0; // samples of the first matrix written (GDC matrices share their samples)
  let skipped = 0;
  for (const [m, matrix] of matrices.entries()) {
    const { layoutId, geneIds } = await layoutFor(client, matrix.genes);
    // New samples of a simulated source are simulated; samples stored before keep their own flag.
    const sampleIds = await upsertSamples(client, importId, matrix, source.simulated);
    const keep = await samplesToWrite(client, matrix, geneIds, sampleIds);
    for (const id of sampleIds) touched.add(id);
    if (m === 0) {
      skipped = matrix.samples.length - keep.length;
      written = keep.length;
    }
    if (keep.length === 0) continue;
    await writeBlock(
      client,
      {
        importId,
        unit: matrix.unit,
        encoding: encodingOf(matrix.rows[0]!),
        layoutId,
        geneIds,
        sampleIds: keep.map((s) => sampleIds[s]!),
        columns: keep,
        rows: matrix.rows,
      },
      progress,
    );
    // a sample stored before in another unit may read differently now (e.g. counts after RSEM)
    await forgetStoredAnswers(
      client,
      keep.map((s) => sampleIds[s]!),
    );
  }
  const samples = first.samples.length;
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  await client.query(
    `UPDATE "Import" SET "sampleCount" = $2, "skippedCount" = $3, "finishedAt" = clock_timestamp() WHERE id = $1`,
    [importId, samples, skipped],
  );
  if (options.cohort) await addToCohort(client, options.cohort, [...touched]);
  return {
    id: importId,
    unchanged: false,
    samples,
    genes: first.genes.length,
    skipped,
    written,
    simulated: source.simulated,
  };
}

/** Creates the file's patients and samples where new; returns Sample.id per column. */
async function upsertSamples(
  client: pg.ClientBase,
  importId: number,
  matrix: ParsedMatrix,
  simulated: boolean,
): Promise<number[]> {
  const samples = matrix.samples;
  const patients = [...new Map(samples.map((s) => [s.patientBarcode, s])).values()];
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  await client.query(
    `INSERT INTO "Patient" (barcode, "projectId", "cancerType")
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (barcode) DO UPDATE SET
       "projectId" = COALESCE("Patient"."projectId", EXCLUDED."projectId"),
       "cancerType" = COALESCE("Patient"."cancerType", EXCLUDED."cancerType")`,
    [
      patients.map((p) => p.patientBarcode),
      patients.map((p) => projectOf(p, matrix)),
      patients.map((p) => p.cancerType ?? matrix.cancerType),
    ],
  );
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{ id: number; barcode: string }>(
    `INSERT INTO "Sample" (barcode, "aliquotBarcode", "patientId", "sampleTypeCode", "sampleType", "importId", simulated)
     SELECT u.barcode, u.aliquot, p.id, u.code, u.type::"SampleType", $6, $7
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(barcode, aliquot, patient, code, type)
     JOIN "Patient" p ON p.barcode = u.patient
     ON CONFLICT (barcode) DO UPDATE SET "aliquotBarcode" = COALESCE("Sample"."aliquotBarcode", EXCLUDED."aliquotBarcode")
     RETURNING id, barcode`,
    [
      samples.map((s) => s.sampleBarcode),
      samples.map((s) => s.aliquotBarcode),
      samples.map((s) => s.patientBarcode),
      samples.map((s) => s.sampleTypeCode),
      samples.map((s) => sampleTypeOf(s.sampleTypeCode)),
      importId,
      simulated,
    ],
  );
  const byBarcode = new Map(rows.map((r) => [r.barcode, r.id]));
  return samples.map((s) => byBarcode.get(s.sampleBarcode)!);
}

function projectOf(sample: SampleHeader, matrix: ParsedMatrix): string | null {
  if (sample.projectId) return sample.projectId;
  const prefix = sample.patientBarcode.split('-')[0];
  const cancerType = sample.cancerType ?? matrix.cancerType;
  return cancerType && prefix === 'TCGA' ? `TCGA-${cancerType}` : null;
}

/** TCGA sample type codes: 01-09 tumour, 10-19 normal, 20-29 control. */
export function sampleTypeOf(code: string | null): 'TUMOR' | 'NORMAL' | 'CONTROL' | 'OTHER' {
  const n = code === null ? Number.NaN : Number(code);
  if (n >= 1 && n <= 9) return 'TUMOR';
  if (n >= 10 && n <= 19) return 'NORMAL';
  if (n >= 20 && n <= 29) return 'CONTROL';
  return 'OTHER';
}

/**
 * The columns whose samples have no profile in this unit yet. A sample stored with identical values is
 * skipped; one stored with different values stops the import with an error naming the column.
 */
async function samplesToWrite(
  client: pg.ClientBase,
  matrix: ParsedMatrix,
  geneIds: readonly number[],
  sampleIds: readonly number[],
): Promise<number[]> {
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{
    sampleId: number;
    values: Buffer;
    encoding: 'U32' | 'F32';
    geneIds: number[];
    importId: number;
    fileName: string;
  }>(
    `SELECT p."sampleId", p.values, b.encoding, l."geneIds", i.id AS "importId", i."fileName"
     FROM "ExpressionProfile" p JOIN "ExpressionBlock" b ON b.id = p."blockId"
     JOIN "GeneLayout" l ON l.id = b."layoutId" JOIN "Import" i ON i.id = b."importId"
     WHERE p."sampleId" = ANY($1) AND p.unit = $2`,
    [sampleIds, matrix.unit],
  );
  const stored = new Map(rows.map((r) => [r.sampleId, r]));
  const keep: number[] = [];
  for (const [s, id] of sampleIds.entries()) {
    const previous = stored.get(id);
    if (!previous) {
      keep.push(s);
      continue;
    }
    const position = new Map(previous.geneIds.map((g, i) => [g, i]));
    const old = unpackRow(previous.values, previous.encoding);
    const oldValues = geneIds.map((g) => (position.has(g) ? old[position.get(g)!]! : Number.NaN));
    const newValues = matrix.rows.map((row) => row[s]!);
    if (sameValues(oldValues, newValues)) continue;
    const header = matrix.samples[s]!;
    throw new InputError({
      file: matrix.file,
      line: header.line ?? 1,
      column: header.column,
      problem: `sample ${header.sampleBarcode} is already stored (import #${previous.importId}, ${previous.fileName}) with different ${matrix.unit} values`,
      fix: `remove this ${header.line === undefined ? 'column' : 'row'}, or give the sample its own barcode if it is a different sample`,
    });
  }
  return keep;
}
