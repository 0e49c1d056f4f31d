// GET /cohorts/<id>/export/expression.tsv.gz?unit=LOG2_CPM|<stored unit>&genes=TP53,ESR1 and
// /cohorts/<id>/export/clinical.tsv.gz: the API's export of the cohort (gzip TSV) with the signed-in user's
// token, passed on as it arrives (the portal never holds the file).
import { loadPortalConfig } from '../../../../../config.ts';
import { currentUser } from '../../../../../lib/auth.ts';
import { EXPORT_FILES, type ExportFile, exportQuery } from '../../../../../lib/cohortExport.ts';
import { isRecordId } from '../../../../../lib/recordId.ts';

export const dynamic = 'force-dynamic';

const text = (message: string, status: number) =>
  new Response(`${message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export async function GET(request: Request, { params }: { params: Promise<{ id: string; file: string }> }) {
  const user = await currentUser();
  if (!user) return text('sign in first (the portal has no session for this request)', 401);
  const { id, file } = await params;
  if (!isRecordId(id)) return text(`no cohort has the id "${id}"`, 404);
  if (!(EXPORT_FILES as readonly string[]).includes(file))
    return text(`a cohort exports ${EXPORT_FILES.join(' and ')}; not "${file}"`, 404);
  const query = exportQuery(new URL(request.url).searchParams);
  const apiUrl = loadPortalConfig().apiUrl;
  const url = new URL(`/export/cohorts/${id}/${file as ExportFile}${query}`, apiUrl);
  let upstream: Response;
  try {
    upstream = await fetch(url, { cache: 'no-store', headers: { authorization: `Bearer ${user.token}` } });
  } catch (error) {
    return text(`the API at ${apiUrl} cannot be reached (${(error as Error).message})`, 502);
  }
  if (!upstream.ok) {
    const body = (await upstream.json().catch(() => null)) as { errors?: { message: string }[] } | null;
    const message = body?.errors?.[0]?.message ?? `the API answered HTTP ${upstream.status}`;
    return text(`the export could not be made: ${message}`, upstream.status);
  }
  return new Response(upstream.body, {
    headers: {
      'content-type': 'application/gzip',
      'content-disposition': upstream.headers.get('content-disposition') ?? `attachment; filename="${file}"`,
      'cache-control': 'no-store',
    },
  });
}
