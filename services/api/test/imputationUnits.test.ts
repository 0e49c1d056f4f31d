// A cohort's imputation quality when its samples are stored in two units: the real CHOL raw counts (29 samples)
// and the real PanCanAtlas extract in RSEM (../shared/data/tcga/pancan33, 604 samples, 100 genes). Through
// tcga-33types (count and RSEM statistics) a mixed cohort is measured in the unit most of its samples are read
// in, counts on a tie, and its figures are those of a cohort of those samples alone; through tcga-6types (no
// RSEM statistics) only its count samples are measured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Data, type Harness, ingestPancan33, startHarness } from './support.ts';

let h: Harness;
let model33: string;
let counts: number[];
let rsemOnly: number[];

beforeAll(async () => {
  h = await startHarness(['CHOL']);
  model33 = await ingestPancan33(h);
  const units = async (unit: string, has: boolean) =>
    (
      await h.pool.query<{ id: number }>(
        `SELECT s.id FROM "Sample" s WHERE ${has ? '' : 'NOT'} EXISTS
           (SELECT 1 FROM "ExpressionProfile" e WHERE e."sampleId" = s.id AND e.unit = $1) ORDER BY s.id`,
        [unit],
      )
    ).rows.map((r) => r.id);
  counts = await units('RAW_COUNT', true);
  rsemOnly = await units('RAW_COUNT', false);
}, 600_000);

afterAll(async () => {
  await h?.close();
});

async function cohortOf(name: string, sampleIds: number[]): Promise<string> {
  const res = await h.gql(
    `mutation($input: CreateCohortInput!) { createCohort(input: $input) { id } }`,
    { input: { name, sampleIds: sampleIds.map(String) } },
    h.tokens.CURATOR,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createCohort.id;
}

async function quality(cohort: string, model: string | null): Promise<Data> {
  const res = await h.gql(
    `query($id: ID!, $model: ID) { cohort(id: $id) { imputationQuality(model: $model) { scale panelSize sampleCount
       genes { gene { rank } pearson rmse } restored { medianGenePearson overallPearson rmse } baseline { rmse } } } }`,
    { id: cohort, model },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.cohort.imputationQuality;
}

/** The same figures (restoration batches differ between the two cohorts: float noise only). */
function expectSameFigures(a: Data, b: Data) {
  expect(a.scale).toBe(b.scale);
  expect(a.sampleCount).toBe(b.sampleCount);
  expect(a.genes.map((g: Data) => g.gene.rank)).toEqual(b.genes.map((g: Data) => g.gene.rank));
  a.genes.forEach((g: Data, i: number) => {
    expect(g.pearson).toBeCloseTo(b.genes[i].pearson, 4);
    expect(g.rmse).toBeCloseTo(b.genes[i].rmse, 4);
  });
  expect(a.restored.rmse).toBeCloseTo(b.restored.rmse, 4);
  expect(a.baseline.rmse).toBeCloseTo(b.baseline.rmse, 6);
}

describe('imputation quality of a cohort stored in two units', () => {
  it('is measured in the unit most of its samples are read in, as a cohort of those samples alone', async () => {
    expect(counts.length).toBeGreaterThanOrEqual(20);
    expect(rsemOnly.length).toBeGreaterThan(500);
    const fewRsem = rsemOnly.slice(0, 10);
    const manyRsem = rsemOnly.slice(100, 130);
    const fewCounts = counts.slice(0, 5);
    // counts majority: the count samples, on log2(CPM + 1), through tcga-33types' count statistics
    const countsMajority = await quality(await cohortOf('counts majority', [...counts, ...fewRsem]), model33);
    expect(countsMajority.scale).toBe('LOG2_CPM');
    expect(countsMajority.sampleCount).toBe(counts.length);
    expect(countsMajority.genes.map((g: Data) => g.gene.rank)).toEqual(
      Array.from({ length: 200 }, (_, i) => 64 + i),
    );
    expectSameFigures(countsMajority, await quality(await cohortOf('counts alone', counts), model33));
    // RSEM majority: the RSEM samples, on log2(RSEM + 1)
    const mixed = await cohortOf('RSEM majority', [...fewCounts, ...manyRsem]);
    const rsemMajority = await quality(mixed, model33);
    expect(rsemMajority.scale).toBe('LOG2_RSEM');
    expect(rsemMajority.sampleCount).toBe(manyRsem.length);
    expect(rsemMajority.genes).toHaveLength(36);
    expect(rsemMajority.restored.rmse).toBeLessThan(rsemMajority.baseline.rmse);
    expectSameFigures(rsemMajority, await quality(await cohortOf('RSEM alone', manyRsem), model33));
    // a tie: counts
    const tie = await quality(await cohortOf('tie', [...fewCounts, ...fewRsem.slice(0, 5)]), model33);
    expect(tie.scale).toBe('LOG2_CPM');
    expect(tie.sampleCount).toBe(5);
    // through tcga-6types (the active model, no RSEM statistics): the count samples only
    const six = await quality(mixed, null);
    expect(six.scale).toBe('LOG2_CPM');
    expect(six.sampleCount).toBe(fewCounts.length);
  }, 600_000);
});
