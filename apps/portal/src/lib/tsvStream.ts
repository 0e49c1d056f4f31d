// A TSV download streamed page by page from the API (constant memory for any number of rows): the header,
// then each page's rows as soon as it is read. The first page is read before answering, so a refused
// request fails here (an ApiError the route turns into its message) rather than mid-download.
import { type Cell, tsvLines } from './tsv.ts';

export async function tsvStreamResponse<T>(
  pages: AsyncGenerator<{ nodes: T[] }>,
  header: readonly string[],
  cells: (row: T) => Cell[],
  filename: string,
): Promise<Response> {
  const encoder = new TextEncoder();
  const lines = (rows: T[]) => encoder.encode(tsvLines(rows.map(cells)));
  const first = await pages.next();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(tsvLines([header])));
      if (!first.done) controller.enqueue(lines(first.value.nodes));
      else controller.close();
    },
    async pull(controller) {
      const next = await pages.next();
      if (next.done) controller.close();
      else controller.enqueue(lines(next.value.nodes));
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/tab-separated-values; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
    },
  });
}
