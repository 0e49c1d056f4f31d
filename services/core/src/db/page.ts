// Listings: a page of rows in ID order, read with the total it is taken from (through Prisma or in SQL).
import type pg from 'pg';

/** What a listing needs of a Prisma model (prisma.cohort, prisma.modelVersion, ...). */
interface Listable<T> {
  findMany(args: { where: object; orderBy: { id: 'asc' | 'desc' }; take: number }): PromiseLike<T[]>;
  count(args: { where: object }): PromiseLike<number>;
}

/**
 * Up to `limit` rows matching `where` with IDs above `cursor.after` (ascending) or below `cursor.before`
 * (descending), and how many rows match `where`.
 */
export async function idPage<T>(
  model: Listable<T>,
  where: object,
  cursor: { after: number } | { before: number },
  limit: number,
): Promise<{ rows: T[]; total: number }> {
  const [id, order] =
    'after' in cursor ? [{ gt: cursor.after }, 'asc' as const] : [{ lt: cursor.before }, 'desc' as const];
  const [rows, total] = await Promise.all([
    model.findMany({ where: { ...where, id }, orderBy: { id: order }, take: limit }),
    model.count({ where }),
  ]);
  return { rows, total };
}

/** A listing in SQL: `SELECT columns FROM from WHERE where` (with `params`), paged by the `id` column. */
export interface SqlListing {
  columns: string;
  from: string;
  where: string;
  params: readonly unknown[];
  id: string;
}

/** Up to `limit` rows of the listing with IDs above `afterId` (ascending), and how many rows it holds. */
export async function sqlIdPage<T extends pg.QueryResultRow>(
  db: pg.Pool,
  listing: SqlListing,
  afterId: number,
  limit: number,
): Promise<{ rows: T[]; total: number }> {
  const { columns, from, where, params, id } = listing;
  const [rows, count] = await Promise.all([
    // raw SQL: the keyset page of SQL-built listings (callers' joins and filters)
    db.query<T>(
      `SELECT ${columns} FROM ${from} WHERE ${where} AND ${id} > $${params.length + 1}
       ORDER BY ${id} LIMIT $${params.length + 2}`,
      [...params, afterId, limit],
    ),
    // raw SQL: the keyset page of SQL-built listings (callers' joins and filters)
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from} WHERE ${where}`, [...params]),
  ]);
  return { rows: rows.rows, total: count.rows[0]!.n };
}
