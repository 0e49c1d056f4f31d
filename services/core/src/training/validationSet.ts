// The fixed validation set of retraining and of the promotion gate: a sample belongs to it when the first
// byte of sha256(sample barcode) is below 51, i.e. a fixed ~20% (51/256) bucket. Membership depends only on
// the barcode, so it is deterministic, never changes for a sample, and grows proportionally as data is
// ingested. Validation samples are never trained on; every other sample with raw counts is training data.
// Simulated samples (Sample.simulated, from `gexbert simulate` files) are in neither set, nor counted towards
// the retrain threshold, unless the caller passes includeSimulated (an explicit retraining request).
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Samples whose sha256(barcode) starts with a byte below this are validation samples (51/256 ≈ 19.9%). */
export const VALIDATION_BUCKET = 51;

/** Whether a sample barcode is in the fixed validation set. */
export function isValidationBarcode(barcode: string): boolean {
  return createHash('sha256').update(barcode, 'utf8').digest()[0]! < VALIDATION_BUCKET;
}

/** The same rule in SQL, on a "Sample" row aliased `alias`. */
export function validationSql(alias: string): string {
  return `(get_byte(sha256(convert_to(${alias}.barcode, 'UTF8')), 0) < ${VALIDATION_BUCKET})`;
}

export interface SampleSetOptions {
  /** Include simulated samples (default false: only an explicit `--include-simulated` run asks for them). */
  includeSimulated?: boolean;
}

/** `AND NOT alias.simulated` unless simulated samples were asked for. */
export function simulatedFilterSql(alias: string, options: SampleSetOptions = {}): string {
  return options.includeSimulated ? '' : ` AND NOT ${alias}.simulated`;
}

const HAS_COUNTS = (alias: string) =>
  `EXISTS (SELECT 1 FROM "ExpressionProfile" p WHERE p."sampleId" = ${alias}.id AND p.unit = 'RAW_COUNT')`;

/** Ids of the samples with raw counts in the validation set (ascending). */
export async function validationSampleIds(pool: pg.Pool, options: SampleSetOptions = {}): Promise<number[]> {
  // raw SQL: the validation split is a SQL expression over the barcode (validationSql)
  const { rows } = await pool.query<{ id: number }>(
    `SELECT s.id FROM "Sample" s WHERE ${HAS_COUNTS('s')} AND ${validationSql('s')}${simulatedFilterSql('s', options)} ORDER BY s.id`,
  );
  return rows.map((r) => r.id);
}

/** Ids of the samples with raw counts outside the validation set: the training data (ascending). */
export async function trainingSampleIds(pool: pg.Pool, options: SampleSetOptions = {}): Promise<number[]> {
  // raw SQL: the validation split is a SQL expression over the barcode (validationSql)
  const { rows } = await pool.query<{ id: number }>(
    `SELECT s.id FROM "Sample" s WHERE ${HAS_COUNTS('s')} AND NOT ${validationSql('s')}${simulatedFilterSql('s', options)} ORDER BY s.id`,
  );
  return rows.map((r) => r.id);
}

/**
 * Training samples the model version has not seen: those outside its training snapshot or, for a model
 * without a snapshot (the shipped checkpoint), those ingested after it was registered.
 */
export async function newTrainingSampleCount(
  pool: pg.Pool,
  modelVersionId: number | null,
  options: SampleSetOptions = {},
): Promise<number> {
  // raw SQL: the validation split is a SQL expression over the barcode (validationSql)
  const { rows } = await pool.query<{ n: string }>(
    `WITH v AS (SELECT id, "createdAt", "trainingSampleCount" FROM "ModelVersion" WHERE id = $1)
     SELECT count(*) AS n FROM "Sample" s
     WHERE ${HAS_COUNTS('s')} AND NOT ${validationSql('s')}${simulatedFilterSql('s', options)}
       AND NOT EXISTS (SELECT 1 FROM "ModelTrainingSample" t WHERE t."sampleId" = s.id AND t."modelVersionId" = $1)
       AND NOT EXISTS (SELECT 1 FROM v WHERE v."trainingSampleCount" = 0 AND s."createdAt" <= v."createdAt")`,
    [modelVersionId],
  );
  return Number(rows[0]!.n);
}
