// One transaction on one pooled connection.
import type pg from 'pg';

/** Runs `work` in one transaction on one connection; any error rolls everything back. */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // raw SQL (BEGIN, COMMIT, ROLLBACK): transaction control of pg work Prisma cannot do (COPY, advisory locks)
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
