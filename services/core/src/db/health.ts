// Whether the database answers: what a health check reports.
import type pg from 'pg';

/** True when `pool` reaches its database and it answers a trivial query; false on any error. */
export function databaseAnswers(pool: pg.Pool): Promise<boolean> {
  // raw SQL: administration: the health check needs only a round trip
  return pool.query('SELECT 1').then(
    () => true,
    () => false,
  );
}
