// GET /compare/genes.tsv?a=…&b=…&method=…&sort=…&dir=…: every tested gene of the comparison in the table's
// order, as TSV, streamed: each page read from the API is sent on at once (constant memory for any number
// of genes).
import { CompareGroupsDocument } from '../../../generated/graphql.ts';
import { ApiError, apiRequest, pagesOf } from '../../../lib/api.ts';
import { currentUser } from '../../../lib/auth.ts';
import { compareArgs, isComplete, parseCompareState } from '../../../lib/comparison.ts';
import { tsvStreamResponse } from '../../../lib/tsvStream.ts';
import { GENE_TSV_HEADER, geneCells } from '../geneCells.ts';

export const dynamic = 'force-dynamic';

const text = (body: string, status: number) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export async function GET(request: Request) {
  const user = await currentUser();
  if (!user) return text('sign in first (the portal has no session for this request)\n', 401);
  const state = parseCompareState(Object.fromEntries(new URL(request.url).searchParams));
  if (!isComplete(state)) return text('choose two groups: a=<cohort id>&b=<cohort id>\n', 400);
  const { first: _first, after: _after, ...args } = compareArgs(state);
  let pagesRead = 0;
  const pages = pagesOf(async (first, after) => {
    const answer = (
      await apiRequest(
        CompareGroupsDocument,
        { ...args, first, after, details: false },
        pagesRead++ === 0 ? undefined : user.token,
      )
    ).compareGroups;
    if (answer.state !== 'DONE')
      throw new ApiError(`the comparison is ${answer.state.toLowerCase()}; try again when it is done`, false);
    return answer.genes ?? null;
  }, Number.MAX_SAFE_INTEGER);
  try {
    return await tsvStreamResponse(pages, GENE_TSV_HEADER, geneCells, `comparison-${state.method}-genes.tsv`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return text(`the genes could not be loaded: ${error.message}\n`, error.unreachable ? 502 : 400);
  }
}
