// Gene importance rankings precomputed by the worker, on three real TCGA cohorts and a cohort of all three: the
// worker's precompute check plans the active model's precompute, its last batch queues a gene-importance job
// per cohort, and the jobs store every cancer type's ranking for each attribution target under the key the
// API reads, each sample's attributions stored on the way (SampleAttribution). A fresh API process then
// serves the stored rankings without loading the model, and they equal what the API computes on demand once
// they are forgotten; a sample's stored attributions are what the API serves (read from the table, not
// recomputed). Then the mechanics, on a fourth cohort (CHOL) ingested through the API: its precompute
// queues its rankings, a precompute batch queued while a ranking job runs is taken after one sample
// attribution at most (the job yields and the next job continues), and a worker stopped mid-job leaves what
// it stored for the next worker, which computes no stored sample again. The bound is one sample per type
// (GEXBERT_ATTRIBUTION_SAMPLES=1), four for the mechanics: a whole profile's attributions take 12-17 s on 2
// cores. Stored vs computed answer times are printed.
import path from 'node:path';
import { type RunningApi, startApi } from '@gexbert/api/server';
import { createToken } from '@gexbert/core/auth/tokens';
import { createCohort } from '@gexbert/core/cohort/records';
import { geneImportanceKey } from '@gexbert/core/inference/geneImportance';
import { planPrecompute } from '@gexbert/core/inference/precompute';
import { forgetStoredAnswers } from '@gexbert/core/inference/storedAnswers';
import { readSampleAttributions } from '@gexbert/core/inference/storedAttributions';
import { openJobQueue } from '@gexbert/core/jobs/queue';
import { query } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneImportanceOutcome } from '../../services/worker/src/geneImportanceJob.ts';
import { type RunningWorker, startWorker } from '../../services/worker/src/worker.ts';
import { COUNTS, type WorkerTestPlatform, waitFor, workerPlatform } from './support.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests assert on response values, not on static types
type Data = Record<string, any>;

// three types: what is checked (per-type and all-type cohorts, progress, keys, reuse) holds for any number, and
// each costs a whole-profile attribution
const TYPES = ['ACC', 'DLBC', 'UCS'];
const LATER = 'CHOL'; // ingested by the mechanics test
const TARGETS = ['CANCER_TYPE', 'CANCER_TYPE_LOG_ODDS', 'RISK'];
process.env.GEXBERT_ATTRIBUTION_SAMPLES = '1'; // read by the API (as by the worker, from its config)

let t: WorkerTestPlatform;
let worker: RunningWorker;
let reader: string;
let versionId: number;
let headsId: string;
let cohorts: { id: number; name: string }[];
const outcomes: (GeneImportanceOutcome | { cohortId: number; error: string })[] = [];

async function gql(url: string, text: string, variables: object): Promise<Data> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${reader}` },
    body: JSON.stringify({ query: text, variables }),
  });
  const body = (await res.json()) as { data?: Data; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

/** An API process on the database with nothing loaded or kept in memory. */
const freshApi = (cache: string): Promise<RunningApi> =>
  startApi({
    pool: t.platform.pool,
    prisma: t.platform.prisma,
    port: 0,
    env: { GEXBERT_CHECKPOINT_CACHE_DIR: path.join(t.modelsDir, cache) },
  });

const PROGRESS = `query($c: ID) { cohort(id: $c) { geneImportanceProgress {
  model { id } types rankings rankingsStored samplesNeeded samplesAttributed } } }`;

const IMPORTANCE = `query($c: ID, $type: String!, $target: AttributionTarget!) { cohort(id: $c) {
  geneImportance(cancerType: $type, target: $target, top: 1000) {
    cancerType target model { id } samplesUsed samplesOfType rankedGenes
    genes { rank ensemblId meanAbsAttribution meanAttribution } } } }`;

const typesOf = (cohort: { name: string }) => (cohort.name === 'all' ? TYPES : [cohort.name]);

beforeAll(async () => {
  t = await workerPlatform('geneimportance', TYPES, {
    env: {
      GEXBERT_PRECOMPUTE_CHECK_SECONDS: '30',
      GEXBERT_ATTRIBUTION_SAMPLES: '1',
      GEXBERT_GENE_IMPORTANCE: 'on',
    },
  });
  expect(t.config.attributionSamples).toBe(1);
  const all = await query<{ id: number }>(t.url, 'SELECT id FROM "Sample" ORDER BY id');
  await createCohort(t.platform.prisma, {
    name: 'all',
    description: 'the three cohorts together',
    sampleIds: all.map((s) => s.id),
    definition: null,
  });
  cohorts = await query(t.url, 'SELECT id, name FROM "Cohort" ORDER BY id');
  const [active] = await query<{ id: number; headsId: string }>(
    t.url,
    `SELECT id, heads->>'id' AS "headsId" FROM "ModelVersion" WHERE active`,
  );
  versionId = active!.id;
  headsId = active!.headsId;
  reader = (await createToken(t.platform.prisma, 'reader', 'READER')).token;
}, 600_000);

afterAll(async () => {
  await worker?.stop();
  await t?.platform.close();
});

describe('gene importance precomputed by the worker', () => {
  it('a finished precompute queues every cohort’s rankings; the jobs store them, with progress', async () => {
    expect(cohorts.map((c) => c.name).sort()).toEqual([...TYPES, 'all'].sort());
    const api = await freshApi('progress-cache');
    const started = Date.now();
    try {
      worker = await startWorker(
        { url: t.url, pool: t.platform.pool, prisma: t.platform.prisma, config: t.config },
        { onGeneImportance: (o) => outcomes.push(o), log: (line) => console.log(`worker: ${line}`) },
      );
      const seen = new Set<string>();
      const progress = async (c: { id: number }) =>
        (await gql(api.url, PROGRESS, { c: String(c.id) })).cohort.geneImportanceProgress;
      await waitFor(
        'every cohort’s rankings',
        async () => {
          // a poll that fails (the machine is shared and loaded) is said and retried; the checks below ask again
          const all = await Promise.all(cohorts.map(progress)).catch((error) => {
            console.log(`progress poll failed: ${error instanceof Error ? error.message : error}`);
            return null;
          });
          if (!all) return undefined;
          const line = all.map((p, i) => `${cohorts[i]!.name} ${p.rankingsStored}/${p.rankings}`).join(', ');
          if (!seen.has(line)) {
            seen.add(line);
            console.log(`${((Date.now() - started) / 1000).toFixed(0)} s: ${line}`);
          }
          return all.every((p) => p.rankings > 0 && p.rankingsStored === p.rankings) ? all : undefined;
        },
        3600,
      );
      console.log(
        `precompute and gene importance of ${cohorts.length} cohorts: ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      for (const c of cohorts) {
        const p = await progress(c);
        const types = typesOf(c).length;
        // one sample per type, probability, log-odds and risk for each
        expect(p).toEqual({
          model: { id: String(versionId) },
          types,
          rankings: types * 3,
          rankingsStored: types * 3,
          samplesNeeded: types,
          samplesAttributed: types,
        });
      }
      // the rows under the keys the API reads, one per cohort, type and target
      const rows = await query<{ cohortId: number; key: string }>(
        t.url,
        `SELECT "cohortId", key FROM "CohortAnswer" WHERE key LIKE 'geneImportance/%' ORDER BY 1, 2`,
      );
      const expected = cohorts.flatMap((c) =>
        typesOf(c).flatMap((type) =>
          TARGETS.map((target) => ({
            cohortId: c.id,
            key: geneImportanceKey(versionId, headsId, target as 'RISK', type, 1),
          })),
        ),
      );
      expect(rows).toEqual([...expected].sort((a, b) => a.cohortId - b.cohortId || (a.key < b.key ? -1 : 1)));
      // one sample per type attributed in all: the all-type cohort reads the per-type cohorts' (or they its)
      const [attributed] = await query<{ n: number }>(
        t.url,
        `SELECT count(*)::int AS n FROM "SampleAttribution" WHERE "modelVersionId" = $1 AND "headsId" = $2`,
        [versionId, headsId],
      );
      expect(attributed!.n).toBe(TYPES.length);
      expect(outcomes.filter((o) => 'error' in o)).toEqual([]);
      const done = outcomes as GeneImportanceOutcome[];
      expect(done.reduce((n, o) => n + o.attributed, 0)).toBe(TYPES.length);
      expect(done.reduce((n, o) => n + o.stored, 0)).toBe(expected.length);
    } finally {
      await api.stop();
    }
  }, 3_700_000);

  it('a fresh API serves the stored rankings without loading the model; forgotten, it computes the same', async () => {
    const api = await freshApi('stored-cache');
    const stored = new Map<string, Data>();
    let askedMs = 0;
    try {
      for (const c of cohorts)
        for (const type of typesOf(c))
          for (const target of TARGETS) {
            const t0 = performance.now();
            const answer = (await gql(api.url, IMPORTANCE, { c: String(c.id), type, target })).cohort
              .geneImportance;
            askedMs += performance.now() - t0;
            expect(answer).toMatchObject({ cancerType: type, target, samplesUsed: 1, rankedGenes: 1000 });
            expect(answer.genes).toHaveLength(1000);
            stored.set(`${c.name}/${type}/${target}`, answer);
          }
      expect(api.models.counters.runtimeLoads).toBe(0);
    } finally {
      await api.stop();
    }
    console.log(
      `stored rankings: ${stored.size} answers of 1000 genes in ${askedMs.toFixed(0)} ms (${(askedMs / stored.size).toFixed(1)} ms each)`,
    );
    // the all-type cohort's ranking of a type is its type cohort's (the same first sample)
    for (const type of TYPES)
      for (const target of TARGETS)
        expect(stored.get(`all/${type}/${target}`)!.genes).toEqual(
          stored.get(`${type}/${type}/${target}`)!.genes,
        );

    // forgotten (rankings and the sample's attributions), the API computes UCS's on demand: the same
    const ucs = cohorts.find((c) => c.name === 'UCS')!;
    await query(t.url, `DELETE FROM "CohortAnswer" WHERE "cohortId" = $1 AND key LIKE 'geneImportance/%'`, [
      ucs.id,
    ]);
    const [first] = await query<{ id: number }>(
      t.url,
      `SELECT min("sampleId") AS id FROM "CohortSample" WHERE "cohortId" = $1`,
      [ucs.id],
    );
    await query(t.url, `DELETE FROM "SampleAttribution" WHERE "sampleId" = $1`, [first!.id]);
    const computing = await freshApi('computing-cache');
    try {
      for (const target of TARGETS) {
        const t0 = performance.now();
        const answer = (await gql(computing.url, IMPORTANCE, { c: String(ucs.id), type: 'UCS', target }))
          .cohort.geneImportance;
        console.log(
          `UCS ${target} computed on demand in ${((performance.now() - t0) / 1000).toFixed(1)} s${target === 'CANCER_TYPE' ? ' (one whole-profile attribution)' : ' (its attributions kept)'}`,
        );
        const worker = stored.get(`UCS/UCS/${target}`)!;
        expect(answer.genes.map((g: Data) => g.ensemblId)).toEqual(
          worker.genes.map((g: Data) => g.ensemblId),
        );
        answer.genes.forEach((g: Data, i: number) => {
          expect(g.meanAbsAttribution).toBeCloseTo(worker.genes[i].meanAbsAttribution, 10);
          expect(g.meanAttribution).toBeCloseTo(worker.genes[i].meanAttribution, 10);
        });
        expect({ ...answer, genes: null }).toEqual({ ...worker, genes: null });
      }
      expect(computing.models.counters.runtimeLoads).toBe(1);
    } finally {
      await computing.stop();
    }
  }, 1_200_000);

  it('a sample’s attributions are read from SampleAttribution; other heads or new model input do not read them', async () => {
    // ACC's first sample: attributed by the worker, never asked of an API in this process (whose memory
    // would answer)
    const acc = cohorts.find((c) => c.name === 'ACC')!;
    const [first] = await query<{ id: number }>(
      t.url,
      `SELECT min("sampleId") AS id FROM "CohortSample" WHERE "cohortId" = $1`,
      [acc.id],
    );
    const sampleId = first!.id;
    const stored = await readSampleAttributions(t.platform.pool, versionId, headsId, sampleId);
    expect(stored?.inputGenes).toBe(1000);
    // a marker written into the stored row is what a fresh API process serves: it read the row
    await query(
      t.url,
      `UPDATE "SampleAttribution" SET value = jsonb_set(value, '{risk,baseline}', '12345.5'::jsonb)
       WHERE "sampleId" = $1 AND "modelVersionId" = $2 AND "headsId" = $3`,
      [sampleId, versionId, headsId],
    );
    const api = await freshApi('sample-cache');
    try {
      const READY = `query($id: ID) { sample(id: $id) { attributionsReady { ready computing secondsComputing } } }`;
      expect((await gql(api.url, READY, { id: String(sampleId) })).sample.attributionsReady).toEqual({
        ready: true,
        computing: false,
        secondsComputing: null,
      });
      const t0 = performance.now();
      const a = (
        await gql(
          api.url,
          `query($id: ID) { sample(id: $id) { attributions(target: RISK, top: 5) { baseline genes { ensemblId attribution } } } }`,
          { id: String(sampleId) },
        )
      ).sample.attributions;
      console.log(`stored sample attributions served in ${(performance.now() - t0).toFixed(0)} ms`);
      expect(a.baseline).toBe(12345.5);
      expect(a.genes.map((g: Data) => g.ensemblId)).toEqual(
        stored!.risk!.genes.slice(0, 5).map((g) => g.gene),
      );
      expect(api.models.counters.runtimeLoads).toBe(0);
      // the next sample of ACC is not stored: not ready, and not started unless asked to
      const next = sampleId + 1;
      expect(await readSampleAttributions(t.platform.pool, versionId, headsId, next)).toBeNull();
      expect((await gql(api.url, READY, { id: String(next) })).sample.attributionsReady.ready).toBe(false);
    } finally {
      await api.stop();
    }
    // heads fitted again have another id: the row is not theirs
    expect(await readSampleAttributions(t.platform.pool, versionId, `${headsId}x`, sampleId)).toBeNull();
    // a sample whose model input changes loses it with its other stored answers
    const client = await t.platform.pool.connect();
    try {
      expect(await forgetStoredAnswers(client, [sampleId])).toBeGreaterThan(0);
    } finally {
      client.release();
    }
    expect(await readSampleAttributions(t.platform.pool, versionId, headsId, sampleId)).toBeNull();
  }, 600_000);

  it('an ingest’s precompute queues its rankings; a batch queued meanwhile waits one sample attribution at most; a stopped worker’s successor goes on', async () => {
    await worker.stop();
    // only the cohort under test: every other cohort's rankings at the larger bound would cost minutes
    await query(t.url, 'DELETE FROM "Cohort"');
    const BOUND = 4; // CHOL's first four samples
    const config = { ...t.config, attributionSamples: BOUND, precomputeCheckSeconds: 0 }; // no check
    const events: string[] = [];
    const ranked: (GeneImportanceOutcome | { cohortId: number; error: string })[] = [];
    const queue = await openJobQueue(t.url);
    const api = await startApi({
      pool: t.platform.pool,
      prisma: t.platform.prisma,
      port: 0,
      env: { GEXBERT_CHECKPOINT_CACHE_DIR: path.join(t.modelsDir, 'ingest-cache') },
      queue,
      ingestDirs: [sharedDir()],
    });
    // a sample of another cohort whose answers are forgotten, to be precomputed again while a job ranks
    const [other] = await query<{ id: number }>(t.url, 'SELECT min(id) AS id FROM "Sample"');
    const forgetAndPlan = async () => {
      for (const table of ['PrecomputeSample', 'SamplePrediction', 'SampleEmbedding'])
        await query(t.url, `DELETE FROM "${table}" WHERE "modelVersionId" = $1 AND "sampleId" = $2`, [
          versionId,
          other!.id,
        ]);
      const plan = await planPrecompute(
        { pool: t.platform.pool, prisma: t.platform.prisma, queue },
        { reason: 'CHECK', sampleIds: [other!.id], batchSize: 500 },
      );
      events.push(`queued ${plan!.batches[0]}`);
    };
    let sent: Promise<void> | undefined;
    let stopped: Promise<void> | undefined;
    let first: RunningWorker | undefined;
    const start = (n: number, slice: number) =>
      startWorker(
        { url: t.url, pool: t.platform.pool, prisma: t.platform.prisma, config },
        {
          geneImportanceSlice: slice,
          log: (line) => {
            console.log(`worker ${n}: ${line}`);
            const m = /: sample (\d+) attributed \((\d+) by this job\)/.exec(line);
            if (!m) return;
            events.push(`attributed ${m[1]}`);
            const attributed = events.filter((e) => e.startsWith('attributed')).length;
            // the first attribution: a precompute batch is queued while the job goes on
            if (attributed === 1) sent = forgetAndPlan();
            // the next job's first attribution: the worker is stopped mid-job
            else if (n === 1 && m[2] === '1' && !stopped) {
              events.push('stop');
              stopped = first!.stop();
            }
          },
          onPrecompute: (o) => {
            if (!('error' in o) && !o.skipped) events.push(`batch ${o.batchId}`);
          },
          onGeneImportance: (o) => {
            ranked.push(o);
            const how =
              'error' in o ? `error ${o.error}` : o.interrupted ? 'interrupted' : o.more ? 'more' : 'done';
            events.push(`ranking ${how}${'yielded' in o && o.yielded ? ' yielded' : ''}`);
          },
        },
      );
    try {
      const [waiting] = await query<{ n: number }>(
        t.url,
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'gene-importance' AND state < 'completed'`,
      );
      expect(waiting!.n).toBe(0); // nothing queues rankings but the precompute below
      first = await start(1, 3); // a slice of 3: the first job ends early only by yielding
      const curator = (await createToken(t.platform.prisma, 'curator', 'CURATOR')).token;
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${curator}` },
        body: JSON.stringify({
          query: `mutation($input: IngestCountsInput!) { ingestCounts(input: $input) { samples } }`,
          variables: { input: { path: path.join(COUNTS, `TCGA_${LATER}_Counts.exp.gz`), cohort: LATER } },
        }),
      });
      expect(((await res.json()) as Data).errors).toBeUndefined();
      const [ingest] = await query<{ id: number }>(
        t.url,
        `SELECT id FROM "PrecomputeBatch" WHERE reason = 'INGEST' AND "modelVersionId" = $1`,
        [versionId],
      );
      await waitFor('the worker stopped mid-job', async () => (stopped ? true : undefined), 1200);
      await stopped;
      await sent;
      console.log(`first worker: ${events.join(', ')}`);
      const checkBatch = Number(events.find((e) => e.startsWith('queued'))!.split(' ')[1]);
      // the ingest's batch ran first, and its end queued the new cohort's rankings
      expect(events[0]).toBe(`batch ${ingest!.id}`);
      expect(events[1]).toMatch(/^attributed /);
      // the batch queued while the job ranked: at most one sample attribution, then the job yields, the
      // batch runs, and the next job goes on from there
      const queued = events.indexOf(`queued ${checkBatch}`);
      const yielded = events.indexOf('ranking more yielded');
      expect(queued).toBeGreaterThan(0);
      expect(yielded).toBeGreaterThan(queued);
      expect(
        events.slice(queued + 1, yielded).filter((e) => e.startsWith('attributed')).length,
      ).toBeLessThanOrEqual(1);
      expect(events[yielded + 1]).toBe(`batch ${checkBatch}`);
      expect(events.slice(yielded + 2)).toEqual([
        expect.stringMatching(/^attributed /),
        'stop',
        'ranking interrupted',
      ]);
      // what the stopped worker stored stays, and its job was sent again for the next worker
      const attributedBefore = events
        .filter((e) => e.startsWith('attributed'))
        .map((e) => Number(e.split(' ')[1]));
      const storedBefore = await query<{ sampleId: number; computedAt: Date }>(
        t.url,
        `SELECT "sampleId", "computedAt" FROM "SampleAttribution" WHERE "sampleId" = ANY($1::int[]) ORDER BY 1`,
        [attributedBefore],
      );
      expect(storedBefore.map((r) => r.sampleId)).toEqual([...attributedBefore].sort((a, b) => a - b));
      const [resent] = await query<{ n: number }>(
        t.url,
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'gene-importance' AND state = 'created'`,
      );
      expect(resent!.n).toBe(1);

      // the next worker (a slice of one sample: each job sends the next) finishes without computing them again
      const [chol] = await query<{ id: number }>(t.url, `SELECT id FROM "Cohort" WHERE name = $1`, [LATER]);
      const keys = TARGETS.map((target) =>
        geneImportanceKey(versionId, headsId, target as 'RISK', LATER, BOUND),
      );
      const next = await start(2, 1);
      try {
        await waitFor(
          'CHOL’s rankings over four samples',
          async () => {
            const [n] = await query<{ n: number }>(
              t.url,
              `SELECT count(*)::int AS n FROM "CohortAnswer" WHERE "cohortId" = $1 AND key = ANY($2::text[])`,
              [chol!.id, keys],
            );
            return n!.n === keys.length ? true : undefined;
          },
          1200,
        );
        await waitFor('the last ranking job to end', async () =>
          ranked.at(-1) && !('error' in ranked.at(-1)!) && !(ranked.at(-1) as GeneImportanceOutcome).more
            ? true
            : undefined,
        );
      } finally {
        await next.stop();
      }
      console.log(`both workers: ${events.join(', ')}`);
      const members = await query<{ id: number }>(
        t.url,
        `SELECT "sampleId" AS id FROM "CohortSample" WHERE "cohortId" = $1 ORDER BY 1 LIMIT $2`,
        [chol!.id, BOUND],
      );
      const attributed = events.filter((e) => e.startsWith('attributed')).map((e) => Number(e.split(' ')[1]));
      // every one of the first four computed exactly once, by one worker or the other
      expect([...attributed].sort((a, b) => a - b)).toEqual(members.map((m) => m.id));
      expect(ranked.filter((o) => 'error' in o)).toEqual([]);
      const byJobs = (ranked as GeneImportanceOutcome[]).reduce((n, o) => n + o.attributed, 0);
      expect(byJobs).toBe(BOUND);
      // the rows the first worker stored are those it stored, not computed again
      const storedAfter = await query<{ sampleId: number; computedAt: Date }>(
        t.url,
        `SELECT "sampleId", "computedAt" FROM "SampleAttribution" WHERE "sampleId" = ANY($1::int[]) ORDER BY 1`,
        [attributedBefore],
      );
      expect(storedAfter).toEqual(storedBefore);
      // the second worker's jobs chained: one sample each, each but the last sending the next
      const left = BOUND - attributedBefore.length;
      const stoppedAt = ranked.findIndex((o) => 'interrupted' in o && o.interrupted);
      const second = (ranked.slice(stoppedAt + 1) as GeneImportanceOutcome[]).map((o) => [
        o.attributed,
        !!o.more,
      ]);
      expect(second).toEqual(Array.from({ length: left }, (_, i) => [1, i < left - 1]));
    } finally {
      await api.stop();
      await queue.close();
    }
  }, 1_800_000);
});
