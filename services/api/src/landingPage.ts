// A minimal query page served by the API itself: plain HTML and a few lines of script, no CDN, no network
// beyond POSTs to this server (Apollo's default landing page and GraphiQL load their code from CDNs).
export function landingPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GexBERT API</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; max-width: 70rem; }
  textarea, input { font-family: ui-monospace, monospace; font-size: 0.9rem; width: 100%; box-sizing: border-box; }
  textarea { height: 14rem; }
  pre { background: #f4f4f4; padding: 1rem; overflow: auto; max-height: 40rem; }
  label { display: block; margin-top: 0.8rem; font-weight: 600; }
</style>
</head>
<body>
<h1>GexBERT API</h1>
<p>POST GraphQL requests to this URL with <code>Authorization: Bearer &lt;token&gt;</code>.
The schema is in the repository (<code>services/api/src/schema</code>).</p>
<form id="form">
  <label for="token">API token</label>
  <input id="token" type="password" autocomplete="off" placeholder="gxb_...">
  <label for="query">Query</label>
  <textarea id="query">{
  viewer { role }
  cohorts(first: 10) { totalCount nodes { id name sampleCount } }
}</textarea>
  <label for="variables">Variables (JSON)</label>
  <input id="variables" value="{}">
  <p><button type="submit">Run</button></p>
</form>
<pre id="result"></pre>
<script>
  const byId = (id) => document.getElementById(id);
  byId('token').value = sessionStorage.getItem('gexbert-token') || '';
  byId('form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = byId('token').value.trim();
    sessionStorage.setItem('gexbert-token', token);
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    let variables;
    try { variables = JSON.parse(byId('variables').value || '{}'); }
    catch (e) { byId('result').textContent = 'Variables are not valid JSON: ' + e.message; return; }
    const response = await fetch(location.pathname, {
      method: 'POST', headers, body: JSON.stringify({ query: byId('query').value, variables }),
    });
    const text = await response.text();
    try { byId('result').textContent = JSON.stringify(JSON.parse(text), null, 2); }
    catch { byId('result').textContent = response.status + ' ' + text; }
  });
</script>
</body>
</html>
`;
}
