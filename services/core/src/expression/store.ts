// The expression store: packed vectors in Postgres, written with binary COPY and read whole or by gene.
// A block is one import's matrix in one unit. Each sample gets one profile row (all genes, in the block's
// gene layout) and each gene one slice row per block (all the block's samples), so reading a whole sample
// or a whole gene touches one row, or one row per block.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ExpressionUnit, ResolvedGene, ValueRow } from '../formats/types.ts';
import { storeGenes } from '../gene/store.ts';
import { copyRows } from './binaryCopy.ts';
import { columnOf, packRow, unpackRow, type ValueEncoding } from './codec.ts';

type Queryable = pg.ClientBase | pg.Pool;

/**
 * The layout of these genes in this order, created (with any genes the database lacks) when new.
 * Files with the same genes share one layout, so their genes are looked up once.
 */
export async function layoutFor(
  client: pg.ClientBase,
  genes: readonly ResolvedGene[],
): Promise<{ layoutId: number; geneIds: number[] }> {
  const checksum = createHash('sha256')
    .update(genes.map((g) => g.ensemblId).join('\n'))
    .digest('hex');
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const existing = await client.query<{ id: number; geneIds: number[] }>(
    `SELECT id, "geneIds" FROM "GeneLayout" WHERE checksum = $1`,
    [checksum],
  );
  if (existing.rows[0]) return { layoutId: existing.rows[0].id, geneIds: existing.rows[0].geneIds };
  const geneIds = await storeGenes(client, genes);
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO "GeneLayout" (checksum, "geneCount", "geneIds") VALUES ($1, $2, $3) RETURNING id`,
    [checksum, geneIds.length, geneIds],
  );
  return { layoutId: rows[0]!.id, geneIds };
}

export interface BlockToWrite {
  importId: number;
  unit: ExpressionUnit;
  encoding: ValueEncoding;
  layoutId: number;
  geneIds: readonly number[]; // Gene.id per row
  sampleIds: readonly number[]; // Sample.id per kept column
  columns: readonly number[]; // the column of `rows` holding each kept sample
  rows: readonly ValueRow[]; // rows[g][column]
}

/** Writes one block (its profiles and its gene slices) inside the caller's transaction. */
export async function writeBlock(
  client: pg.ClientBase,
  block: BlockToWrite,
  onValues: (n: number) => void = () => {},
) {
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows: inserted } = await client.query<{ id: number }>(
    `INSERT INTO "ExpressionBlock" ("importId", unit, encoding, "layoutId", "sampleIds")
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [block.importId, block.unit, block.encoding, block.layoutId, block.sampleIds],
  );
  const blockId = inserted[0]!.id;
  const genes = block.rows.length;
  await copyRows(
    client,
    'ExpressionProfile',
    ['sampleId', 'unit', 'blockId', 'values'],
    (function* () {
      for (let k = 0; k < block.sampleIds.length; k++) {
        const profile = columnOf(block.rows, block.columns[k]!, block.encoding);
        yield [
          { int4: block.sampleIds[k]! },
          { text: block.unit },
          { int4: blockId },
          { bytes: packRow(profile) },
        ];
      }
    })(),
    () => onValues(genes),
  );
  const allColumns = block.columns.length === block.rows[0]?.length && block.columns.every((c, i) => c === i);
  await copyRows(
    client,
    'GeneSlice',
    ['blockId', 'geneId', 'values'],
    (function* () {
      for (let g = 0; g < genes; g++) {
        const row = block.rows[g]!;
        const slice = allColumns ? row : pick(row, block.columns);
        yield [{ int4: blockId }, { int4: block.geneIds[g]! }, { bytes: packRow(slice) }];
      }
    })(),
  );
  return blockId;
}

function pick(row: ValueRow, columns: readonly number[]): ValueRow {
  const out = row instanceof Uint32Array ? new Uint32Array(columns.length) : new Float32Array(columns.length);
  for (let k = 0; k < columns.length; k++) out[k] = row[columns[k]!]!;
  return out;
}

export interface Profile {
  sampleId: number;
  unit: ExpressionUnit;
  blockId: number;
  layoutId: number;
  /** Ensembl IDs in the order of `values`. */
  genes: readonly string[];
  values: ValueRow;
}

const layoutGenes = new Map<string, Promise<readonly string[]>>();

/**
 * The Ensembl IDs of a layout, in order. Layouts never change, so they are cached per database; the cache
 * holds the pending read, so concurrent readers of one layout share a single query.
 */
export function genesOfLayout(db: Queryable, layoutId: number, cacheKey = ''): Promise<readonly string[]> {
  const key = `${cacheKey}/${layoutId}`;
  let genes = layoutGenes.get(key);
  if (!genes) {
    genes = db
      // raw SQL: unnest of an int[] column WITH ORDINALITY (thousands of genes in layout order)
      .query<{ ensemblId: string }>(
        `SELECT g."ensemblId" FROM "GeneLayout" l, unnest(l."geneIds") WITH ORDINALITY AS u(gene_id, pos)
         JOIN "Gene" g ON g.id = u.gene_id WHERE l.id = $1 ORDER BY u.pos`,
        [layoutId],
      )
      .then(({ rows }) => rows.map((r) => r.ensemblId));
    genes.catch(() => layoutGenes.delete(key));
    layoutGenes.set(key, genes);
  }
  return genes;
}

/** A sample's whole profile in one unit, or null when it has none. */
export async function readProfile(
  db: Queryable,
  sampleId: number,
  unit: ExpressionUnit,
  cacheKey = '',
): Promise<Profile | null> {
  return (await readProfiles(db, [sampleId], unit, cacheKey))[0] ?? null;
}

/** Samples per query of readProfiles (a raw-count profile of 60k genes is about 240 kB). */
const PROFILES_PER_QUERY = 200;
/** Whole profiles a caller holds in memory at once when it reads many samples (a chunk of readProfiles). */
export const PROFILES_IN_MEMORY = 256;

/**
 * The profiles of many samples in one unit, in the order asked (null where a sample has none): one query
 * per PROFILES_PER_QUERY samples instead of one per sample.
 */
export async function readProfiles(
  db: Queryable,
  sampleIds: readonly number[],
  unit: ExpressionUnit,
  cacheKey = '',
): Promise<(Profile | null)[]> {
  const found = new Map<number, Profile>();
  for (let i = 0; i < sampleIds.length; i += PROFILES_PER_QUERY) {
    // raw SQL: bulk read of packed expression vectors (bytea) across many samples or genes
    const { rows } = await db.query<{
      sampleId: number;
      blockId: number;
      layoutId: number;
      encoding: ValueEncoding;
      values: Buffer;
    }>({
      text: `SELECT p."sampleId", p."blockId", b."layoutId", b.encoding, p.values FROM "ExpressionProfile" p
             JOIN "ExpressionBlock" b ON b.id = p."blockId" WHERE p."sampleId" = ANY($1::int[]) AND p.unit = $2`,
      values: [sampleIds.slice(i, i + PROFILES_PER_QUERY), unit],
    });
    for (const row of rows)
      found.set(row.sampleId, {
        sampleId: row.sampleId,
        unit,
        blockId: row.blockId,
        layoutId: row.layoutId,
        genes: await genesOfLayout(db, row.layoutId, cacheKey),
        values: unpackRow(row.values, row.encoding),
      });
  }
  return sampleIds.map((id) => found.get(id) ?? null);
}

/** Which stored profile: a sample's, in a unit. */
export interface ProfileKey {
  sampleId: number;
  unit: ExpressionUnit;
}

/** A stored profile's values, by its layout (genesOfLayout), without reading the layout's genes. */
export interface StoredProfile {
  layoutId: number;
  unit: ExpressionUnit;
  values: ValueRow;
}

/** Whole stored profiles, each in its own unit, in one query (null where a sample has none in that unit). */
export async function storedProfiles(
  db: Queryable,
  keys: readonly ProfileKey[],
): Promise<(StoredProfile | null)[]> {
  // raw SQL: bulk read of packed expression vectors (bytea) across many samples or genes
  const { rows } = await db.query<{
    sampleId: number;
    unit: ExpressionUnit;
    layoutId: number;
    encoding: ValueEncoding;
    values: Buffer;
  }>(
    `SELECT p."sampleId", p.unit, b."layoutId", b.encoding, p.values
     FROM unnest($1::int[], $2::text[]) AS k(sample_id, unit)
     JOIN "ExpressionProfile" p ON p."sampleId" = k.sample_id AND p.unit::text = k.unit
     JOIN "ExpressionBlock" b ON b.id = p."blockId"`,
    [keys.map((k) => k.sampleId), keys.map((k) => k.unit)],
  );
  const found = new Map(rows.map((r) => [`${r.sampleId}:${r.unit}`, r]));
  return keys.map((k) => {
    const row = found.get(`${k.sampleId}:${k.unit}`);
    return row
      ? { layoutId: row.layoutId, unit: row.unit, values: unpackRow(row.values, row.encoding) }
      : null;
  });
}

/** The layout of each sample's stored profile in `unit` (sampleId -> layoutId), without reading its values. */
export async function profileLayouts(
  db: Queryable,
  sampleIds: readonly number[],
  unit: ExpressionUnit,
): Promise<Map<number, number>> {
  // raw SQL: bulk: the layouts of thousands of samples' profiles (a join Prisma would run as two reads)
  const { rows } = await db.query<{ sampleId: number; layoutId: number }>(
    `SELECT p."sampleId", b."layoutId" FROM "ExpressionProfile" p JOIN "ExpressionBlock" b ON b.id = p."blockId"
     WHERE p."sampleId" = ANY($1::int[]) AND p.unit = $2`,
    [[...sampleIds], unit],
  );
  return new Map(rows.map((r) => [r.sampleId, r.layoutId]));
}

export interface GeneValues {
  sampleIds: number[];
  values: Float64Array;
}

/** One gene's values in every sample that has it, in one unit (one row per block). */
export async function readGene(db: Queryable, geneId: number, unit: ExpressionUnit): Promise<GeneValues> {
  // raw SQL: bulk read of packed expression vectors (bytea) across many samples or genes
  const { rows } = await db.query<{ sampleIds: number[]; encoding: ValueEncoding; values: Buffer }>(
    `SELECT b."sampleIds", b.encoding, s.values FROM "GeneSlice" s JOIN "ExpressionBlock" b ON b.id = s."blockId"
     WHERE s."geneId" = $1 AND b.unit = $2 ORDER BY b.id`,
    [geneId, unit],
  );
  const total = rows.reduce((n, r) => n + r.sampleIds.length, 0);
  const out: GeneValues = { sampleIds: [], values: new Float64Array(total) };
  let at = 0;
  for (const row of rows) {
    const values = unpackRow(row.values, row.encoding);
    out.sampleIds.push(...row.sampleIds);
    out.values.set(values, at);
    at += values.length;
  }
  return out;
}

/** Where a sample's profile in one unit is stored: its block. */
export interface ProfilePlace {
  sampleId: number;
  barcode: string;
  blockId: number;
}

/** The samples of `sampleIds` with a profile in `unit`, in ID order, with their barcodes and blocks. */
export async function profilePlaces(
  db: Queryable,
  sampleIds: readonly number[],
  unit: ExpressionUnit,
): Promise<ProfilePlace[]> {
  // raw SQL: bulk: where thousands of samples' profiles are, joined to their barcodes
  const { rows } = await db.query<ProfilePlace>(
    `SELECT p."sampleId", s.barcode, p."blockId" FROM "ExpressionProfile" p JOIN "Sample" s ON s.id = p."sampleId"
     WHERE p."sampleId" = ANY($1::int[]) AND p.unit = $2 ORDER BY p."sampleId"`,
    [[...sampleIds], unit],
  );
  return rows;
}

/** A block's gene layout and the samples in the order of its gene slices. */
export interface BlockColumns {
  id: number;
  layoutId: number;
  sampleIds: number[];
}

/** These blocks' layouts and sample orders, in ID order. */
export async function blockColumns(db: Queryable, blockIds: readonly number[]): Promise<BlockColumns[]> {
  // raw SQL: bulk: int[] columns of many blocks (sample IDs by the thousand)
  const { rows } = await db.query<BlockColumns>(
    `SELECT id, "layoutId", "sampleIds" FROM "ExpressionBlock" WHERE id = ANY($1::int[]) ORDER BY id`,
    [[...blockIds]],
  );
  return rows;
}

/** Every gene (Gene.id) of these layouts, the first layout's order first, then genes only later layouts hold. */
export async function geneIdsOfLayouts(db: Queryable, layoutIds: readonly number[]): Promise<number[]> {
  // raw SQL: bulk: int[] gene lists of many layouts (genes by the thousand)
  const { rows } = await db.query<{ geneIds: number[] }>(
    `SELECT "geneIds" FROM "GeneLayout" WHERE id = ANY($1::int[]) ORDER BY id`,
    [[...layoutIds]],
  );
  return [...new Set(rows.flatMap((r) => r.geneIds))];
}

/** One gene's values across one block's samples (in the order of the block's sampleIds). */
export interface GeneSlice {
  geneId: number;
  blockId: number;
  values: ValueRow;
}

/** A gene slice as stored: packed. */
type PackedSlice = Omit<GeneSlice, 'values'> & { encoding: ValueEncoding; values: Buffer };

/** The slices of these genes in these blocks (any order; a gene a block lacks has none). */
export async function geneSlices(
  db: Queryable,
  of: { geneIds: readonly number[]; blockIds: readonly number[] },
): Promise<GeneSlice[]> {
  // raw SQL: bulk read of packed expression vectors (bytea) across many samples or genes
  const { rows } = await db.query<PackedSlice>(
    `SELECT s."geneId", s."blockId", b.encoding, s.values FROM "GeneSlice" s
     JOIN "ExpressionBlock" b ON b.id = s."blockId" WHERE s."geneId" = ANY($1::int[]) AND s."blockId" = ANY($2::int[])`,
    [[...of.geneIds], [...of.blockIds]],
  );
  return rows.map((r) => ({ geneId: r.geneId, blockId: r.blockId, values: unpackRow(r.values, r.encoding) }));
}

/**
 * The library size (sum of the finite values of the whole raw-count profile) of each of these samples with
 * raw counts (samples without them are absent).
 */
export async function rawCountLibrarySizes(
  db: Queryable,
  sampleIds: readonly number[],
): Promise<Map<number, number>> {
  // raw SQL: bulk read of packed expression vectors (bytea) across many samples or genes
  const { rows } = await db.query<{ sampleId: number; encoding: ValueEncoding; values: Buffer }>(
    `SELECT p."sampleId", b.encoding, p.values FROM "ExpressionProfile" p JOIN "ExpressionBlock" b ON b.id = p."blockId"
     WHERE p."sampleId" = ANY($1::int[]) AND p.unit = 'RAW_COUNT'`,
    [[...sampleIds]],
  );
  return new Map(rows.map((row) => [row.sampleId, finiteSum(unpackRow(row.values, row.encoding))]));
}

function finiteSum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) total += values[i]!;
  return total;
}

/** The units these samples have profiles stored in, sorted. */
export async function storedUnits(db: Queryable, sampleIds: readonly number[]): Promise<ExpressionUnit[]> {
  // raw SQL: DISTINCT over the profiles of thousands of samples
  const { rows } = await db.query<{ unit: ExpressionUnit }>(
    `SELECT DISTINCT unit FROM "ExpressionProfile" WHERE "sampleId" = ANY($1::int[]) ORDER BY unit`,
    [[...sampleIds]],
  );
  return rows.map((r) => r.unit);
}

/** The samples with a profile from one of these imports (any order). */
export async function samplesOfImports(db: Queryable, importIds: readonly number[]): Promise<number[]> {
  // raw SQL: bulk: DISTINCT samples of many imports' blocks
  const { rows } = await db.query<{ sampleId: number }>(
    `SELECT DISTINCT p."sampleId" FROM "ExpressionProfile" p JOIN "ExpressionBlock" b ON b.id = p."blockId"
     WHERE b."importId" = ANY($1::int[])`,
    [[...importIds]],
  );
  return rows.map((r) => r.sampleId);
}
