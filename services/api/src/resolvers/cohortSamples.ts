// A cohort's samples searched and sorted (core cohort/samplePage.ts), as a GraphQL connection paged with
// keyset cursors in both directions.
import { sortedCohortSamples } from '@gexbert/core/cohort/samplePage';
import type { Context } from '../context.ts';
import { badInput } from '../errors.ts';
import type { CohortSamplesArgs } from '../generated/graphql.ts';
import { encodeCursor, pageRequest } from '../pagination.ts';
import type { Connection, SampleRow } from '../rows.ts';

const MAX_SEARCH = 200;

/** Page size, cursor and direction from first/after (forward) or last/before (backward). */
function pageOf(args: CohortSamplesArgs, context: Context) {
  const backward = args.last != null || args.before != null;
  if (backward && (args.first != null || args.after != null))
    throw badInput('page forward with first/after or backward with last/before, not both');
  const page = backward
    ? pageRequest('Sample', { first: args.last, after: args.before }, context.config)
    : pageRequest('Sample', args, context.config);
  return { size: page.first, cursorId: page.afterId, backward };
}

/** A page of cohort `cohortId`'s samples matching `args.search` in `args.orderBy` order. */
export async function cohortSamplePage(
  context: Context,
  cohortId: number,
  args: CohortSamplesArgs,
): Promise<Connection<SampleRow>> {
  const page = pageOf(args, context);
  const search = args.search?.trim() ?? '';
  if (search.length > MAX_SEARCH) throw badInput(`search is longer than ${MAX_SEARCH} characters`);
  const { rows, total } = await sortedCohortSamples(context.db, cohortId, {
    search,
    field: args.orderBy?.field ?? 'ID',
    descending: args.orderBy?.direction === 'DESC',
    cursorId: page.cursorId,
    limit: page.size + 1,
    backward: page.backward,
  });
  const more = rows.length > page.size;
  const nodes = rows.slice(0, page.size);
  if (page.backward) nodes.reverse();
  const edges = nodes.map((node) => ({ cursor: encodeCursor('Sample', node.id), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: page.backward ? page.cursorId > 0 : more,
      hasPreviousPage: page.backward ? more : page.cursorId > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: total,
  };
}

/** True when the arguments need the searched / sorted / backward page rather than the plain ID order. */
export function needsSortedPage(args: CohortSamplesArgs): boolean {
  return Boolean(args.search?.trim() || args.orderBy || args.last != null || args.before != null);
}
