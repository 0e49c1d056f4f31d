// The API explorer: GraphiQL (the build of @graphql-yoga/graphiql, with its schema documentation explorer)
// served by the API itself, its script, styles and editor workers read from the installed npm package, so the
// page works with no network beyond this server. Apollo Server renders the page (a landing page plugin) for a
// GET with `Accept: text/html`; the assets are answered under EXPLORER_ASSETS_PATH.
import { createReadStream } from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

export const EXPLORER_ASSETS_PATH = '/explorer-assets/';

/** The files the page loads, by the name it asks for: path in the package, content type. */
const ASSETS: Record<string, [string, string]> = {
  'graphiql.js': ['dist/yoga-graphiql.es.js', 'text/javascript; charset=utf-8'],
  'graphiql.css': ['dist/graphiql.css', 'text/css; charset=utf-8'],
  'editor.worker.js': ['dist/monacoeditorwork/editor.worker.bundle.js', 'text/javascript; charset=utf-8'],
  'graphql.worker.js': ['dist/monacoeditorwork/graphql.worker..bundle.js', 'text/javascript; charset=utf-8'],
  'json.worker.js': ['dist/monacoeditorwork/json.worker.bundle.js', 'text/javascript; charset=utf-8'],
};

const packageDir = path.dirname(
  createRequire(import.meta.url).resolve('@graphql-yoga/graphiql/package.json'),
);

/** Answers a request for one of the explorer's assets; false when `pathname` is not one. */
export function serveExplorerAsset(pathname: string, res: http.ServerResponse): boolean {
  if (!pathname.startsWith(EXPLORER_ASSETS_PATH)) return false;
  const asset = ASSETS[pathname.slice(EXPLORER_ASSETS_PATH.length)];
  if (!asset) return false;
  const [file, type] = asset;
  res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
  createReadStream(path.join(packageDir, file))
    .on('error', () => res.destroy())
    .pipe(res);
  return true;
}

const DEFAULT_QUERY = `# GexBERT API explorer. Docs: the book icon, top left.
# Your token goes under Headers below:
#   {"Authorization": "Bearer gxb_..."}
# Run: Ctrl-Enter. Complete: Ctrl-Space.
{
  viewer { role }
  cohorts(first: 10) { totalCount nodes { id name sampleCount } }
}
`;

/** The explorer page: GraphiQL against this server's GraphQL endpoint, with plain fetch as its fetcher. */
export function explorerHtml(endpoint: string): string {
  const asset = (name: string) => `${EXPLORER_ASSETS_PATH}${name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GexBERT API explorer</title>
<link rel="stylesheet" href="${asset('graphiql.css')}">
<style>html, body, #root { height: 100%; margin: 0; }</style>
</head>
<body>
<noscript>The explorer needs JavaScript; the API answers POST ${endpoint} without it.</noscript>
<div id="root"></div>
<script type="module">
  const workers = { graphql: '${asset('graphql.worker.js')}', json: '${asset('json.worker.js')}' };
  globalThis.MonacoEnvironment = {
    getWorker: (_id, label) => new Worker(workers[label] ?? '${asset('editor.worker.js')}', { type: 'module' }),
  };
  const { renderYogaGraphiQL } = await import('${asset('graphiql.js')}');
  renderYogaGraphiQL(document.getElementById('root'), {
    title: 'GexBERT API',
    query: ${JSON.stringify(DEFAULT_QUERY)},
    fetcher: async (params, options) => {
      const response = await fetch(${JSON.stringify(endpoint)}, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options?.headers ?? {}) },
        body: JSON.stringify(params),
      });
      return response.json();
    },
  });
</script>
</body>
</html>
`;
}
