// A cohort's genes x samples matrix in one unit, as TSV lines, read a batch of genes at a time from the
// expression store's gene slices (one row per gene and block, all the block's samples): a line is one gene across
// every sample, so the matrix is written gene by gene and never held whole (a batch of GENES_PER_READ genes is).
// Values are those Cohort.geneValues answers (genes/geneColumn.ts): as stored, or log2(CPM + 1) of the raw
// counts with each sample's library size.
import { unpackRow, type ValueEncoding } from '@gexbert/core/expression/codec';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import type pg from 'pg';
import type { ValueTransform } from '../generated/graphql.ts';
import { log2CpmOf } from '../genes/geneColumn.ts';
import { librarySizes } from '../genes/librarySizes.ts';
import { type Cell, tsvLine } from './tsv.ts';

/** Genes read per query: 64 genes x 11,000 samples is under 3 MB of packed values. */
export const GENES_PER_READ = 64;

export interface MatrixRequest {
  /** The cohort's sample IDs. */
  members: readonly number[];
  unit: ExpressionUnit;
  transform: ValueTransform;
  /** Gene.id values in the order wanted; null: every gene the samples' profiles in the unit hold. */
  geneIds: readonly number[] | null;
  cacheKey: string;
}

/** The samples with a profile in the unit (ID order), the block holding each and its place in the block. */
interface Columns {
  sampleIds: number[];
  barcodes: string[];
  /** blockId -> [column, position in the block's sampleIds] pairs. */
  byBlock: Map<number, [number, number][]>;
  layoutIds: number[];
}

async function columnsOf(db: pg.Pool, members: readonly number[], unit: ExpressionUnit): Promise<Columns> {
  const { rows } = await db.query<{ sampleId: number; barcode: string; blockId: number }>(
    `SELECT p."sampleId", s.barcode, p."blockId" FROM "ExpressionProfile" p JOIN "Sample" s ON s.id = p."sampleId"
     WHERE p."sampleId" = ANY($1::int[]) AND p.unit = $2 ORDER BY p."sampleId"`,
    [[...members], unit],
  );
  const blockIds = [...new Set(rows.map((r) => r.blockId))];
  const blocks = await db.query<{ id: number; layoutId: number; sampleIds: number[] }>(
    `SELECT id, "layoutId", "sampleIds" FROM "ExpressionBlock" WHERE id = ANY($1::int[]) ORDER BY id`,
    [blockIds],
  );
  const positions = new Map(blocks.rows.map((b) => [b.id, new Map(b.sampleIds.map((id, k) => [id, k]))]));
  const byBlock = new Map<number, [number, number][]>();
  rows.forEach((r, column) => {
    const place = positions.get(r.blockId)!.get(r.sampleId)!;
    const pairs = byBlock.get(r.blockId) ?? [];
    pairs.push([column, place]);
    byBlock.set(r.blockId, pairs);
  });
  return {
    sampleIds: rows.map((r) => r.sampleId),
    barcodes: rows.map((r) => r.barcode),
    byBlock,
    layoutIds: [...new Set(blocks.rows.map((b) => b.layoutId))],
  };
}

/** Every gene of these layouts, first layout's order first, then genes only later layouts hold. */
async function genesOfLayouts(db: pg.Pool, layoutIds: readonly number[]): Promise<number[]> {
  const { rows } = await db.query<{ geneIds: number[] }>(
    `SELECT "geneIds" FROM "GeneLayout" WHERE id = ANY($1::int[]) ORDER BY id`,
    [[...layoutIds]],
  );
  return [...new Set(rows.flatMap((r) => r.geneIds))];
}

/** The header line (gene, symbol, then the samples' barcodes) and one line per gene, in order. */
export async function* cohortMatrixLines(db: pg.Pool, request: MatrixRequest): AsyncGenerator<string> {
  const columns = await columnsOf(db, request.members, request.unit);
  const geneIds = request.geneIds ?? (await genesOfLayouts(db, columns.layoutIds));
  const library =
    request.transform === 'LOG2_CPM'
      ? await librarySizes(db, columns.sampleIds, request.cacheKey).then((sizes) =>
          columns.sampleIds.map((id) => sizes.get(id) ?? 0),
        )
      : null;
  const blockIds = [...columns.byBlock.keys()];
  yield tsvLine(['gene', 'symbol', ...columns.barcodes]);
  for (let at = 0; at < geneIds.length; at += GENES_PER_READ) {
    const batch = geneIds.slice(at, at + GENES_PER_READ);
    const [genes, slices] = await Promise.all([
      db.query<{ id: number; ensemblId: string; symbol: string | null }>(
        `SELECT id, "ensemblId", symbol FROM "Gene" WHERE id = ANY($1::int[])`,
        [batch],
      ),
      db.query<{ geneId: number; blockId: number; encoding: ValueEncoding; values: Buffer }>(
        `SELECT s."geneId", s."blockId", b.encoding, s.values FROM "GeneSlice" s
         JOIN "ExpressionBlock" b ON b.id = s."blockId" WHERE s."geneId" = ANY($1::int[]) AND s."blockId" = ANY($2::int[])`,
        [batch, blockIds],
      ),
    ]);
    const gene = new Map(genes.rows.map((g) => [g.id, g]));
    const slicesOf = new Map<number, (typeof slices.rows)[number][]>();
    for (const slice of slices.rows)
      slicesOf.set(slice.geneId, [...(slicesOf.get(slice.geneId) ?? []), slice]);
    for (const geneId of batch) {
      const row = new Float64Array(columns.sampleIds.length).fill(Number.NaN);
      for (const slice of slicesOf.get(geneId) ?? []) {
        const values = unpackRow(slice.values, slice.encoding);
        for (const [column, place] of columns.byBlock.get(slice.blockId)!) row[column] = values[place]!;
      }
      const out: ArrayLike<number> = library ? log2CpmOf(row, library) : row;
      const cells: Cell[] = [gene.get(geneId)?.ensemblId ?? String(geneId), gene.get(geneId)?.symbol ?? ''];
      for (let k = 0; k < out.length; k++) cells.push(Number.isNaN(out[k]!) ? null : out[k]!);
      yield tsvLine(cells);
    }
  }
}
