// Listings: a page of a model's rows in ID order, read with the total it is taken from.

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
