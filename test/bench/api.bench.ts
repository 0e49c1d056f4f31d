// npm run bench:api — model-backed GraphQL speed, printed as figures (no pass/fail).
//  1. Embeddings of 1,000 samples: one `embeddings(sampleIds)` query against the same samples through the
//     model library directly (embedSamples: raw counts from PostgreSQL -> embed on onnxruntime), as a
//     throughput ratio (target >= 0.7). Cold = the SampleEmbedding cache emptied first (the API computes
//     and stores every embedding); warm = the same query again (served from the cache). Run in the order
//     direct, GraphQL, GraphQL, direct (means reported), so a drift in machine load cancels; this API runs
//     without the in-memory layer, so warm is the PostgreSQL cache.
//  2. Single-sample embedding query latency: 20 concurrent clients on loopback for 30 s (BENCH_SECONDS),
//     p50 / p99 and errors (target p99 < 50 ms, zero errors), on cached embeddings; the clients run in a
//     worker thread (keep-alive HTTP), so they do not share the server's event loop. BENCH_BASELINE=1 adds
//     the same load on `{ viewer { role } }` (token check + Apollo, no model) for comparison.
//  3. The analysis requests on the six real cohorts (291 samples, every stored gene), one client: a gene's
//     survival split, a clustered heatmap, and a group comparison by each method computed in the request
//     (ACC CHOL DLBC against KICH UCS UVM); first request and the same request again.
// Data: the six real TCGA cohorts (291 samples) plus a simulated cohort on the shipped model's vocabulary
// genes (and as many other protein-coding genes) to reach 1,000 samples.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createToken } from '@gexbert/core/auth/tokens';
import { simulateToDirectory } from '@gexbert/model/simulate';
import { quantile } from '@gexbert/model/stats';
import pg from 'pg';
import { startApi } from '../../services/api/src/server.ts';
import { migrate } from '../../services/core/src/db/migrate.ts';
import { ensureDatabase, startEmbedded } from '../../services/core/src/db/postgres.ts';
import { createPrisma } from '../../services/core/src/db/prisma.ts';
import { simulatedGeneIds } from '../../services/core/src/demo.ts';
import { embedSamples, loadModelRuntime } from '../../services/core/src/inference/modelRuntime.ts';
import { ingestClinical, ingestCounts } from '../../services/core/src/ingest/index.ts';
import { defaultCheckpointCache } from '../../services/core/src/registry/checkpointStore.ts';
import {
  promoteModelVersion,
  registerModelVersion,
  SHIPPED_CHECKPOINT,
} from '../../services/core/src/registry/modelVersion.ts';
import { freePort } from '../../services/core/test-support/database.ts';
import { sharedDir } from '../../services/core/test-support/shared.ts';
import { runLoad } from './support/loadClients.ts';

const COUNTS = path.join(sharedDir(), 'data/tcga/counts');
const OS_TABLE = path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);

const now = () => performance.now();
const pct = (sorted: number[], p: number) => quantile(sorted, p);

/** Simulated samples on the vocabulary's genes plus as many other protein-coding genes. */
async function simulatedCohort(dir: string, samples: number, vocabulary: string[]): Promise<void> {
  const inVocabulary = new Set(vocabulary);
  const others = simulatedGeneIds(vocabulary.length * 3)
    .filter((g) => !inVocabulary.has(g))
    .slice(0, vocabulary.length);
  await simulateToDirectory(
    { samples, genes: vocabulary.length * 2, types: 4, seed: 11, geneIds: [...vocabulary, ...others] },
    dir,
  );
}

/** A GraphQL client of the API at `url` with `token`; a failed request is an error. */
function graphql(url: string, token: string) {
  return async <T>(query: string, variables: object): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
    if (res.status !== 200 || body.errors) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  };
}

const COMPARE = `query($a: GroupInput!, $b: GroupInput!, $method: DeMethod) {
  compareGroups(a: $a, b: $b, method: $method) { state summary { genesMeasured genesTested } } }`;
const CREATE_COHORT = `mutation($input: CreateCohortInput!) { createCohort(input: $input) { id } }`;

/** Part 3: each analysis request's milliseconds, first and again, printed. */
async function analysisRequests(ask: ReturnType<typeof graphql>, curate: ReturnType<typeof graphql>) {
  const cohort = async (name: string, cancerTypes: string[]) =>
    (
      await curate<{ createCohort: { id: string } }>(CREATE_COHORT, {
        input: { name, filter: { cancerTypes } },
      })
    ).createCohort.id;
  const a = await cohort('ACC CHOL DLBC', ['ACC', 'CHOL', 'DLBC']);
  const b = await cohort('KICH UCS UVM', ['KICH', 'UCS', 'UVM']);
  const all = await cohort('six types', ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM']);
  const requests: [string, string, object][] = [
    [
      'geneSurvival (TP53, log2(CPM + 1), median split)',
      `query($id: ID!) { cohort(id: $id) { geneSurvival(gene: "TP53", transform: LOG2_CPM, split: MEDIAN) {
         logRank { pValue } } } }`,
      { id: all },
    ],
    [
      'heatmap (CD19, TP53, ALB; rows and columns clustered)',
      `query($id: ID!) { cohort(id: $id) { heatmap(genes: ["CD19", "TP53", "ALB"]) { sampleIds clusterMs } } }`,
      { id: all },
    ],
    ...['VOOM', 'LIMMA', 'WELCH', 'WILCOXON'].map((method): [string, string, object] => [
      `compareGroups ${method}, 130 vs 161 samples, every stored gene`,
      COMPARE,
      { a: { cohort: a }, b: { cohort: b }, method },
    ]),
  ];
  for (const [label, query, variables] of requests) {
    const ms: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = now();
      await ask(query, variables);
      ms.push(now() - t);
    }
    console.log(`${label}: first ${ms[0]!.toFixed(0)} ms, again ${ms[1]!.toFixed(0)} ms`);
  }
}

const SINGLE_QUERY = 'query($id: ID) { sample(id: $id) { embedding { vector } } }';
const BASELINE_QUERY = '{ viewer { role } }'; // the id sent beside it is ignored

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-bench-api-'));
  fs.chmodSync(dir, 0o755);
  const server = await startEmbedded(path.join(dir, 'pg'), await freePort());
  try {
    await ensureDatabase(server.adminUrl, 'bench');
    const url = server.urlFor('bench');
    await migrate(url);
    const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BENCH_POOL ?? 10) });
    pool.on('error', (error) => console.error(`database connection error: ${error.message}`));
    const prisma = createPrisma(url);

    console.log('== data');
    const start = now();
    await ingestCounts(pool, COUNTS, { cohort: 'TCGA' });
    await ingestClinical(pool, OS_TABLE);
    const vocabulary = fs
      .readFileSync(path.join(SHIPPED_CHECKPOINT, 'vocabulary.txt'), 'utf8')
      .split('\n')
      .filter(Boolean);
    const real = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM "Sample"')).rows[0]!.n;
    if (real < SAMPLES) {
      const simDir = path.join(dir, 'sim');
      await simulatedCohort(simDir, SAMPLES - real, vocabulary);
      await ingestCounts(pool, simDir, { cohort: 'Simulated' });
    }
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM "Sample" ORDER BY id LIMIT $1`, [
      SAMPLES,
    ]);
    const ids = rows.map((r) => r.id);
    console.log(
      `${real} real TCGA samples + ${ids.length - real} simulated, in ${((now() - start) / 1000).toFixed(1)} s`,
    );

    const config = JSON.parse(fs.readFileSync(path.join(SHIPPED_CHECKPOINT, 'config.json'), 'utf8'));
    const registered = await registerModelVersion(prisma, {
      name: 'tcga-6types',
      checkpointPath: SHIPPED_CHECKPOINT,
      status: 'CANDIDATE',
      config,
    });
    const version = await promoteModelVersion(prisma, registered.id);
    const token = (await createToken(prisma, 'bench', 'READER')).token;
    // part 1 without the in-memory layer, so "cold" and "warm" are the SampleEmbedding cache's
    const batchApi = await startApi({ pool, prisma, port: 0, env: {}, embeddingMemoryCache: 0 });
    const gql = graphql(batchApi.url, token);
    type Batch = { embeddings: { vector: number[] }[] };
    const BATCH = `query($ids: [ID!]) { embeddings(sampleIds: $ids) { sample { id } vector } }`;
    const runtime = await loadModelRuntime({ pool, cacheDir: defaultCheckpointCache() }, version);

    // warm-up: both paths open their onnxruntime sessions
    await embedSamples(runtime, pool, ids.slice(0, 8));
    await gql(BATCH, { ids: ids.slice(0, 8).map(String) });

    console.log(
      `== 1. embeddings of ${ids.length} samples (order direct, GraphQL, GraphQL, direct: load drift cancels)`,
    );
    const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> => {
      const t = now();
      const value = await work();
      return { value, seconds: (now() - t) / 1000 };
    };
    const direct = () => timed(() => embedSamples(runtime, pool, ids));
    const cold = () =>
      timed(async () => {
        await pool.query('DELETE FROM "SampleEmbedding"');
        return gql<Batch>(BATCH, { ids: ids.map(String) });
      });
    const d1 = await direct();
    const g1 = await cold();
    const g2 = await cold();
    const d2 = await direct();
    const warm = await timed(() => gql<Batch>(BATCH, { ids: ids.map(String) }));
    if (g1.value.embeddings.length !== ids.length || warm.value.embeddings.length !== ids.length)
      throw new Error('the API returned fewer embeddings than asked for');
    let maxDiff = 0;
    g1.value.embeddings.forEach((e, i) => {
      e.vector.forEach((v, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - d1.value.embeddings[i]![j]!));
      });
    });
    const rate = (sec: number) => `${sec.toFixed(2)} s (${(ids.length / sec).toFixed(1)} samples/s)`;
    const directSeconds = (d1.seconds + d2.seconds) / 2;
    const coldSeconds = (g1.seconds + g2.seconds) / 2;
    console.log(`model library directly (embedSamples): ${rate(d1.seconds)}, ${rate(d2.seconds)}`);
    console.log(`GraphQL, cold cache (computed and stored): ${rate(g1.seconds)}, ${rate(g2.seconds)}`);
    console.log(`GraphQL, warm cache (SampleEmbedding): ${rate(warm.seconds)}`);
    console.log(
      `ratio GraphQL / direct throughput (means): cold ${(directSeconds / coldSeconds).toFixed(2)}, warm ${(directSeconds / warm.seconds).toFixed(2)} (target >= 0.7); max |difference| ${maxDiff.toExponential(2)}`,
    );
    await batchApi.stop();

    console.log(`== 2. single-sample embedding query, ${CLIENTS} clients, ${SECONDS} s (cached embeddings)`);
    const api = await startApi({ pool, prisma, port: 0, env: {} });
    const before = { ...api.models.counters };
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const load = await runLoad({
      url: api.url,
      token,
      query: SINGLE_QUERY,
      expect: 'sample.embedding',
      ids,
      clients: CLIENTS,
      seconds: SECONDS,
    });
    loop.disable();
    const latencies = load.latencies;
    console.log(
      `${latencies.length} requests (${(latencies.length / SECONDS).toFixed(0)}/s): p50 ${pct(latencies, 0.5).toFixed(1)} ms, p99 ${pct(latencies, 0.99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms, errors ${load.errors} (target p99 < 50 ms, zero errors); predictor calls during the test: ${api.models.counters.embedBatches - before.embedBatches}`,
    );
    console.log(
      `server event-loop delay: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
    );

    if (process.env.BENCH_BASELINE) {
      const floor = await runLoad({
        url: api.url,
        token,
        query: BASELINE_QUERY,
        expect: 'viewer',
        ids,
        clients: CLIENTS,
        seconds: SECONDS,
      });
      const sorted = floor.latencies;
      console.log(
        `baseline { viewer { role } } (token check + Apollo only): ${sorted.length} requests (${(sorted.length / SECONDS).toFixed(0)}/s): p50 ${pct(sorted, 0.5).toFixed(1)} ms, p99 ${pct(sorted, 0.99).toFixed(1)} ms, errors ${floor.errors}`,
      );
    }

    console.log('== 3. analysis requests, six real cohorts (291 samples), one client');
    const curator = (await createToken(prisma, 'bench-curator', 'CURATOR')).token;
    await analysisRequests(graphql(api.url, token), graphql(api.url, curator));

    await runtime.close();
    await api.stop();
    await prisma.$disconnect();
    await pool.end();
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
