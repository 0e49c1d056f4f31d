// Library sizes of stored raw-count profiles (CPM's denominator, as model/src/gexbert/normalise toLog2Cpm takes
// it: the sum of the whole profile's finite values), each read once per sample and database. A stored sample never
// changes, so its library size is remembered for the life of the process.
import { unpackRow, type ValueEncoding } from '@gexbert/core/expression/codec';
import type pg from 'pg';

/** `${cacheKey}/${sampleId}` -> library size (samples without raw counts are asked again: they may get some). */
const known = new Map<string, number>();
const BATCH = 100;

/** The library size of each sample with raw counts (samples without them are left out). */
export async function librarySizes(
  db: pg.Pool,
  sampleIds: readonly number[],
  cacheKey: string,
): Promise<Map<number, number>> {
  const missing = sampleIds.filter((id) => !known.has(`${cacheKey}/${id}`));
  for (let at = 0; at < missing.length; at += BATCH) {
    const batch = missing.slice(at, at + BATCH);
    const { rows } = await db.query<{ sampleId: number; encoding: ValueEncoding; values: Buffer }>(
      `SELECT p."sampleId", b.encoding, p.values FROM "ExpressionProfile" p JOIN "ExpressionBlock" b ON b.id = p."blockId"
       WHERE p."sampleId" = ANY($1::int[]) AND p.unit = 'RAW_COUNT'`,
      [batch],
    );
    for (const row of rows)
      known.set(`${cacheKey}/${row.sampleId}`, finiteSum(unpackRow(row.values, row.encoding)));
  }
  const out = new Map<number, number>();
  for (const id of sampleIds) {
    const size = known.get(`${cacheKey}/${id}`);
    if (size !== undefined) out.set(id, size);
  }
  return out;
}

function finiteSum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) total += values[i]!;
  return total;
}
