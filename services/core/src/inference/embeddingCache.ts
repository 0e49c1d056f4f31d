// The embedding cache in PostgreSQL ("SampleEmbedding"): one row per (sample, model version), the vector
// as float32 little-endian bytes. Reads and writes are one statement per batch of samples.
import type pg from 'pg';
import { NORMALISED_INPUT_UNITS } from './modelRuntime.ts';

export interface StoredEmbedding {
  vector: Float32Array;
  /** Measured vocabulary genes the embedding was computed from. */
  inputGenes: number;
  /** The model input: per-gene z over the vocabulary, NaN where not measured (null when not stored). */
  z: Float32Array | null;
}

/** What the cache knows about one sample for one model. */
export interface CacheLookup {
  /** The cached embedding, or null when it has not been computed yet. */
  cached: StoredEmbedding | null;
  /**
   * Whether the sample has a profile the model reads: RAW_COUNT, or one of NORMALISED_INPUT_UNITS (an
   * RSEM-only sample, say; modelInput).
   */
  hasCounts: boolean;
}

export function encodeVector(vector: Float32Array): Buffer {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes;
}

export function decodeVector(bytes: Buffer): Float32Array {
  const vector = new Float32Array(bytes.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}

/** Cached embeddings of the samples for one model, and whether each has raw counts: one query. */
export async function lookupEmbeddings(
  db: pg.Pool,
  modelVersionId: number,
  sampleIds: readonly number[],
): Promise<CacheLookup[]> {
  // raw SQL: bulk: one statement over up to thousands of samples (unnest)
  const { rows } = await db.query<{
    id: number;
    vector: Buffer | null;
    inputGenes: number | null;
    inputZ: Buffer | null;
    hasCounts: boolean;
  }>(
    `SELECT k.id, e.vector, e."inputGenes", e."inputZ",
       EXISTS (SELECT 1 FROM "ExpressionProfile" p
               WHERE p."sampleId" = k.id AND p.unit::text = ANY($3::text[])) AS "hasCounts"
     FROM unnest($2::int[]) AS k(id)
     LEFT JOIN "SampleEmbedding" e ON e."sampleId" = k.id AND e."modelVersionId" = $1`,
    [modelVersionId, sampleIds, ['RAW_COUNT', ...NORMALISED_INPUT_UNITS]],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return sampleIds.map((id) => {
    const row = byId.get(id);
    return {
      cached: row?.vector
        ? {
            vector: decodeVector(row.vector),
            inputGenes: row.inputGenes ?? 0,
            z: row.inputZ ? decodeVector(row.inputZ) : null,
          }
        : null,
      hasCounts: row?.hasCounts ?? false,
    };
  });
}

/** Stores computed embeddings (one multi-row INSERT; rows already there are kept). */
export async function storeEmbeddings(
  db: pg.Pool,
  modelVersionId: number,
  rows: readonly ({ sampleId: number } & StoredEmbedding)[],
): Promise<void> {
  if (rows.length === 0) return;
  // raw SQL: bulk: one statement over up to thousands of samples (unnest)
  await db.query(
    `INSERT INTO "SampleEmbedding" ("sampleId", "modelVersionId", vector, "inputGenes", "inputZ")
     SELECT k.sample_id, $1, k.vector, k.input_genes, k.input_z
     FROM unnest($2::int[], $3::bytea[], $4::int[], $5::bytea[]) AS k(sample_id, vector, input_genes, input_z)
     ON CONFLICT ("sampleId", "modelVersionId") DO NOTHING`,
    [
      modelVersionId,
      rows.map((r) => r.sampleId),
      rows.map((r) => encodeVector(r.vector)),
      rows.map((r) => r.inputGenes),
      rows.map((r) => (r.z ? encodeVector(r.z) : null)),
    ],
  );
}
