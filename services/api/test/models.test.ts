// Model versions over HTTP: listing, promotion and rollback (admin only), and the embedding following the
// active model, against a real database holding a real TCGA cohort and the shipped checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import {
  type ModelVersion,
  promoteModelVersion,
  registerModelVersion,
  SHIPPED_CHECKPOINT,
} from '@gexbert/core/registry/modelVersion';
import { buildSchema, parse } from 'graphql/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationCost } from '../src/limits.ts';
import { typeDefs } from '../src/schema.ts';
import { type Harness, startHarness } from './support.ts';

const CHECK_MS = 200;

let h: Harness;
let first: ModelVersion;
let second: ModelVersion;
let failed: ModelVersion;
let sampleId: number;

const EMBEDDING = `query($id: ID, $m: ID) { sample(id: $id) { embedding(model: $m) { cached dimensions model { id } } } }`;

async function activeIds(): Promise<number[]> {
  const rows = await h.prisma.modelVersion.findMany({ where: { active: true } });
  return rows.map((r) => r.id);
}

async function embeddingModel(model?: number): Promise<{ id: string; cached: boolean }> {
  const res = await h.gql(EMBEDDING, { id: String(sampleId), m: model === undefined ? null : String(model) });
  expect(res.errors).toBeUndefined();
  const e = res.data!.sample.embedding;
  return { id: e.model.id, cached: e.cached };
}

beforeAll(async () => {
  h = await startHarness(['CHOL'], { modelCheckMs: CHECK_MS });
  const config = JSON.parse(fs.readFileSync(path.join(SHIPPED_CHECKPOINT, 'config.json'), 'utf8'));
  const register = (name: string, status: 'CANDIDATE' | 'FAILED', parentId?: number) =>
    registerModelVersion(h.prisma, { name, checkpointPath: SHIPPED_CHECKPOINT, status, config, parentId });
  first = await register('shipped', 'CANDIDATE');
  first = await promoteModelVersion(h.prisma, first.id);
  second = await register('retrained', 'CANDIDATE', first.id);
  failed = await register('broken', 'FAILED', first.id);
  const { rows } = await h.pool.query<{ id: number }>(`SELECT id FROM "Sample" ORDER BY id LIMIT 1`);
  sampleId = rows[0]!.id;
}, 300_000);

afterAll(async () => {
  await h?.close();
});

describe('model versions', () => {
  it('lists versions with their lineage and status, paged and filtered', async () => {
    const res = await h.gql(`{ models(first: 2) { totalCount pageInfo { hasNextPage endCursor }
      nodes { id name status isActive parent { id } config metrics gate trainingSampleCount createdAt activatedAt } } }`);
    expect(res.errors).toBeUndefined();
    const page = res.data!.models;
    expect(page.totalCount).toBe(3);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.nodes[0]).toMatchObject({
      id: String(first.id),
      status: 'ACTIVE',
      isActive: true,
      parent: null,
    });
    expect(page.nodes[0].config.width).toBe(64);
    expect(page.nodes[0].activatedAt).not.toBeNull();
    expect(page.nodes[1]).toMatchObject({
      name: 'retrained',
      status: 'CANDIDATE',
      parent: { id: String(first.id) },
    });
    const rest = await h.gql(`query($a: String) { models(first: 2, after: $a) { nodes { name } } }`, {
      a: page.pageInfo.endCursor,
    });
    expect(rest.data!.models.nodes).toEqual([{ name: 'broken' }]);
    const failedOnly = await h.gql(`{ models(status: FAILED) { totalCount nodes { name } } }`);
    expect(failedOnly.data!.models).toEqual({ totalCount: 1, nodes: [{ name: 'broken' }] });
    const one = await h.gql(`query($id: ID!) { model(id: $id) { name } }`, { id: String(second.id) });
    expect(one.data!.model.name).toBe('retrained');
  });

  it('refuses promotion and rollback to readers and curators, leaving the active model alone', async () => {
    const promote = await h.gql(`mutation($id: ID!) { promoteModel(id: $id) { id } }`, {
      id: String(second.id),
    });
    expect(promote.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const rollback = await h.gql(`mutation { rollbackModel { id } }`, {}, h.tokens.CURATOR);
    expect(rollback.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await activeIds()).toEqual([first.id]);
  });

  it('promotes and rolls back as admin, the embedding following the active model at once', async () => {
    expect(await embeddingModel()).toEqual({ id: String(first.id), cached: false });

    const promoted = await h.gql(
      `mutation($id: ID!) { promoteModel(id: $id) { id status isActive } }`,
      {
        id: String(second.id),
      },
      h.tokens.ADMIN,
    );
    expect(promoted.errors).toBeUndefined();
    expect(promoted.data!.promoteModel).toEqual({ id: String(second.id), status: 'ACTIVE', isActive: true });
    expect(await activeIds()).toEqual([second.id]);
    expect(await embeddingModel()).toEqual({ id: String(second.id), cached: false });
    const retired = await h.gql(`query($id: ID!) { model(id: $id) { status retiredAt } }`, {
      id: String(first.id),
    });
    expect(retired.data!.model.status).toBe('RETIRED');
    expect(retired.data!.model.retiredAt).not.toBeNull();
    // a named version serves while another is active
    expect(await embeddingModel(first.id)).toEqual({ id: String(first.id), cached: true });

    const rolledBack = await h.gql(`mutation { rollbackModel { id status } }`, {}, h.tokens.ADMIN);
    expect(rolledBack.errors).toBeUndefined();
    expect(rolledBack.data!.rollbackModel).toEqual({ id: String(first.id), status: 'ACTIVE' });
    expect(await activeIds()).toEqual([first.id]);
    expect(await embeddingModel()).toEqual({ id: String(first.id), cached: true });
    const active = await h.gql(`{ activeModel { id } }`);
    expect(active.data!.activeModel.id).toBe(String(first.id));
  });

  it('notices a promotion made outside the API within its check interval', async () => {
    await promoteModelVersion(h.prisma, second.id);
    await new Promise((resolve) => setTimeout(resolve, 2 * CHECK_MS + 100));
    expect((await embeddingModel()).id).toBe(String(second.id));
    await promoteModelVersion(h.prisma, first.id);
    await new Promise((resolve) => setTimeout(resolve, 2 * CHECK_MS + 100));
    expect((await embeddingModel()).id).toBe(String(first.id));
    expect(await activeIds()).toEqual([first.id]);
  });

  it('reads a version again only when its row changed, not at every check', async () => {
    const wait = () => new Promise((resolve) => setTimeout(resolve, 2 * CHECK_MS + 100));
    const models = h.api.models;
    const active = await models.active();
    const byId = await models.version(second.id);
    await wait();
    // unchanged rows: the same objects (their parsed heads stay cached), not a fresh read of megabytes
    expect(await models.active()).toBe(active);
    expect(await models.version(second.id)).toBe(byId);
    // a change made outside this API (another process refitting heads, say) is read at the next check
    const mark = async (id: number) =>
      h.pool.query(`UPDATE "ModelVersion" SET metrics = metrics || '{"checked": true}' WHERE id = $1`, [id]);
    await mark(active.id);
    await mark(second.id);
    await wait();
    const reread = await models.active();
    expect(reread).not.toBe(active);
    expect(reread.id).toBe(active.id);
    expect((reread.metrics as { checked?: boolean }).checked).toBe(true);
    const rereadById = await models.version(second.id);
    expect(rereadById).not.toBe(byId);
    expect((rereadById.metrics as { checked?: boolean }).checked).toBe(true);
  });

  it('refuses to promote or serve a failed version, with one clear error', async () => {
    const promote = await h.gql(
      `mutation($id: ID!) { promoteModel(id: $id) { id } }`,
      { id: String(failed.id) },
      h.tokens.ADMIN,
    );
    expect(promote.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(promote.errors?.[0]?.message).toContain('FAILED');
    const serve = await h.gql(EMBEDDING, { id: String(sampleId), m: String(failed.id) });
    expect(serve.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(serve.errors?.[0]?.message).toContain('failed to train');
    const unknown = await h.gql(EMBEDDING, { id: String(sampleId), m: '999999' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await activeIds()).toEqual([first.id]);
  });
});

describe('cost of model-backed fields', () => {
  const schema = buildSchema(typeDefs().join('\n'));
  const cost = (query: string) => {
    const document = parse(query);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition')!;
    return operationCost(
      schema,
      document,
      operation as never,
      {},
      { defaultPageSize: 50, maxEmbeddingBatch: 300 },
    );
  };

  it('counts model fields 10 per sample, a cohort as a full batch, risk groups as 10 batches', () => {
    // embeddings: 10 x 2 samples, then 2 x dimensions
    expect(cost('{ embeddings(sampleIds: ["1", "2"]) { dimensions } }')).toBe(10 * 2 + 2);
    expect(cost('{ embeddings(cohortId: 1) { dimensions } }')).toBe(10 * 300 + 300);
    // sample, embedding (10), vector; riskScore (20), percentile
    expect(cost('{ sample(id: 1) { embedding { vector } riskScore { percentile } } }')).toBe(
      1 + 10 + 1 + 20 + 1,
    );
    // 5 samples x restoredValues(3 genes) = 5 x (10 x 3) + 5 x 3 values, plus connection and nodes
    expect(cost('{ samples(first: 5) { nodes { restoredValues(genes: ["A", "B", "C"]) { value } } } }')).toBe(
      1 + 5 + 5 * 30 + 5 * 3,
    );
    expect(cost('{ cohort(id: 1) { survival(groupBy: RISK_MEDIAN) { missing } } }')).toBe(1 + 10 * 300 + 1);
    expect(cost('{ cohort(id: 1) { survival { missing } } }')).toBe(3);
  });
});
