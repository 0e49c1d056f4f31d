// GET /cohorts/<id>/map.json[?model=<id>]: the cohort's embedding map packed for the browser
// (lib/embeddingMap.ts), which the dashboard's map section fetches after the page has drawn. An 11,000-sample
// map is about 0.7 MB: sent inside the page it held the whole page back, here it loads beside the page's other
// sections.
import { ApiError } from '../../../../lib/api.ts';
import { currentUser } from '../../../../lib/auth.ts';
import { loadEmbeddingMap } from '../../../../lib/cohortModelPanels.ts';
import { isRecordId } from '../../../../lib/recordId.ts';

export const dynamic = 'force-dynamic';

const text = (body: string, status: number) =>
  new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await currentUser())) return text('sign in first (the portal has no session for this request)', 401);
  const { id } = await params;
  if (!isRecordId(id)) return text(`no cohort has the id "${id}"`, 404);
  // ?model=<id>: the map through that model (the cohort's model page); none: the active model
  const model = new URL(request.url).searchParams.get('model') ?? undefined;
  if (model !== undefined && !isRecordId(model)) return text(`no model has the id "${model}"`, 404);
  try {
    const loaded = await loadEmbeddingMap(id, model);
    if (loaded === undefined) return text(`no cohort has the id "${id}"`, 404);
    return Response.json(loaded, { headers: { 'cache-control': 'private, no-store' } });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return text(error.message, error.unreachable ? 502 : 400);
  }
}
