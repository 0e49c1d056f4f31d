// The cohort map's two projections on the six real TCGA cohorts (291 samples): the stored map holds a UMAP
// beside the PCA, the same UMAP again for the same seed (and another for another seed), and each projection's
// readability scores are those an independent brute-force recomputation gets from the stored points and the
// stored embeddings; the map names the better-reading projection. The scores are printed.
import { cohortMap, MAP_UMAP, type PlacedMap } from '@gexbert/core/inference/cohortMap';
import { decodeVector } from '@gexbert/core/inference/embeddingCache';
import { ensureActiveModel } from '@gexbert/core/registry/modelVersion';
import { fitUmap, fromRows } from '@gexbert/model/stats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Data, type Harness, startHarness } from './support.ts';

const TYPES = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];
const K = 10;

let h: Harness;
let cohortId: number;

beforeAll(async () => {
  h = await startHarness(TYPES);
  await ensureActiveModel({ pool: h.pool, prisma: h.prisma });
  cohortId = (await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'TCGA'`)).rows[0]!.id;
}, 600_000);
afterAll(async () => {
  await h?.close();
});

/** Euclidean distance. */
const distance = (a: readonly number[], b: readonly number[]) =>
  Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

/** Every other point's index, nearest first (ties by index): a full sort, not the library's selection. */
function ranking(points: readonly number[][], i: number): number[] {
  const d = points.map((p) => distance(points[i]!, p));
  return points
    .map((_, j) => j)
    .filter((j) => j !== i)
    .sort((a, b) => d[a]! - d[b]! || a - b);
}

/** Share of each point's K nearest map neighbours with its label, averaged (all points labelled here). */
function typeAgreementOf(map: number[][], labels: readonly string[]): number {
  let sum = 0;
  for (let i = 0; i < map.length; i++)
    sum += ranking(map, i)
      .slice(0, K)
      .filter((j) => labels[j] === labels[i]).length;
  return sum / (map.length * K);
}

/** sklearn.manifold.trustworthiness, written out: ranks in the original space of the map's K neighbours. */
function trustworthinessOf(high: number[][], map: number[][]): number {
  const n = high.length;
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const rank = new Map(ranking(high, i).map((j, r) => [j, r + 1]));
    for (const j of ranking(map, i).slice(0, K)) penalty += Math.max(0, rank.get(j)! - K);
  }
  return 1 - (2 / (n * K * (2 * n - 3 * K - 1))) * penalty;
}

it('stores a seeded UMAP beside the PCA, with readability scores recomputed from the stored points', async () => {
  const res = await h.gql<{ cohort: { map: Data } }>(
    `query($id: ID!) { cohort(id: $id) { map { model { id } projection
       readability { projection k typeAgreement trustworthiness trustworthinessQueries score }
       umap { seed neighbours minDist fittedSamples }
       points { sampleId x y umapX umapY cancerType } } } }`,
    { id: String(cohortId) },
  );
  expect(res.errors).toBeUndefined();
  const served = res.data!.cohort.map;
  expect(served.points).toHaveLength(291);
  expect(served.umap).toEqual({
    seed: MAP_UMAP.seed,
    neighbours: MAP_UMAP.neighbours,
    minDist: MAP_UMAP.minDist,
    fittedSamples: 291,
  });

  // the map as stored (what every API process and the workers' precompute serve)
  const { rows } = await h.pool.query<{ value: PlacedMap }>(
    `SELECT value FROM "CohortAnswer" WHERE "cohortId" = $1 AND key LIKE 'map/pca+umap/%'`,
    [cohortId],
  );
  expect(rows).toHaveLength(1);
  const stored = rows[0]!.value;
  expect(stored.points.map((p) => [String(p.sampleId), p.umapX, p.umapY])).toEqual(
    served.points.map((p: Data) => [p.sampleId, p.umapX, p.umapY]),
  );
  const labels = stored.points.map((p) => p.cancerType!);
  expect(new Set(labels)).toEqual(new Set(TYPES));

  // the stored embeddings of the map's samples, in the map's order
  const embeddings = await h.pool.query<{ sampleId: number; vector: Buffer }>(
    `SELECT "sampleId", vector FROM "SampleEmbedding" WHERE "modelVersionId" = $1 AND "sampleId" = ANY($2::int[])`,
    [Number(served.model.id), stored.points.map((p) => p.sampleId)],
  );
  const bySample = new Map(embeddings.rows.map((r) => [r.sampleId, Array.from(decodeVector(r.vector))]));
  const high = stored.points.map((p) => bySample.get(p.sampleId)!);
  expect(high.every((v) => v !== undefined && v.length > 0)).toBe(true);

  // deterministic: placed again from the stored embeddings, the same UMAP to the last bit; another seed differs
  const again = cohortMap(
    high.map((vector, i) => ({ sampleId: stored.points[i]!.sampleId, vector, prediction: null })),
    labels,
  )!;
  expect(again.points.map((p) => [p.umapX, p.umapY])).toEqual(stored.points.map((p) => [p.umapX, p.umapY]));
  const other = fitUmap(fromRows(high), { ...MAP_UMAP, seed: MAP_UMAP.seed + 1 })!;
  const moved = stored.points.filter((p, i) => p.umapX !== other.points.data[i * 2]).length;
  expect(moved).toBeGreaterThan(200);

  // the scores, recomputed from the stored points by brute force
  const maps = {
    PCA: stored.points.map((p) => [p.x, p.y]),
    UMAP: stored.points.map((p) => [p.umapX!, p.umapY!]),
  };
  const recomputed = (['PCA', 'UMAP'] as const).map((projection) => {
    const typeAgreement = typeAgreementOf(maps[projection], labels);
    const trustworthiness = trustworthinessOf(high, maps[projection]);
    return { projection, typeAgreement, trustworthiness, score: (typeAgreement + trustworthiness) / 2 };
  });
  expect(served.readability).toHaveLength(2);
  for (const [i, r] of served.readability.entries()) {
    const want = recomputed[i]!;
    expect(r.projection).toBe(want.projection);
    expect(r.k).toBe(K);
    expect(r.trustworthinessQueries).toBe(291);
    expect(r.typeAgreement).toBeCloseTo(want.typeAgreement, 12);
    expect(r.trustworthiness).toBeCloseTo(want.trustworthiness, 12);
    expect(r.score).toBeCloseTo(want.score, 12);
  }
  const better = recomputed[1]!.score > recomputed[0]!.score ? 'UMAP' : 'PCA';
  expect(served.projection).toBe(better);
}, 600_000);
