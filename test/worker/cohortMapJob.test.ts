// Cohort maps between precomputes, on real TCGA cohorts: after the active model's precompute of five (which
// stores their maps), a cohort made through the API is answered at once by the PCA of its stored embeddings
// with umapStatus PLACING (above the request's UMAP bound, GEXBERT_API_MAP_UMAP_ON_REQUEST, set low here so a
// 92-sample cohort is "large"), and the API has queued a cohort map job; a worker then stores the whole map
// (the same PCA, and a UMAP) and the cohort's gene importance rankings, with no new precompute batch. Edited
// to hold a sixth cohort's samples ingested since (not precomputed), it is answered by its stored members
// alone (the others counted as awaiting the precompute) until a worker has precomputed them and stored the
// whole map. A cohort under the bound is placed whole on request.
import { type RunningApi, startApi } from '@gexbert/api/server';
import { createToken } from '@gexbert/core/auth/tokens';
import { mapAnswerKey } from '@gexbert/core/inference/cohortMap';
import { openJobQueue } from '@gexbert/core/jobs/queue';
import { query } from '@gexbert/core/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CohortMapOutcome } from '../../services/worker/src/cohortMapJob.ts';
import { type RunningWorker, startWorker } from '../../services/worker/src/worker.ts';
import {
  activeVersionHeads,
  graphqlAs,
  ingestCohort,
  type WorkerTestPlatform,
  waitFor,
  workerPlatform,
} from './support.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests assert on response values, not on static types
type Data = Record<string, any>;

const FIRST = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS'];
const LATER = 'UVM';
const BOUND = 50;
process.env.GEXBERT_ATTRIBUTION_SAMPLES = '1'; // read by the API (as by the worker, from its config)

let t: WorkerTestPlatform;
let api: RunningApi;
let apiQueue: Awaited<ReturnType<typeof openJobQueue>>;
let curator: string;
let versionId: number;
let headsId: string;
let worker: RunningWorker | undefined;
const mapOutcomes: (CohortMapOutcome | { cohortId: number; error: string })[] = [];

const gql = (text: string, variables: object): Promise<Data> => graphqlAs(api.url, curator, text, variables);

const MAP = `query($id: ID!) { cohort(id: $id) { sampleCount map { model { id } umapStatus projection withoutEmbedding awaitingPrecompute
  readability { projection } umap { fittedSamples } points { sampleId x y umapX umapY } } } }`;
/** A poll that fails (the machine is shared and loaded: a reset connection) is said and asked again. */
const polled = <T>(ask: () => Promise<T>): Promise<T | undefined> =>
  ask().catch((error) => {
    console.log(`poll failed: ${error instanceof Error ? error.message : error}`);
    return undefined;
  });

const mapOf = async (id: number) => (await gql(MAP, { id: String(id) })).cohort;

const PROGRESS = `query($id: ID!) { cohort(id: $id) { geneImportanceProgress { model { id } types rankings rankingsStored } } }`;

const samplesOf = async (types: string[]) =>
  (
    await query<{ id: number }>(
      t.url,
      `SELECT s.id FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE p."cancerType" = ANY($1)
       ORDER BY s.id`,
      [types],
    )
  ).map((r) => String(r.id));

const batchCount = async () =>
  (await query<{ n: number }>(t.url, 'SELECT count(*)::int AS n FROM "PrecomputeBatch"'))[0]!.n;

/** Cohort map jobs of a cohort waiting in the queue. */
const waitingMapJobs = async (cohortId: number) =>
  (
    await query<{ n: number }>(
      t.url,
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'cohort-map' AND state = 'created'
       AND (data->>'cohortId')::int = $1 AND (data->>'modelVersionId')::int = $2`,
      [cohortId, versionId],
    )
  )[0]!.n;

const storedMapCount = async () =>
  (
    await query<{ n: number }>(t.url, `SELECT count(*)::int AS n FROM "CohortAnswer" WHERE key = $1`, [
      mapAnswerKey(versionId, headsId),
    ])
  )[0]!.n;

const runWorker = () =>
  startWorker(
    { url: t.url, pool: t.platform.pool, prisma: t.platform.prisma, config: t.config },
    { onCohortMap: (o) => mapOutcomes.push(o), log: (line) => console.log(`worker: ${line}`) },
  );

/** The cohort's map once the worker has stored it (the API then reads it: PLACED). */
const storedMapOf = (cohortId: number) =>
  waitFor(
    `the stored map of cohort ${cohortId}`,
    async () => {
      if (!mapOutcomes.some((o) => o.cohortId === cohortId && 'stored' in o && o.stored)) return undefined;
      const c = await polled(() => mapOf(cohortId));
      return c?.map.umapStatus === 'PLACED' ? c : undefined;
    },
    1800,
  );

/** Asserts a pending answer: every stored member on its PCA (`awaiting` are not stored yet), no UMAP or scores. */
function expectPending(c: Data, members: number, awaiting = 0) {
  expect(c.sampleCount).toBe(members);
  expect(c.map.umapStatus).toBe('PLACING');
  expect(c.map.model.id).toBe(String(versionId));
  expect(c.map.awaitingPrecompute).toBe(awaiting);
  expect(c.map.points.length + c.map.withoutEmbedding + awaiting).toBe(members);
  expect(c.map.points.length).toBeGreaterThan(BOUND);
  expect(c.map.points.every((p: Data) => p.umapX === null && p.umapY === null)).toBe(true);
  expect(c.map.umap).toBeNull();
  expect(c.map.readability).toEqual([]);
  expect(c.map.projection).toBe('PCA');
}

/** Asserts the stored map is the pending one's PCA with a UMAP of every point beside it. */
function expectWhole(stored: Data, pending: Data) {
  expect(stored.map.points.map((p: Data) => [p.sampleId, p.x, p.y])).toEqual(
    pending.map.points.map((p: Data) => [p.sampleId, p.x, p.y]),
  );
  expect(stored.map.points.every((p: Data) => Number.isFinite(p.umapX) && Number.isFinite(p.umapY))).toBe(
    true,
  );
  expect(stored.map.umap.fittedSamples).toBe(stored.map.points.length);
  expect(stored.map.readability.map((r: Data) => r.projection)).toEqual(['PCA', 'UMAP']);
  expect(stored.map.awaitingPrecompute).toBe(0);
}

beforeAll(async () => {
  t = await workerPlatform('cohortmap', FIRST, {
    clinical: true,
    env: {
      GEXBERT_PRECOMPUTE_CHECK_SECONDS: '30',
      GEXBERT_ATTRIBUTION_SAMPLES: '1',
      GEXBERT_GENE_IMPORTANCE: 'on',
    },
  });
  ({ id: versionId, headsId } = await activeVersionHeads(t.url));
  curator = (await createToken(t.platform.prisma, 'curator', 'CURATOR')).token;
  apiQueue = await openJobQueue(t.url);
  api = await startApi({
    pool: t.platform.pool,
    prisma: t.platform.prisma,
    queue: apiQueue,
    port: 0,
    env: { GEXBERT_API_MAP_UMAP_ON_REQUEST: String(BOUND), GEXBERT_CHECKPOINT_CACHE_DIR: t.modelsDir },
  });
  // the precompute, planned by the worker's check; its last batch stores the five cohorts' maps
  worker = await runWorker();
  await waitFor(
    'the five cohorts’ stored maps',
    async () => ((await storedMapCount()) === 5 ? 5 : undefined),
    1800,
  );
  await worker.stop();
  worker = undefined;
  // the five cohorts' rankings are geneImportance.test's subject; here they would only delay the new cohort's
  const left = await query<{ id: string }>(
    t.url,
    `SELECT id::text FROM pgboss.job WHERE name = 'gene-importance' AND state IN ('created', 'retry')`,
  );
  for (const job of left) await apiQueue.cancel('gene-importance', job.id);
}, 2_400_000);

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await apiQueue?.close();
  await t?.platform.close();
});

describe('a cohort made or changed after the precompute', () => {
  let cohortId: number;
  let pending: Data;

  it('is answered at once by its PCA, with the UMAP being placed, and its map job queued', async () => {
    const batches = await batchCount();
    const members = await samplesOf(['ACC', 'CHOL']);
    cohortId = Number(
      (
        await gql(`mutation($input: CreateCohortInput!) { createCohort(input: $input) { id } }`, {
          input: { name: 'ACC and CHOL', sampleIds: members },
        })
      ).createCohort.id,
    );
    expect(await waitingMapJobs(cohortId)).toBe(1); // queued by createCohort: no worker is running
    pending = await mapOf(cohortId);
    expectPending(pending, members.length);
    expect(await storedMapCount()).toBe(5); // a PCA-only answer is never stored
    // asked again, still pending and still one job
    expect((await mapOf(cohortId)).map.umapStatus).toBe('PLACING');
    expect(await waitingMapJobs(cohortId)).toBe(1);
    expect(await batchCount()).toBe(batches);
  }, 600_000);

  it('gets its whole map and its gene importance rankings stored by a worker, with no new precompute', async () => {
    const batches = await batchCount();
    worker = await runWorker();
    const stored = await storedMapOf(cohortId);
    expectWhole(stored, pending);
    expect(await storedMapCount()).toBe(6);
    const progress = await waitFor(
      'the new cohort’s rankings',
      async () => {
        const p = (await polled(() => gql(PROGRESS, { id: String(cohortId) })))?.cohort
          .geneImportanceProgress;
        return p && p.rankings > 0 && p.rankingsStored === p.rankings ? p : undefined;
      },
      3600,
    );
    // ACC and CHOL, and probability, log-odds and risk for each
    expect(progress).toEqual({ model: { id: String(versionId) }, types: 2, rankings: 6, rankingsStored: 6 });
    expect(await batchCount()).toBe(batches);
  }, 3_700_000);

  it('changed to hold samples ingested since, shows the stored members and is whole once all are precomputed', async () => {
    await worker!.stop();
    worker = undefined;
    await ingestCohort(t.platform, LATER); // from the command line: no precompute queued, no worker running
    const added = await samplesOf([LATER]);
    await gql(
      `mutation($id: ID!, $add: [ID!]) { editCohort(id: $id, input: { addSampleIds: $add }) { id } }`,
      {
        id: String(cohortId),
        add: added,
      },
    );
    expect(await waitingMapJobs(cohortId)).toBe(1);
    const members = await samplesOf(['ACC', 'CHOL', LATER]);
    const again = await mapOf(cohortId);
    expectPending(again, members.length, added.length);
    // the stored members alone, placed as before the edit
    expect(again.map.points).toEqual(pending.map.points);
    worker = await runWorker();
    const stored = await waitFor(
      'the edited cohort’s stored map',
      async () => {
        const c = await polled(() => mapOf(cohortId));
        return c?.map.umapStatus === 'PLACED' ? c : undefined;
      },
      1800,
    );
    expect(stored.map.points.map((p: Data) => p.sampleId)).toEqual(members);
    expect(stored.map.points.every((p: Data) => Number.isFinite(p.umapX) && Number.isFinite(p.umapY))).toBe(
      true,
    );
    expect(stored.map.awaitingPrecompute).toBe(0);
  }, 2_000_000);

  it('under the request bound, is placed whole on request', async () => {
    const members = (await samplesOf(['CHOL'])).slice(0, 20);
    const id = (
      await gql(`mutation($input: CreateCohortInput!) { createCohort(input: $input) { id } }`, {
        input: { name: 'twenty CHOL', sampleIds: members },
      })
    ).createCohort.id;
    const c = await mapOf(Number(id));
    expect(c.map.umapStatus).toBe('PLACED');
    expect(c.map.points).toHaveLength(20);
    expect(c.map.points.every((p: Data) => Number.isFinite(p.umapX))).toBe(true);
    expect(c.map.readability.map((r: Data) => r.projection)).toEqual(['PCA', 'UMAP']);
  }, 600_000);
});
