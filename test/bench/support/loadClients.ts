// The load generator of the API benchmarks: `clients` keep-alive connections in a worker thread (so they do
// not share the server's event loop, nor the benchmark's), each sending the next query as soon as the
// previous answer arrived, for `seconds`. Each query asks about one id, taken in turn from `ids`. An answer
// counts as an error unless it is HTTP 200 with no GraphQL errors and a non-null value at `expect` (a dotted
// path into `data`).
import { Worker } from 'node:worker_threads';

export interface LoadOptions {
  url: string;
  token: string;
  /** A GraphQL query taking one variable, `$id`. */
  query: string;
  /** Dotted path into `data` that must be non-null, e.g. "sample.embedding". */
  expect: string;
  ids: readonly (number | string)[];
  clients: number;
  seconds: number;
}

export interface LoadResult {
  /** Milliseconds of each successful request, sorted. */
  latencies: number[];
  errors: number;
  /** The first error's text, to say what went wrong. */
  firstError: string | null;
}

const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, token, query, expect, ids, clients, seconds } = workerData;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent,
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token, 'content-length': Buffer.byteLength(body) } },
      (res) => { const chunks = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() })); });
    req.on('error', reject);
    req.end(body);
  });
}
const at = (data, path) => path.split('.').reduce((v, k) => (v == null ? v : v[k]), data);
const latencies = [];
let errors = 0;
let firstError = null;
const until = performance.now() + seconds * 1000;
async function client(c) {
  for (let k = c; performance.now() < until; k += clients) {
    const id = ids[(k * 7919) % ids.length];
    const t = performance.now();
    try {
      const res = await post(JSON.stringify({ query, variables: { id: String(id) } }));
      const body = JSON.parse(res.text);
      if (res.status !== 200 || body.errors || at(body.data, expect) == null) {
        errors++;
        firstError = firstError || res.status + ' ' + res.text.slice(0, 300);
      } else latencies.push(performance.now() - t);
    } catch (error) { errors++; firstError = firstError || String(error); }
  }
}
Promise.all(Array.from({ length: clients }, (_, c) => client(c))).then(() => {
  agent.destroy();
  parentPort.postMessage({ latencies, errors, firstError });
});
`;

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { ...options, ids: [...options.ids] } });
    worker.once('message', (result: LoadResult) => {
      result.latencies.sort((a, b) => a - b);
      resolve(result);
    });
    worker.once('error', reject);
  });
}
