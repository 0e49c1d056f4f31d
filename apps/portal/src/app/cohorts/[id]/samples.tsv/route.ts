// GET /cohorts/<id>/samples.tsv?q=…&sort=…&dir=…: every sample of the cohort matching the table's search, in
// the table's order, as TSV (the sample table's columns), read from the API a page at a time.
import { CohortSamplesDocument } from '../../../../generated/graphql.ts';
import { ApiError, allPages, apiRequest } from '../../../../lib/api.ts';
import { currentUser } from '../../../../lib/auth.ts';
import { isRecordId } from '../../../../lib/recordId.ts';
import { parseSampleTableState, SAMPLE_COLUMNS, sampleQueryArgs } from '../../../../lib/sampleTable.ts';
import { toTsv } from '../../../../lib/tsv.ts';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await currentUser()))
    return new Response('sign in first (the portal has no session for this request)\n', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  const { id } = await params;
  if (!isRecordId(id))
    return new Response(`no cohort has the id "${id}"\n`, {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  const state = parseSampleTableState(Object.fromEntries(new URL(request.url).searchParams));
  const args = sampleQueryArgs(state);
  try {
    const samples = await allPages(
      async (first, after) =>
        (await apiRequest(CohortSamplesDocument, { id, first, after, ...args })).cohort?.samples ?? null,
      Number.MAX_SAFE_INTEGER,
    );
    const text = toTsv(
      SAMPLE_COLUMNS.map((c) => c.label),
      samples.nodes.map((s) => SAMPLE_COLUMNS.map((c) => c.value(s))),
    );
    return new Response(text, {
      headers: {
        'content-type': 'text/tab-separated-values; charset=utf-8',
        'content-disposition': `attachment; filename="cohort-${id.replace(/\D/g, '')}-samples.tsv"`,
      },
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return new Response(`the samples could not be loaded: ${error.message}\n`, {
      status: error.unreachable ? 502 : 400,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
}
