// Precompute in the worker, on real TCGA counts: a promotion through the API queues batches of every stored
// sample, two workers share them (each batch run once), every sample gets one stored embedding and one stored
// answer, equal to what the API computes on demand; an ingest queues batches of just its new samples; the
// API answers a precomputed sample without loading the model; the worker that finishes a precompute stores
// every cohort's map, which API processes then read; a rollback precomputes the six cohorts again, split by
// two `gexbert worker` processes (the time is printed). Gene importance rankings are turned off (GEXBERT_GENE_IMPORTANCE=off): they are
// test/worker/geneImportance.test.ts's, and on they kept both workers busy for the whole file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type RunningApi, startApi } from '@gexbert/api/server';
import { createToken } from '@gexbert/core/auth/tokens';
import { writeSimulatedCohort } from '@gexbert/core/demo';
import { parseCountsMatrix } from '@gexbert/core/formats/index';
import { mapAnswerKey } from '@gexbert/core/inference/cohortMap';
import { decodeVector } from '@gexbert/core/inference/embeddingCache';
import { embedSamples, loadModelRuntime } from '@gexbert/core/inference/modelRuntime';
import { precomputeProgress } from '@gexbert/core/inference/precompute';
import { ingestCounts, ingestTable } from '@gexbert/core/ingest/index';
import { openJobQueue } from '@gexbert/core/jobs/queue';
import { storeCheckpoint } from '@gexbert/core/registry/checkpointStore';
import {
  ensureActiveModel,
  registerModelVersion,
  SHIPPED_CHECKPOINT,
} from '@gexbert/core/registry/modelVersion';
import { query } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import { requestRetraining } from '@gexbert/core/training/request';
import { readModelHeads, toStored } from '@gexbert/model/heads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWorker, startWorker } from '../../services/worker/src/worker.ts';
import { startCli } from '../support/cli.ts';
import { COUNTS, TINY, type WorkerTestPlatform, waitFor, workerPlatform } from './support.ts';

/** Response data, checked by value. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on response values, not on static types
type Data = Record<string, any>;

const FIRST = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS'];
const LATER = 'UVM';
const BATCH = 40;
/** The precompute check interval of the worker the simulated and RSEM samples wait for. */
const CHECK_SECONDS = 5;
process.env.GEXBERT_PRECOMPUTE_BATCH = String(BATCH); // read by the API (as by the workers)
process.env.GEXBERT_GENE_IMPORTANCE = 'off'; // read by the workers (in process and `gexbert worker`)

let t: WorkerTestPlatform;
let api: RunningApi;
let apiQueue: Awaited<ReturnType<typeof openJobQueue>>;
let tokens: { admin: string; curator: string; reader: string };
let shippedId: number;
let secondId: number;
const workers: RunningWorker[] = [];
const outcomes: { worker: number; batchId: number; skipped: boolean; error?: string; maps?: number[] }[] = [];

async function gql(text: string, variables: object, token: string, url = api.url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: text, variables }),
  });
  const body = (await res.json()) as { data?: Data; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

/** Another API process on the same database, with its own checkpoint cache: nothing loaded yet. */
const freshApi = (cache: string) =>
  startApi({
    pool: t.platform.pool,
    prisma: t.platform.prisma,
    port: 0,
    env: { GEXBERT_CHECKPOINT_CACHE_DIR: path.join(t.modelsDir, cache) },
  });

const PROGRESS = `query($id: ID!) { model(id: $id) { precompute { total done queuedBatches runningBatches failedBatches finishedBatches headsId } } }`;

async function progress(id: number) {
  return (await gql(PROGRESS, { id: String(id) }, tokens.reader)).model.precompute;
}

async function waitDone(id: number, seconds = 600) {
  const version = (await t.platform.prisma.modelVersion.findUnique({ where: { id } }))!;
  await waitFor(
    `precompute of model ${id}`,
    async () => {
      const p = await precomputeProgress(t.platform.pool, version);
      return p.total > 0 && p.done === p.total && p.queued + p.running === 0 ? p : undefined;
    },
    seconds,
  );
  return progress(id); // as the API serves it
}

const batchesOf = (id: number) =>
  query<{
    id: number;
    reason: string;
    state: string;
    executions: number;
    sampleIds: number[];
    workerId: string;
  }>(
    t.url,
    `SELECT id, reason, state::text AS state, executions, "sampleIds", "workerId" FROM "PrecomputeBatch"
     WHERE "modelVersionId" = $1 ORDER BY id`,
    [id],
  );

const samplesWithCounts = async () =>
  (
    await query<{ id: number }>(
      t.url,
      `SELECT DISTINCT "sampleId" AS id FROM "ExpressionProfile" WHERE unit = 'RAW_COUNT' ORDER BY 1`,
    )
  ).map((r) => r.id);

beforeAll(async () => {
  t = await workerPlatform('precompute', FIRST, {
    clinical: true,
    activate: false,
    env: { GEXBERT_PRECOMPUTE_CHECK_SECONDS: '30' },
  });
  const shipped = await ensureActiveModel(t.platform); // the first start: no queue, the workers' check plans
  shippedId = shipped.id;
  // a second version of the same checkpoint, to be promoted through the API
  const second = await registerModelVersion(t.platform.prisma, {
    name: 'second',
    checkpointPath: path.join(t.modelsDir, 'nowhere'),
    status: 'CANDIDATE',
    config: JSON.parse(fs.readFileSync(path.join(SHIPPED_CHECKPOINT, 'config.json'), 'utf8')),
  });
  await storeCheckpoint(t.platform.pool, second.id, SHIPPED_CHECKPOINT);
  await t.platform.prisma.modelVersion.update({
    where: { id: second.id },
    data: { heads: toStored(readModelHeads(SHIPPED_CHECKPOINT)!) as object },
  });
  secondId = second.id;
  apiQueue = await openJobQueue(t.url);
  api = await startApi({
    pool: t.platform.pool,
    prisma: t.platform.prisma,
    port: 0,
    env: { GEXBERT_CHECKPOINT_CACHE_DIR: path.join(t.modelsDir, 'api-cache') },
    queue: apiQueue,
    ingestDirs: [sharedDir()],
  });
  tokens = {
    admin: (await createToken(t.platform.prisma, 'admin', 'ADMIN')).token,
    curator: (await createToken(t.platform.prisma, 'curator', 'CURATOR')).token,
    reader: (await createToken(t.platform.prisma, 'reader', 'READER')).token,
  };
}, 600_000);

afterAll(async () => {
  for (const w of workers) await w.stop();
  await api?.stop();
  await apiQueue?.close();
  await t?.platform.close();
});

describe('precompute', () => {
  it('a promotion queues batches of every sample; two workers share them and each batch runs once', async () => {
    await gql(`mutation($id: ID!) { promoteModel(id: $id) { id } }`, { id: String(secondId) }, tokens.admin);
    const samples = await samplesWithCounts();
    const queued = await batchesOf(secondId);
    expect(queued.length).toBe(Math.ceil(samples.length / BATCH));
    expect(queued.every((b) => b.reason === 'PROMOTION' && b.state === 'QUEUED')).toBe(true);
    expect(queued.flatMap((b) => b.sampleIds).sort((a, b) => a - b)).toEqual(samples);

    const started = Date.now();
    for (const n of [0, 1])
      workers.push(
        await startWorker(
          { url: t.url, pool: t.platform.pool, prisma: t.platform.prisma, config: t.config },
          {
            onPrecompute: (o) =>
              outcomes.push({
                worker: n,
                batchId: o.batchId,
                skipped: 'skipped' in o ? o.skipped : false,
                ...('error' in o ? { error: o.error } : {}),
                ...('maps' in o ? { maps: o.maps } : {}),
              }),
          },
        ),
      );
    const done = await waitDone(secondId);
    console.log(
      `precompute: ${samples.length} samples (${FIRST.join(', ')}) in ${queued.length} batches of ${BATCH} by two in-process workers: ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(done).toMatchObject({ total: samples.length, done: samples.length, failedBatches: 0 });

    const batches = await batchesOf(secondId);
    expect(batches.every((b) => b.state === 'DONE' && b.executions === 1)).toBe(true);
    // the worker that ran the last batch goes on to store the cohorts' maps before its job ends
    await waitFor('every batch job to end', async () =>
      outcomes.filter((o) => !o.skipped).length >= batches.length ? true : undefined,
    );
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    const ran = outcomes.filter((o) => !o.skipped);
    expect(ran.map((o) => o.batchId).sort((a, b) => a - b)).toEqual(batches.map((b) => b.id));
    expect(new Set(ran.map((o) => o.worker)).size).toBe(2); // both workers took batches
    expect(new Set(batches.map((b) => b.workerId)).size).toBe(2);
    const [jobs] = await query<{ n: number }>(
      t.url,
      `SELECT count(*)::int AS n FROM (SELECT id FROM pgboss.job WHERE name = 'precompute'
       UNION ALL SELECT id FROM pgboss.archive WHERE name = 'precompute') j`,
    );
    expect(jobs!.n).toBe(batches.length);
    // turned off, the finished precompute queued no gene importance rankings
    const [rankings] = await query<{ n: number }>(
      t.url,
      `SELECT count(*)::int AS n FROM (SELECT id FROM pgboss.job WHERE name = 'gene-importance'
       UNION ALL SELECT id FROM pgboss.archive WHERE name = 'gene-importance') j`,
    );
    expect(rankings!.n).toBe(0);

    // exactly one stored embedding and one stored answer per sample for this version
    const rows = await query<{ id: number; embeddings: number; predictions: number; typed: boolean }>(
      t.url,
      `SELECT s.id,
         (SELECT count(*)::int FROM "SampleEmbedding" e WHERE e."sampleId" = s.id AND e."modelVersionId" = $1) AS embeddings,
         (SELECT count(*)::int FROM "SamplePrediction" p WHERE p."sampleId" = s.id AND p."modelVersionId" = $1) AS predictions,
         (SELECT bool_and(p.prediction IS NOT NULL) FROM "SamplePrediction" p WHERE p."sampleId" = s.id AND p."modelVersionId" = $1) AS typed
       FROM unnest($2::int[]) AS s(id)`,
      [secondId, samples],
    );
    expect(rows.every((r) => r.embeddings === 1 && r.predictions === 1 && r.typed)).toBe(true);
    // nothing was precomputed for the retired shipped model
    expect(await batchesOf(shippedId)).toEqual([]);
  }, 600_000);

  it('the API answers precomputed samples without loading the model, and equal to its on-demand answers', async () => {
    const samples = await samplesWithCounts();
    const picked = [samples[0]!, samples[57]!, samples[150]!];
    const ASK = `query($id: ID!) { sample(id: $id) {
      cancerTypePrediction { cancerType closestType probability novelty outOfDistribution heads { id inputGenes panelMatched }
        probabilities { cancerType probability } }
      riskScore { score trainingPercentile patients events percentile heads { id } } } }`;
    // a fresh API process: nothing loaded
    const reader = await freshApi('reader-cache');
    const ask = async (url: string, id: number) =>
      (await gql(ASK, { id: String(id) }, tokens.reader, url)).sample;
    let stored: Data[];
    try {
      stored = [];
      for (const id of picked) stored.push(await ask(reader.url, id));
      expect(reader.models.counters).toMatchObject({ runtimeLoads: 0, embeddedSamples: 0, embedBatches: 0 });
      expect(reader.models.counters.storedPredictions).toBe(picked.length);
    } finally {
      await reader.stop();
    }
    // the same samples answered on demand from their stored embeddings: the very same answers, stored again
    const forget = (table: string) =>
      query(t.url, `DELETE FROM "${table}" WHERE "modelVersionId" = $1 AND "sampleId" = ANY($2::int[])`, [
        secondId,
        picked,
      ]);
    await forget('SamplePrediction');
    const before = { ...api.models.counters };
    for (const [i, id] of picked.entries()) expect(await ask(api.url, id)).toEqual(stored[i]);
    expect(api.models.counters.storedPredictions).toBe(before.storedPredictions);
    expect(api.models.counters.embeddedSamples).toBe(before.embeddedSamples);
    expect((await progress(secondId)).done).toBe(samples.length);
    // and with the embeddings computed again (by an API process without them in memory), one sample per
    // forward pass instead of the worker's batches: equal up to float rounding
    await forget('SamplePrediction');
    await forget('SampleEmbedding');
    const other = await freshApi('reader-cache');
    try {
      for (const [i, id] of picked.entries()) {
        const fresh = await ask(other.url, id);
        const a = stored[i]!;
        expect(fresh.cancerTypePrediction.cancerType).toBe(a.cancerTypePrediction.cancerType);
        expect(fresh.cancerTypePrediction.heads).toEqual(a.cancerTypePrediction.heads);
        expect(fresh.cancerTypePrediction.probability).toBeCloseTo(a.cancerTypePrediction.probability, 3);
        expect(fresh.cancerTypePrediction.novelty).toBeCloseTo(a.cancerTypePrediction.novelty, 3);
        expect(fresh.riskScore.score).toBeCloseTo(a.riskScore.score, 3);
      }
      expect(other.models.counters.embeddedSamples).toBe(picked.length);
    } finally {
      await other.stop();
    }
    expect((await progress(secondId)).done).toBe(samples.length);
  }, 300_000);

  it("the worker that finishes a precompute stores each cohort's map; API processes serve it without the model and place a cohort again when its members change", async () => {
    const MAP = `query($id: ID!) { cohort(id: $id) { map { model { id } explained withoutEmbedding
      points { sampleId barcode x y cancerType predictedType closestType outOfDistribution risk } } } }`;
    const cohorts = (await query<{ id: number }>(t.url, 'SELECT id FROM "Cohort" ORDER BY id')).map(
      (r) => r.id,
    );
    const { headsId } = await progress(secondId);
    expect(new Set(outcomes.flatMap((o) => o.maps ?? []))).toEqual(new Set(cohorts)); // by the last batch's worker
    const storedMaps = await query<{ cohortId: number; projection: string; scored: number; umap: boolean }>(
      t.url,
      `SELECT "cohortId", value->>'projection' AS projection, jsonb_array_length(value->'readability') AS scored,
         (value->'umap') IS NOT NULL AND jsonb_typeof(value->'umap') = 'object' AS umap
       FROM "CohortAnswer" WHERE key = $1 ORDER BY 1`,
      [mapAnswerKey(secondId, headsId)],
    );
    expect(storedMaps.map((r) => r.cohortId)).toEqual(cohorts); // stored by the worker, before any request
    // each with its UMAP beside the PCA, both scored, the better-reading one named
    for (const m of storedMaps) {
      expect(m).toMatchObject({ scored: 2, umap: true });
      expect(['PCA', 'UMAP']).toContain(m.projection);
    }
    const reader = await freshApi('map-cache');
    const mapOf = async (url: string, id: number) =>
      (await gql(MAP, { id: String(id) }, tokens.reader, url)).cohort.map;
    const cohortId = cohorts[0]!;
    let served: Data;
    try {
      served = await mapOf(reader.url, cohortId);
      expect(reader.models.counters).toMatchObject({
        runtimeLoads: 0,
        embeddedSamples: 0,
        storedPredictions: 0,
      });
    } finally {
      await reader.stop();
    }
    const members = await query<{ id: number }>(
      t.url,
      `SELECT "sampleId" AS id FROM "CohortSample" WHERE "cohortId" = $1 ORDER BY 1`,
      [cohortId],
    );
    expect(served.model.id).toBe(String(secondId));
    expect(served.points.map((p: Data) => Number(p.sampleId))).toEqual(members.map((m) => m.id));
    // the map the API places itself from the stored embeddings is the same (up to float rounding: the test
    // before this one replaced three stored embeddings and answers with ones computed one sample per forward pass)
    await query(t.url, 'DELETE FROM "CohortAnswer" WHERE "cohortId" = $1', [cohortId]);
    const placed = await mapOf(api.url, cohortId);
    const numbers = (map: Data) => [...map.explained, ...map.points.flatMap((p: Data) => [p.x, p.y, p.risk])];
    const rest = (map: Data) => ({
      ...map,
      explained: null,
      points: map.points.map(({ x, y, risk, ...p }: Data) => p),
    });
    expect(rest(placed)).toEqual(rest(served));
    for (const [i, v] of numbers(placed).entries()) expect(v).toBeCloseTo(numbers(served)[i], 5);
    const [again] = await query<{ fingerprint: string }>(
      t.url,
      `SELECT fingerprint FROM "CohortAnswer" WHERE "cohortId" = $1 AND key LIKE 'map/%'`,
      [cohortId],
    );
    expect(again).toBeDefined(); // stored for the next request
    // one member fewer: the stored map no longer fits the cohort and it is placed again without the sample
    const removed = members[3]!.id;
    await gql(
      `mutation($id: ID!, $input: EditCohortInput!) { editCohort(id: $id, input: $input) { id } }`,
      { id: String(cohortId), input: { removeSampleIds: [String(removed)] } },
      tokens.curator,
    );
    const after = await mapOf(api.url, cohortId);
    expect(after.points.map((p: Data) => Number(p.sampleId))).toEqual(
      members.map((m) => m.id).filter((id) => id !== removed),
    );
    const [changed] = await query<{ fingerprint: string }>(
      t.url,
      `SELECT fingerprint FROM "CohortAnswer" WHERE "cohortId" = $1 AND key LIKE 'map/%'`,
      [cohortId],
    );
    expect(changed!.fingerprint).not.toBe(again!.fingerprint);
  }, 300_000);

  it('an ingest queues batches of just its new samples for the active model', async () => {
    const before = await samplesWithCounts();
    const already = new Set((await batchesOf(secondId)).map((b) => b.id));
    await gql(
      `mutation($input: IngestCountsInput!) { ingestCounts(input: $input) { samples } }`,
      { input: { path: path.join(COUNTS, `TCGA_${LATER}_Counts.exp.gz`), cohort: LATER } },
      tokens.curator,
    );
    const added = (await samplesWithCounts()).filter((id) => !before.includes(id));
    expect(added.length).toBeGreaterThan(0);
    const fresh = (await batchesOf(secondId)).filter((b) => !already.has(b.id));
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((b) => b.reason === 'INGEST')).toBe(true);
    expect(fresh.flatMap((b) => b.sampleIds).sort((a, b) => a - b)).toEqual(added);
    const done = await waitDone(secondId);
    expect(done.done).toBe(before.length + added.length);
    expect(await batchesOf(shippedId)).toEqual([]);
  }, 600_000);

  it('a rollback precomputes the six cohorts for the model it activates, split by two `gexbert worker` processes', async () => {
    for (const w of workers.splice(0)) await w.stop();
    const children = [0, 1].map(() => startCli(['worker'], t.env));
    try {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve, reject) => {
              let out = '';
              child.stdout!.on('data', (d) => {
                out += d;
                if (/ready/.test(out)) resolve();
              });
              child.on('exit', (code) => reject(new Error(`gexbert worker exited with ${code}`)));
            }),
        ),
      );
      const samples = await samplesWithCounts();
      const started = Date.now();
      await gql(`mutation { rollbackModel { id } }`, {}, tokens.admin);
      const done = await waitDone(shippedId);
      console.log(
        `precompute: all ${samples.length} samples of the six TCGA cohorts (embeddings, cancer type, risk) by two \`gexbert worker\` processes, batches of ${BATCH}: ${((Date.now() - started) / 1000).toFixed(1)} s from the rollback`,
      );
      expect(done).toMatchObject({ total: samples.length, done: samples.length, failedBatches: 0 });
      const batches = await batchesOf(shippedId);
      expect(batches.every((b) => b.reason === 'PROMOTION' && b.state === 'DONE' && b.executions === 1)).toBe(
        true,
      );
      expect(new Set(batches.map((b) => b.workerId)).size).toBe(2);
    } finally {
      for (const child of children) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
    }
  }, 600_000);

  it("simulated samples stored without the API (as `gexbert ingest` does) are precomputed by the workers' check", async () => {
    // a check every few seconds: the samples below (and the RSEM test's) wait for one, not for the file's 30 s
    const config = { ...t.config, precomputeCheckSeconds: CHECK_SECONDS };
    workers.push(await startWorker({ url: t.url, pool: t.platform.pool, prisma: t.platform.prisma, config }));
    const before = await samplesWithCounts();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-precompute-sim-'));
    try {
      const written = await writeSimulatedCohort({ samples: 12, genes: 2000, types: 2, seed: 3 }, root);
      await ingestCounts(t.platform.pool, written.dir, { cohort: 'sim' });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    const added = (await samplesWithCounts()).filter((id) => !before.includes(id));
    const simulated = await query<{ id: number }>(
      t.url,
      `SELECT id FROM "Sample" WHERE simulated ORDER BY id`,
    );
    expect(simulated.map((r) => r.id)).toEqual(added);
    const done = await waitDone(shippedId, 120); // within a check interval (CHECK_SECONDS) and the batch
    expect(done.done).toBe(before.length + added.length);
    const checked = (await batchesOf(shippedId)).filter((b) => b.reason === 'CHECK');
    expect(checked.flatMap((b) => b.sampleIds).sort((a, b) => a - b)).toEqual(added);
    const [stored] = await query<{ n: number }>(
      t.url,
      `SELECT count(*)::int AS n FROM "SamplePrediction" WHERE "modelVersionId" = $1 AND "sampleId" = ANY($2::int[])`,
      [shippedId, added],
    );
    expect(stored!.n).toBe(added.length);
    // simulated samples are served, never trained on: the precompute does not touch any training snapshot
    const [snapshot] = await query<{ n: number }>(
      t.url,
      `SELECT count(*)::int AS n FROM "ModelTrainingSample" WHERE "sampleId" = ANY($1::int[])`,
      [added],
    );
    expect(snapshot!.n).toBe(0);
  }, 300_000);

  it('a sample precomputed from RSEM values alone is precomputed again from its counts when they arrive', async () => {
    // simulated samples (the marker beside the files keeps them out of training): first an RSEM table of
    // their values (3 x counts per million, so their model input differs from the counts'), then their counts
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-precompute-rsem-'));
    try {
      const written = await writeSimulatedCohort({ samples: 6, genes: 2000, types: 1, seed: 5 }, root);
      const countsFile = path.join(
        written.dir,
        fs.readdirSync(written.dir).find((f) => f.endsWith('_Counts.tsv.gz'))!,
      );
      const matrix = await parseCountsMatrix(countsFile, {});
      const libraries = matrix.samples.map((_, s) => matrix.rows.reduce((sum, row) => sum + row[s]!, 0));
      const lines = [['gene_id', ...matrix.samples.map((c) => c.sampleBarcode)].join('\t')];
      for (const [g, gene] of matrix.genes.entries()) {
        const values = libraries.map((l, s) => ((3e6 * matrix.rows[g]![s]!) / l).toFixed(3));
        lines.push([gene.ensemblId, ...values].join('\t'));
      }
      const table = path.join(written.dir, 'rsem_values.tsv');
      fs.writeFileSync(table, `${lines.join('\n')}\n`);
      await ingestTable(t.platform.pool, table, { unit: 'RSEM' });
      const ids = (
        await query<{ id: number }>(t.url, 'SELECT id FROM "Sample" WHERE barcode = ANY($1) ORDER BY id', [
          matrix.samples.map((c) => c.sampleBarcode),
        ])
      ).map((r) => r.id);
      expect(ids).toHaveLength(6);
      // each sample's stored answer: its input genes and embedding (none when the model cannot read RSEM)
      const answers = async () =>
        (
          await query<{ sampleId: number; inputGenes: number; vector: Buffer | null }>(
            t.url,
            `SELECT p."sampleId", p."inputGenes", e.vector FROM "SamplePrediction" p
             LEFT JOIN "SampleEmbedding" e ON e."sampleId" = p."sampleId" AND e."modelVersionId" = p."modelVersionId"
             WHERE p."modelVersionId" = $1 AND p."sampleId" = ANY($2::int[]) ORDER BY p."sampleId"`,
            [shippedId, ids],
          )
        ).map((r) => ({ ...r, vector: r.vector ? Array.from(decodeVector(r.vector)) : null }));
      const fromRsem = await waitFor(
        'the RSEM samples precomputed',
        async () => {
          const rows = await answers();
          return rows.length === ids.length ? rows : undefined;
        },
        120,
      );

      await ingestCounts(t.platform.pool, written.dir, { cohort: 'rsem then counts' });
      const fromCounts = await waitFor(
        'the samples precomputed again from their counts',
        async () => {
          const rows = await answers();
          const fresh = rows.every(
            (r, i) => r.vector !== null && !isDeepStrictEqual(r.vector, fromRsem[i]!.vector),
          );
          return rows.length === ids.length && fresh ? rows : undefined;
        },
        120,
      );
      // what the workers stored now is the model's embedding of the counts
      const version = (await t.platform.prisma.modelVersion.findUnique({ where: { id: shippedId } }))!;
      const runtime = await loadModelRuntime(
        { pool: t.platform.pool, cacheDir: path.join(t.modelsDir, 'test-cache') },
        version,
      );
      try {
        const direct = await embedSamples(runtime, t.platform.pool, ids);
        fromCounts.forEach((r, i) => {
          expect(r.inputGenes).toBe(direct.inputGenes[i]);
          const diff = Math.max(...r.vector!.map((v, j) => Math.abs(v - direct.embeddings[i]![j]!)));
          expect(diff).toBeLessThan(1e-5);
        });
      } finally {
        await runtime.close();
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);

  it('a retrained model the gate promotes has its precompute queued by the worker', async () => {
    for (const w of workers.splice(0)) await w.stop();
    const worker = await startWorker({
      url: t.url,
      pool: t.platform.pool,
      prisma: t.platform.prisma,
      config: { ...t.config, gateTolerance: 1e9, precomputeCheckSeconds: 0 }, // promoted; no check
    });
    workers.push(worker);
    const run = await requestRetraining(
      { prisma: t.platform.prisma, queue: worker.queue },
      { reason: 'MANUAL', requestedBy: 'test', config: { ...TINY, maxSteps: 10 } },
    );
    // training is short; the gate refits the heads on the 291 samples (about 90 s at load 5 on 2 cores)
    const finished = await waitFor(
      `run ${run.id}`,
      async () => {
        const r = await t.platform.prisma.trainingRun.findUnique({ where: { id: run.id } });
        return r && (r.status === 'SUCCEEDED' || r.status === 'FAILED') ? r : undefined;
      },
      400,
    );
    expect(finished.status).toBe('SUCCEEDED');
    const version = (await t.platform.prisma.modelVersion.findFirst({ where: { active: true } }))!;
    expect(version.id).not.toBe(shippedId);
    const done = await waitDone(version.id, 300);
    expect(done.done).toBe((await samplesWithCounts()).length);
    expect((await batchesOf(version.id)).every((b) => b.reason === 'PROMOTION' && b.executions === 1)).toBe(
      true,
    );
  }, 900_000);
});
