// Simulated provenance over GraphQL: a real cohort (CHOL) and a simulated one (`gexbert simulate` files with
// their SIMULATED marker) in one database; `simulated` on Sample, Cohort and Import, a cohort made over the API
// is simulated when any of its samples is, `includeSimulated` reaches the run's config, and a model version
// says `trainedOnSimulated`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSimulatedCohort } from '@gexbert/core/demo';
import { ingestCounts } from '@gexbert/core/ingest/index';
import { type JobQueue, openJobQueue } from '@gexbert/core/jobs/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancerTypeReference } from '../src/inference/reference.ts';
import { type RunningApi, startApi } from '../src/server.ts';
import { type Data, type GraphQLResponse, type Harness, startHarness } from './support.ts';

let h: Harness;
let root: string;
let queue: JobQueue;
let api: RunningApi;

beforeAll(async () => {
  h = await startHarness(['CHOL']);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-api-sim-'));
  const written = await writeSimulatedCohort(
    { samples: 30, genes: 300, types: 3, seed: 5 },
    path.join(root, 'sim'),
  );
  await ingestCounts(h.pool, written.dir, { cohort: 'sim' });
  queue = await openJobQueue(h.dbUrl);
  api = await startApi({ pool: h.pool, prisma: h.prisma, queue, port: 0, env: {} });
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await queue?.close();
  await h?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('simulated on Sample, Cohort and Import', () => {
  it('marks the simulated cohort, its samples and imports, and never the real ones', async () => {
    const res = await h.gql(`{
      cohorts { nodes { name simulated samples(first: 100) { nodes { barcode simulated import { fileName simulated } } } } }
      imports { nodes { fileName simulated } } }`);
    expect(res.errors).toBeUndefined();
    const cohorts = Object.fromEntries(
      res.data!.cohorts.nodes.map((c: Data) => [c.name, c] as const),
    ) as Record<string, Data>;
    expect(cohorts.TCGA!.simulated).toBe(false);
    expect(cohorts.sim!.simulated).toBe(true);
    const real = cohorts.TCGA!.samples.nodes as Data[];
    const simulated = cohorts.sim!.samples.nodes as Data[];
    expect(real).toHaveLength(29);
    expect(simulated).toHaveLength(30);
    expect(real.every((s) => s.simulated === false && s.import.simulated === false)).toBe(true);
    expect(simulated.every((s) => s.simulated === true && s.import.simulated === true)).toBe(true);
    const imports = res.data!.imports.nodes as Data[];
    expect(imports.filter((i) => i.simulated).map((i) => i.fileName)).toEqual([
      'SIM1_Counts.tsv.gz',
      'SIM2_Counts.tsv.gz',
      'SIM3_Counts.tsv.gz',
    ]);
    expect(imports.filter((i) => !i.simulated).map((i) => i.fileName)).toEqual([
      'TCGA_CHOL_Counts.exp.gz',
      'tcga_pancan_os.tsv.gz',
    ]);
  });

  it('makes a cohort simulated over the API when any of its samples is, and real again without them', async () => {
    const ids = async (cohort: string) =>
      (
        await h.gql(`query($n: String!) { cohort(name: $n) { samples(first: 100) { nodes { id } } } }`, {
          n: cohort,
        })
      ).data!.cohort.samples.nodes.map((s: Data) => s.id as string);
    const realIds = await ids('TCGA');
    const simIds = await ids('sim');
    const create = (name: string, sampleIds: string[]) =>
      h.gql(
        `mutation($name: String!, $ids: [ID!]) { createCohort(input: { name: $name, sampleIds: $ids }) { id simulated } }`,
        { name, ids: sampleIds },
        h.tokens.CURATOR,
      );
    const realOnly = await create('real only', realIds.slice(0, 5));
    expect(realOnly.data!.createCohort.simulated).toBe(false);
    const mixed = await create('mixed', [...realIds.slice(0, 5), simIds[0]!]);
    expect(mixed.data!.createCohort.simulated).toBe(true);
    const edit = (id: string, input: Data) =>
      h.gql(
        `mutation($id: ID!, $input: EditCohortInput!) { editCohort(id: $id, input: $input) { simulated sampleCount } }`,
        { id, input },
        h.tokens.CURATOR,
      );
    const cleaned = await edit(mixed.data!.createCohort.id, { removeSampleIds: [simIds[0]!] });
    expect(cleaned.data!.editCohort).toEqual({ simulated: false, sampleCount: 5 });
    const tainted = await edit(realOnly.data!.createCohort.id, { addSampleIds: simIds.slice(0, 2) });
    expect(tainted.data!.editCohort).toEqual({ simulated: true, sampleCount: 7 });
  });
});

describe('reference sets', () => {
  it('leave simulated samples out of the cancer-type and all-sample references', async () => {
    const simulated = await h.pool.query<{ id: number }>(`SELECT id FROM "Sample" WHERE simulated`);
    expect(simulated.rows).toHaveLength(30);
    const all = await cancerTypeReference(h.prisma, null);
    expect(all.sampleIds).toHaveLength(29);
    const sim1 = await cancerTypeReference(h.prisma, 'SIM1');
    expect(sim1.sampleIds).toEqual([]);
  });
});

describe('includeSimulated and trainedOnSimulated', () => {
  const gql = async (query: string, variables: Data = {}): Promise<GraphQLResponse> => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tokens.ADMIN}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as object) } as GraphQLResponse;
  };

  it('carries includeSimulated into the run config only when asked for', async () => {
    const trigger = `mutation($config: JSON, $inc: Boolean) { triggerRetraining(config: $config, includeSimulated: $inc) { id config } }`;
    const plain = await gql(trigger, { config: { maxSteps: 3 } });
    expect(plain.errors).toBeUndefined();
    expect(plain.data!.triggerRetraining.config).toEqual({ maxSteps: 3 });
    // (one run at a time: finish it before asking again)
    await h.pool.query(`UPDATE "TrainingRun" SET status = 'FAILED'`);
    const asked = await gql(trigger, { config: { maxSteps: 3 }, inc: true });
    expect(asked.errors).toBeUndefined();
    expect(asked.data!.triggerRetraining.config).toEqual({ maxSteps: 3, includeSimulated: true });
    await h.pool.query(`UPDATE "TrainingRun" SET status = 'FAILED'`);
  });

  it('exposes ModelVersion.trainedOnSimulated', async () => {
    await h.pool.query(
      `INSERT INTO "ModelVersion" (name, "checkpointPath", status, config, "trainedOnSimulated")
       VALUES ('real-model', '/nowhere', 'CANDIDATE', '{}', false), ('sim-model', '/nowhere', 'CANDIDATE', '{}', true)`,
    );
    const res = await h.gql(`{ models(first: 10) { nodes { name trainedOnSimulated } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.models.nodes).toEqual(
      expect.arrayContaining([
        { name: 'real-model', trainedOnSimulated: false },
        { name: 'sim-model', trainedOnSimulated: true },
      ]),
    );
  });
});
