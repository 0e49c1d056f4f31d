// GET /cohorts/<id>/samples.tsv?q=…&sort=…&dir=…: every sample of the cohort matching the table's search, in
// the table's order, as TSV (the sample table's columns), streamed: each page read from the API is sent on
// at once, so a cohort of any size downloads in constant memory.
import { CohortSamplesDocument } from '../../../../generated/graphql.ts';
import { ApiError, apiRequest, pagesOf } from '../../../../lib/api.ts';
import { currentUser } from '../../../../lib/auth.ts';
import { isRecordId } from '../../../../lib/recordId.ts';
import { parseSampleTableState, SAMPLE_COLUMNS, sampleQueryArgs } from '../../../../lib/sampleTable.ts';
import { tsvStreamResponse } from '../../../../lib/tsvStream.ts';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await currentUser();
  if (!user)
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
  // The first page is read as any request (a refused session ends here); the rest with the same token, as
  // the stream is read after this handler has returned.
  let pagesRead = 0;
  const pages = pagesOf(
    async (first, after) =>
      (
        await apiRequest(
          CohortSamplesDocument,
          { id, first, after, ...args },
          pagesRead++ === 0 ? undefined : user.token,
        )
      ).cohort?.samples ?? null,
    Number.MAX_SAFE_INTEGER,
  );
  try {
    return await tsvStreamResponse(
      pages,
      SAMPLE_COLUMNS.map((c) => c.label),
      (s) => SAMPLE_COLUMNS.map((c) => c.value(s)),
      `cohort-${id.replace(/\D/g, '')}-samples.tsv`,
    );
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return new Response(`the samples could not be loaded: ${error.message}\n`, {
      status: error.unreachable ? 502 : 400,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
}
