// A cohort's genes x samples matrix in one unit, as TSV lines, read a batch of genes at a time from the
// expression store's gene slices (one row per gene and block, all the block's samples): a line is one gene across
// every sample, so the matrix is written gene by gene and never held whole (a batch of GENES_PER_READ genes is).
// Values are those Cohort.geneValues answers (genes/geneColumn.ts): as stored, or log2(CPM + 1) of the raw
// counts with each sample's library size.

import type { PrismaClient } from '@gexbert/core/db/prisma';
import {
  blockColumns,
  type GeneSlice,
  geneIdsOfLayouts,
  geneSlices,
  profilePlaces,
} from '@gexbert/core/expression/store';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import { genesById } from '@gexbert/core/gene/records';
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
  const rows = await profilePlaces(db, members, unit);
  const blocks = await blockColumns(db, [...new Set(rows.map((r) => r.blockId))]);
  const positions = new Map(blocks.map((b) => [b.id, new Map(b.sampleIds.map((id, k) => [id, k]))]));
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
    layoutIds: [...new Set(blocks.map((b) => b.layoutId))],
  };
}

/** The header line (gene, symbol, then the samples' barcodes) and one line per gene, in order. */
export async function* cohortMatrixLines(
  { db, prisma }: { db: pg.Pool; prisma: PrismaClient },
  request: MatrixRequest,
): AsyncGenerator<string> {
  const columns = await columnsOf(db, request.members, request.unit);
  const geneIds = request.geneIds ?? (await geneIdsOfLayouts(db, columns.layoutIds));
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
      genesById(prisma, batch),
      geneSlices(db, { geneIds: batch, blockIds }),
    ]);
    const gene = new Map(genes.map((g) => [g.id, g]));
    const slicesOf = new Map<number, GeneSlice[]>();
    for (const slice of slices) slicesOf.set(slice.geneId, [...(slicesOf.get(slice.geneId) ?? []), slice]);
    for (const geneId of batch) {
      const row = new Float64Array(columns.sampleIds.length).fill(Number.NaN);
      for (const slice of slicesOf.get(geneId) ?? []) {
        for (const [column, place] of columns.byBlock.get(slice.blockId)!) row[column] = slice.values[place]!;
      }
      const out: ArrayLike<number> = library ? log2CpmOf(row, library) : row;
      const cells: Cell[] = [gene.get(geneId)?.ensemblId ?? String(geneId), gene.get(geneId)?.symbol ?? ''];
      for (let k = 0; k < out.length; k++) cells.push(Number.isNaN(out[k]!) ? null : out[k]!);
      yield tsvLine(cells);
    }
  }
}
