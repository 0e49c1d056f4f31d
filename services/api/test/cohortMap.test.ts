// Cohort.map: on real TCGA cohorts every sample with raw counts is placed (a cohort larger than the
// embeddings batch limit too), at the PCA of the embeddings the API serves, with the predictions each sample
// answers; the PCA itself against a closed form.

import { cohortMap, type MapColumns } from '@gexbert/core/inference/cohortMap';
import { ensureActiveModel } from '@gexbert/core/registry/modelVersion';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from './support.ts';

let h: Harness;
let cohortId: string;

beforeAll(async () => {
  h = await startHarness(['CHOL', 'DLBC'], { env: { GEXBERT_API_MAX_EMBEDDING_BATCH: '20' } });
  await ensureActiveModel({ pool: h.pool, prisma: h.prisma });
  cohortId = String(
    (await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'TCGA'`)).rows[0]!.id,
  );
}, 300_000);
afterAll(async () => {
  await h?.close();
});

interface MapAnswer {
  explained: number[];
  withoutEmbedding: number;
  model: { name: string };
  points: {
    sampleId: string;
    barcode: string;
    x: number;
    y: number;
    cancerType: string | null;
    predictedType: string | null;
    closestType: string | null;
    outOfDistribution: boolean | null;
    risk: number | null;
  }[];
}

it('places every sample of a cohort larger than the embeddings limit, at the PCA of its embeddings', async () => {
  const res = await h.gql<{ cohort: { map: MapAnswer } }>(
    `query($id: ID!) { cohort(id: $id) { map { model { name } explained withoutEmbedding
       points { sampleId barcode x y cancerType predictedType closestType outOfDistribution risk } } } }`,
    { id: cohortId },
  );
  expect(res.errors).toBeUndefined();
  const map = res.data!.cohort.map;
  const { rows } = await h.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "CohortSample" WHERE "cohortId" = $1`,
    [cohortId],
  );
  expect(rows[0]!.n).toBeGreaterThan(20); // over GEXBERT_API_MAX_EMBEDDING_BATCH
  expect(map.points).toHaveLength(rows[0]!.n);
  expect(map.withoutEmbedding).toBe(0);
  expect(new Set(map.points.map((p) => p.cancerType))).toEqual(new Set(['CHOL', 'DLBC']));
  // the batch query refuses the same cohort; the map does not
  const refused = await h.gql(`query($id: ID!) { embeddings(cohortId: $id) { vector } }`, { id: cohortId });
  expect(refused.errors?.[0]?.message).toMatch(/at most 20 per embeddings query/);

  // Coordinates: the map of the served embeddings, fetched in batches within the limit.
  const ids = map.points.map((p) => p.sampleId);
  const vectors: number[][] = [];
  for (let i = 0; i < ids.length; i += 20) {
    const batch = await h.gql<{ embeddings: { vector: number[]; sample: { id: string } }[] }>(
      `query($ids: [ID!]!) { embeddings(sampleIds: $ids) { vector sample { id } } }`,
      { ids: ids.slice(i, i + 20) },
    );
    const byId = new Map(batch.data!.embeddings.map((e) => [e.sample.id, e.vector]));
    for (const id of ids.slice(i, i + 20)) vectors.push(byId.get(id)!);
  }
  const expected = cohortMap(
    vectors.map((vector, i) => ({ sampleId: Number(ids[i]), vector, prediction: null })),
  )!;
  map.points.forEach((p, i) => {
    expect(p.x).toBeCloseTo(expected.points[i]!.x, 9);
    expect(p.y).toBeCloseTo(expected.points[i]!.y, 9);
  });
  expect(map.explained).toEqual(expected.explained);

  // Predictions: what each sample answers on its own.
  const one = map.points[0]!;
  const sample = await h.gql<{
    sample: {
      cancerTypePrediction: { cancerType: string | null; closestType: string };
      riskScore: { score: number };
    };
  }>(
    `query($id: ID!) { sample(id: $id) { cancerTypePrediction { cancerType closestType } riskScore { score } } }`,
    {
      id: one.sampleId,
    },
  );
  expect(one.predictedType).toBe(sample.data!.sample.cancerTypePrediction.cancerType);
  expect(one.closestType).toBe(sample.data!.sample.cancerTypePrediction.closestType);
  expect(one.risk).toBeCloseTo(sample.data!.sample.riskScore.score, 9);

  // Asked again, the map is read from the answers the first one stored (as the workers' precompute stores
  // them), without running the model: the same map.
  const stored = await h.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "SamplePrediction" WHERE "sampleId" = ANY($1::int[])`,
    [ids.map(Number)],
  );
  expect(stored.rows[0]!.n).toBe(ids.length);
  const before = { ...h.api.models.counters };
  const again = await h.gql<{ cohort: { map: MapAnswer } }>(
    `query($id: ID!) { cohort(id: $id) { map { model { name } explained withoutEmbedding
       points { sampleId barcode x y cancerType predictedType closestType outOfDistribution risk } } } }`,
    { id: cohortId },
  );
  expect(again.data!.cohort.map).toEqual(map);
  expect(h.api.models.counters.embedBatches).toBe(before.embedBatches);
  expect(h.api.models.counters.cacheHits).toBe(before.cacheHits); // not even the embedding cache was asked
}, 300_000);

it('gives the same points as parallel columns, the types as indices into one list', async () => {
  const res = await h.gql<{
    cohort: {
      map: Pick<MapAnswer, 'points'> & {
        columns: Omit<MapColumns, 'sampleIds'> & { sampleIds: string[] };
      };
    };
  }>(
    `query($id: ID!) { cohort(id: $id) { map {
       points { sampleId barcode x y cancerType predictedType closestType outOfDistribution risk }
       columns { sampleIds barcodes x y types cancerType predictedType closestType outOfDistribution risk } } } }`,
    { id: cohortId },
  );
  expect(res.errors).toBeUndefined();
  const { points, columns: c } = res.data!.cohort.map;
  expect(new Set(c.types).size).toBe(c.types.length);
  const type = (i: number) => (i < 0 ? null : c.types[i]!);
  const rebuilt = c.sampleIds.map((sampleId, i) => ({
    sampleId,
    barcode: c.barcodes[i],
    x: c.x[i],
    y: c.y[i],
    cancerType: type(c.cancerType[i]!),
    predictedType: type(c.predictedType[i]!),
    closestType: type(c.closestType[i]!),
    outOfDistribution: c.outOfDistribution[i],
    risk: c.risk[i],
  }));
  expect(points.length).toBeGreaterThan(20);
  expect(rebuilt).toEqual(points);
}, 300_000);

it('places points at the closed-form principal components', () => {
  // Points a·u + b·v + mean along two orthonormal directions of R^5, with a and b centred, uncorrelated and
  // of known variance: the scores must be ±a and ±b, the variance shares var(a) and var(b) of the total.
  const u = [1, 1, 0, 0, 0].map((x) => x / Math.SQRT2);
  const v = [0, 0, 1, -1, 1].map((x) => x / Math.sqrt(3));
  const mean = [3, -2, 0.5, 7, 1];
  const a = [3, -3, 3, -3, 0, 0];
  const b = [1, 1, -1, -1, 1, -1];
  const vectors = a.map((ai, i) => mean.map((m, j) => m + ai * u[j]! + b[i]! * v[j]!));
  const map = cohortMap(vectors.map((vector, i) => ({ sampleId: i, vector, prediction: null })))!;
  const signX = Math.sign(map.points[0]!.x) * Math.sign(a[0]!);
  const signY = Math.sign(map.points[0]!.y) * Math.sign(b[0]!);
  map.points.forEach((p, i) => {
    expect(p.x * signX).toBeCloseTo(a[i]!, 9);
    expect(p.y * signY).toBeCloseTo(b[i]!, 9);
  });
  const varA = a.reduce((s, x) => s + x * x, 0);
  const varB = b.reduce((s, x) => s + x * x, 0);
  expect(map.explained[0]).toBeCloseTo(varA / (varA + varB), 9);
  expect(map.explained[1]).toBeCloseTo(varB / (varA + varB), 9);
  // Two samples lie on one component, symmetric about the centre; one sits at the origin; none has no map.
  const two = cohortMap(vectors.slice(0, 2).map((vector, i) => ({ sampleId: i, vector, prediction: null })))!;
  expect(two.points.map((p) => p.y)).toEqual([0, 0]);
  expect(two.points[0]!.x).toBeCloseTo(-two.points[1]!.x, 9);
  expect(two.explained).toEqual([1, 0]);
  const one = cohortMap([{ sampleId: 7, vector: vectors[0]!, prediction: null }])!;
  expect(one.points.map((p) => [p.x, p.y])).toEqual([[0, 0]]);
  expect(cohortMap([])).toBeNull();
});
