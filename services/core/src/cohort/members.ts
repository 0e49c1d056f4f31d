// A filter cohort's stored definition (Cohort.filter), the samples it selects (its filter's now plus those given
// by ID when it was made) and the one write that makes them the cohort's members (manual edits are replaced).
import type pg from 'pg';
import { z } from 'zod';
import { withTransaction } from '../db/transaction.ts';
import {
  type CohortFilter,
  evaluateFilter,
  type FilterResult,
  type GeneValueSource,
  parseCohortFilter,
} from './filter.ts';

/** What Cohort.filter holds: the validated filter and the sample IDs given beside it. */
export interface CohortDefinition {
  filter: CohortFilter;
  sampleIds: number[];
}

const storedShape = z.object({ filter: z.unknown(), sampleIds: z.array(z.number().int()) });

/** The stored definition, validated again (a definition stored by an older version names what to fix). */
export function storedDefinition(json: unknown, cohortId: number): CohortDefinition | null {
  if (json == null) return null;
  const shape = storedShape.parse(json);
  return { filter: parseCohortFilter(shape.filter, `cohort ${cohortId} filter`), sampleIds: shape.sampleIds };
}

/** The samples the definition selects now: its filter's plus those given by ID (ascending). */
export async function chooseMembers(
  db: pg.Pool,
  definition: CohortDefinition,
  genes: GeneValueSource,
): Promise<FilterResult> {
  const result = await evaluateFilter(db, definition.filter, genes);
  const sampleIds = [...new Set([...result.sampleIds, ...definition.sampleIds])].sort((a, b) => a - b);
  return { ...result, sampleIds };
}

/**
 * Makes the cohort's members exactly `members` and stores the definition they came from, in one transaction
 * (the cohort row locked: two rebuilds of one cohort run one after the other).
 */
export async function storeMembers(
  db: pg.Pool,
  cohortId: number,
  definition: CohortDefinition,
  members: readonly number[],
): Promise<{ added: number; removed: number }> {
  return withTransaction(db, async (client) => {
    // raw SQL: row lock (FOR UPDATE), which Prisma cannot take
    await client.query(`SELECT id FROM "Cohort" WHERE id = $1 FOR UPDATE`, [cohortId]);
    // raw SQL: bulk: thousands of members in one statement (= ANY), under the row lock above
    const removed = await client.query(
      `DELETE FROM "CohortSample" WHERE "cohortId" = $1 AND NOT ("sampleId" = ANY($2::int[]))`,
      [cohortId, members],
    );
    // raw SQL: bulk: thousands of members in one statement (unnest, ON CONFLICT DO NOTHING)
    const added = await client.query(
      `INSERT INTO "CohortSample" ("cohortId", "sampleId") SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`,
      [cohortId, members],
    );
    // raw SQL: EXISTS over thousands of members (= ANY) and clock_timestamp(), in the same transaction
    await client.query(
      `UPDATE "Cohort" c SET filter = $2::jsonb, "builtAt" = clock_timestamp(), "updatedAt" = clock_timestamp(),
         simulated = EXISTS (SELECT 1 FROM "Sample" s WHERE s.id = ANY($3::int[]) AND s.simulated)
       WHERE c.id = $1`,
      [cohortId, JSON.stringify(definition), members],
    );
    return { added: added.rowCount ?? 0, removed: removed.rowCount ?? 0 };
  });
}
