// GET /cohorts/<id>/heatmap/matrix.tsv?<the heatmap's parameters>: the heatmap's genes × samples values in its
// unit, rows and columns in the displayed (clustered) order, as TSV (lib/heatmapFigure.ts heatmapTsv).
import { HeatmapChoicesDocument } from '../../../../../generated/graphql.ts';
import { ApiError, apiRequest } from '../../../../../lib/api.ts';
import { currentUser } from '../../../../../lib/auth.ts';
import { scalesOf } from '../../../../../lib/genePage.ts';
import { loadHeatmap } from '../../../../../lib/heatmapData.ts';
import { heatmapTsv } from '../../../../../lib/heatmapFigure.ts';
import { parseHeatmapState } from '../../../../../lib/heatmapPage.ts';
import { isRecordId } from '../../../../../lib/recordId.ts';

export const dynamic = 'force-dynamic';

const text = (body: string, status: number) =>
  new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await currentUser();
  if (!user) return text('sign in first (the portal has no session for this request)', 401);
  const { id } = await params;
  if (!isRecordId(id)) return text(`no cohort has the id "${id}"`, 404);
  const query = new URL(request.url).searchParams;
  const { state, problem } = parseHeatmapState(
    Object.fromEntries([...new Set(query.keys())].map((k) => [k, query.getAll(k)])),
  );
  if (problem) return text(problem, 400);
  try {
    const choices = await apiRequest(HeatmapChoicesDocument, { id }, user.token);
    if (!choices.cohort) return text(`no cohort has the id "${id}"`, 404);
    const scales = scalesOf(choices.cohort.expressionUnits);
    const scale = scales.find((s) => s.param === (state.unit ?? scales[0]?.param));
    if (!scale)
      return text(`unit must be one this cohort has (${scales.map((s) => s.param).join(', ')})`, 400);
    const { cohort } = await loadHeatmap(id, state, scale, user.token);
    if (!cohort) return text(`no cohort has the id "${id}"`, 404);
    return new Response(heatmapTsv(cohort.heatmap), {
      headers: {
        'content-type': 'text/tab-separated-values; charset=utf-8',
        'content-disposition': `attachment; filename="cohort-${id}-heatmap.tsv"`,
      },
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return text(`the heatmap could not be made: ${error.message}`, error.unreachable ? 502 : 400);
  }
}
