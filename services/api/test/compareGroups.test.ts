// compareGroups on the six real TCGA count cohorts: CHOL vs KICH with VOOM through the whole platform path
// (ingest, expression store, GraphQL) against R's limma-voom fixture; LIMMA, WELCH and WILCOXON on a gene
// known to separate the two; paging, errors, auth, survival and composition; and a comparison run as a
// worker job, its progress followed until it is stored.
import fs from 'node:fs';
import path from 'node:path';
import { compareSampleGroups } from '@gexbert/core/comparison/compareGroups';
import { loadConfig } from '@gexbert/core/config';
import { type JobQueue, openJobQueue } from '@gexbert/core/jobs/queue';
import { sharedDir } from '@gexbert/core/test-support/shared';
import { adjustBH } from '@gexbert/model/differential';
import { type RunningWorker, startWorker } from '@gexbert/worker/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, startApi } from '../src/server.ts';
import { type Data, type GraphQLResponse, type Harness, startHarness } from './support.ts';

const TYPES = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];
const ALB = 'ENSG00000163631';
const KRT19 = 'ENSG00000171345';

interface VoomFixture {
  samples: string[];
  genes: string[];
  limma_voom: Record<'logFC' | 'AveExpr' | 't' | 'P' | 'adjP', number[]>;
}
const fixture = JSON.parse(
  fs.readFileSync(path.join(sharedDir(), 'fixtures/de/chol_kich_voom.json'), 'utf8'),
) as VoomFixture;

let h: Harness;
let cohort: string;

const COMPARE = `query($a: GroupInput!, $b: GroupInput!, $method: DeMethod, $unit: ExpressionUnit,
  $filter: GeneFilterInput, $first: Int, $after: String, $orderBy: GeneDifferenceOrder) {
  compareGroups(a: $a, b: $b, method: $method, unit: $unit, filter: $filter) {
    id method unit state progress stage error
    groups { name label sampleCount compared composition { cancerType sampleType count } }
    summary { genesMeasured genesTested significant fdr minCpm minSamples }
    genes(first: $first, after: $after, orderBy: $orderBy) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { gene { ensemblId symbol } logFC aveExpr statistic pValue adjPValue }
    }
  } }`;

type Row = {
  gene: { ensemblId: string; symbol: string | null };
  logFC: number;
  aveExpr: number;
  statistic: number;
  pValue: number;
  adjPValue: number;
};

const groups = (a: string, b: string) => ({ a: { cohort, cancerType: a }, b: { cohort, cancerType: b } });

async function compare(variables: Record<string, unknown>, ask: Harness['gql'] = h.gql) {
  const res = await ask<{ compareGroups: Data }>(COMPARE, variables);
  return { res };
}

beforeAll(async () => {
  h = await startHarness(TYPES);
  cohort = String(
    (await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'TCGA'`)).rows[0]!.id,
  );
}, 600_000);
afterAll(async () => {
  await h?.close();
});

describe('CHOL vs KICH, VOOM', () => {
  it("matches R's limma-voom on the fixture's 2,000 genes to 1e-6", async () => {
    const { res } = await compare({
      ...groups('CHOL', 'KICH'),
      method: 'VOOM',
      filter: { genes: fixture.genes, minCpm: 1, minSamples: 10 },
      first: 500,
      orderBy: { field: 'SYMBOL' },
    });
    expect(res.errors).toBeUndefined();
    const c = res.data!.compareGroups;
    expect(c.state).toBe('DONE');
    expect(c.groups.map((g: Data) => [g.sampleCount, g.compared])).toEqual([
      [29, 29],
      [52, 52],
    ]);
    expect(c.summary).toMatchObject({ genesTested: 2000, minCpm: 1, minSamples: 10, fdr: 0.05 });
    // every page, by cursor
    const rows: Row[] = [...c.genes.nodes];
    let page = c.genes;
    while (page.pageInfo.hasNextPage) {
      const next = await compare({
        ...groups('CHOL', 'KICH'),
        method: 'VOOM',
        filter: { genes: fixture.genes, minCpm: 1, minSamples: 10 },
        first: 500,
        after: page.pageInfo.endCursor,
        orderBy: { field: 'SYMBOL' },
      });
      expect(next.res.data!.compareGroups.id).toBe(c.id); // stored once, read again
      page = next.res.data!.compareGroups.genes;
      rows.push(...page.nodes);
    }
    expect(rows).toHaveLength(2000);
    expect(new Set(rows.map((r) => r.gene.ensemblId)).size).toBe(2000);
    const byGene = new Map(rows.map((r) => [r.gene.ensemblId, r]));
    const ref = fixture.limma_voom;
    let worst = 0;
    fixture.genes.forEach((gene, i) => {
      const r = byGene.get(gene)!;
      const pairs: [number, number][] = [
        [r.logFC, ref.logFC[i]!],
        [r.aveExpr, ref.AveExpr[i]!],
        [r.statistic, ref.t[i]!],
        [r.pValue, ref.P[i]!],
        [r.adjPValue, ref.adjP[i]!],
      ];
      for (const [ours, theirs] of pairs) worst = Math.max(worst, Math.abs(ours - theirs));
    });
    expect(worst).toBeLessThan(1e-6);
    expect(c.summary.significant).toBe(ref.adjP.filter((p) => p < 0.05).length);
  });

  it('filters all stored genes by CPM and finds the liver and bile-duct markers down in KICH', async () => {
    const { res } = await compare({ ...groups('CHOL', 'KICH'), method: 'VOOM', first: 5 });
    expect(res.errors).toBeUndefined();
    const c = res.data!.compareGroups;
    expect(c.summary.genesMeasured).toBe(56537);
    // every fixture gene passes the same filter; more genes follow them in the file
    expect(c.summary.genesTested).toBeGreaterThan(2000);
    expect(c.summary.minSamples).toBe(10);
  });
});

describe('all 291 samples', () => {
  it('compares three types against the other three over every stored gene', async () => {
    const make = async (name: string, cancerTypes: string[]) => {
      const res = await h.gql<{ createCohort: { id: string } }>(
        `mutation($input: CreateCohortInput!) { createCohort(input: $input) { id } }`,
        { input: { name, filter: { cancerTypes } } },
        h.tokens.CURATOR,
      );
      expect(res.errors).toBeUndefined();
      return res.data!.createCohort.id;
    };
    const a = await make('ACC CHOL DLBC', ['ACC', 'CHOL', 'DLBC']);
    const b = await make('KICH UCS UVM', ['KICH', 'UCS', 'UVM']);
    for (const method of ['VOOM', 'LIMMA']) {
      const { res } = await compare({ a: { cohort: a }, b: { cohort: b }, method, first: 1 });
      expect(res.errors).toBeUndefined();
      const c = res.data!.compareGroups;
      expect(c.groups.map((g: Data) => g.compared)).toEqual([130, 161]);
    }
  });
});

describe('LIMMA, WELCH and WILCOXON on log2(CPM + 1)', () => {
  for (const method of ['LIMMA', 'WELCH', 'WILCOXON']) {
    it(`${method}: ALB and KRT19 are far lower in KICH, and the adjusted p-values are BH's`, async () => {
      const { res } = await compare({ ...groups('CHOL', 'KICH'), method, first: 500 });
      expect(res.errors).toBeUndefined();
      const c = res.data!.compareGroups;
      expect(c.method).toBe(method);
      const top: Row[] = c.genes.nodes;
      // sorted by p-value; BH adjusted p-values are monotone in p and never below p
      for (let i = 1; i < top.length; i++) {
        expect(top[i]!.pValue).toBeGreaterThanOrEqual(top[i - 1]!.pValue);
        expect(top[i]!.adjPValue).toBeGreaterThanOrEqual(top[i - 1]!.adjPValue);
      }
      for (const r of top) expect(r.adjPValue).toBeGreaterThanOrEqual(r.pValue);
      const markers = await compare({
        ...groups('CHOL', 'KICH'),
        method,
        filter: { genes: ['ALB', KRT19] },
      });
      const rows: Row[] = markers.res.data!.compareGroups.genes.nodes;
      expect(rows.map((r) => r.gene.ensemblId).sort()).toEqual([ALB, KRT19]);
      for (const r of rows) {
        expect(r.logFC).toBeLessThan(-4);
        expect(r.pValue).toBeLessThan(1e-8);
      }
      // two genes: BH over two p-values
      const adjusted = adjustBH(Float64Array.from(rows.map((r) => r.pValue)));
      expect(rows.map((r) => r.adjPValue)).toEqual([...adjusted]);
    });
  }
});

describe('groups, survival and composition', () => {
  it('answers the groups with their composition and Kaplan-Meier curves with the log-rank p', async () => {
    const res = await h.gql<{ compareGroups: Data }>(
      `query($a: GroupInput!, $b: GroupInput!) { compareGroups(a: $a, b: $b) {
        groups { name label sampleCount composition { cancerType sampleType count } }
        survival { missing logRank { statistic df pValue } groups { name patients events curve { timeDays survival } } } } }`,
      groups('CHOL', 'KICH'),
    );
    expect(res.errors).toBeUndefined();
    const c = res.data!.compareGroups;
    expect(c.groups[0]).toMatchObject({
      name: 'A',
      label: 'cohort "TCGA", cancer type CHOL',
      composition: [{ cancerType: 'CHOL', sampleType: 'TUMOR', count: 29 }],
    });
    expect(c.groups[1].composition).toEqual([{ cancerType: 'KICH', sampleType: 'TUMOR', count: 52 }]);
    expect(c.survival.groups.map((g: Data) => g.name)).toEqual(['A', 'B']);
    expect(c.survival.groups[0].patients + c.survival.groups[1].patients + c.survival.missing).toBe(81);
    // the cohort's own survival by cancer type gives the same log-rank test for these two types
    expect(c.survival.logRank.df).toBe(1);
    expect(c.survival.logRank.pValue).toBeGreaterThan(0);
    expect(c.survival.logRank.pValue).toBeLessThan(1e-4); // CHOL patients die far sooner than KICH's
  });

  it('refuses overlapping or empty groups, unknown cohorts and a unit the method cannot use', async () => {
    const errorOf = async (variables: Record<string, unknown>) => {
      const { res } = await compare(variables);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      return res.errors![0]!.message;
    };
    expect(await errorOf({ a: { cohort }, b: { cohort, cancerType: 'CHOL' } })).toMatch(
      /the groups overlap: 29 sample\(s\) are in both/,
    );
    expect(await errorOf({ ...groups('CHOL', 'BRCA') })).toMatch(
      /group B \(cohort "TCGA", cancer type BRCA\) has no samples/,
    );
    expect(await errorOf({ a: { cohort: '99999' }, b: { cohort } })).toMatch(
      /group A: no cohort with ID 99999/,
    );
    expect(await errorOf({ ...groups('CHOL', 'KICH'), method: 'VOOM', unit: 'TPM' })).toMatch(
      /VOOM models raw read counts; TPM values cannot be used/,
    );
    expect(await errorOf({ ...groups('CHOL', 'KICH'), unit: 'TPM' })).toMatch(
      /0 sample\(s\) with TPM values/,
    );
    expect(await errorOf({ ...groups('CHOL', 'KICH'), filter: { genes: ['NOT-A-GENE'] } })).toMatch(
      /unknown gene\(s\) NOT-A-GENE/,
    );
  });

  it('refuses anonymous requests; readers may compare', async () => {
    const none = await h.gql(COMPARE, groups('CHOL', 'KICH'), null);
    expect(none.status).toBe(401);
    expect(none.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    const reader = await h.gql(
      `query($a: GroupInput!, $b: GroupInput!) { compareGroups(a: $a, b: $b) { state } }`,
      groups('CHOL', 'KICH'),
      h.tokens.READER,
    );
    expect(reader.data).toEqual({ compareGroups: { state: 'DONE' } });
  });
});

describe('a large comparison runs as a worker job', () => {
  let queue: JobQueue;
  let api: RunningApi;
  let worker: RunningWorker | undefined;
  const ask = async <T = Data>(query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tokens.READER}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as object) } as GraphQLResponse<T>;
  };
  beforeAll(async () => {
    queue = await openJobQueue(h.dbUrl);
    // every comparison of more than 1,000,000 values (81 samples x 56,537 genes is 4.6 M) is a job
    api = await startApi({
      pool: h.pool,
      prisma: h.prisma,
      queue,
      port: 0,
      env: {},
      compareJobValues: 1_000_000,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await queue?.close();
  });

  it('answers QUEUED, then the worker stores it with progress; the result equals the one computed in the API', async () => {
    const variables = { ...groups('CHOL', 'KICH'), method: 'WELCH', unit: 'RAW_COUNT', first: 3 };
    const first = await ask<{ compareGroups: Data }>(COMPARE, { ...variables, filter: { minCpm: 0.5 } });
    expect(first.errors).toBeUndefined();
    expect(first.data!.compareGroups).toMatchObject({ state: 'QUEUED', summary: null, genes: null });
    const id = first.data!.compareGroups.id;
    // asking again while queued finds the same comparison
    const again = await ask<{ compareGroups: Data }>(COMPARE, { ...variables, filter: { minCpm: 0.5 } });
    expect(again.data!.compareGroups.id).toBe(id);
    const config = loadConfig({}, { workerPollSeconds: 0.2, retrainThreshold: 0, precomputeCheckSeconds: 0 });
    const started = Date.now();
    worker = await startWorker({ url: h.dbUrl, pool: h.pool, prisma: h.prisma, config });
    let last: Data | undefined;
    while (Date.now() - started < 120_000) {
      const res = await ask<{ groupComparison: Data }>(
        `query($id: ID!) { groupComparison(id: $id) { state progress stage summary { genesTested }
          genes(first: 3) { nodes { gene { ensemblId } pValue } } } }`,
        { id },
      );
      last = res.data!.groupComparison;
      if (last!.state === 'DONE' || last!.state === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last!.state).toBe('DONE');
    expect(last!.progress).toBe(1);
    // the same question computed here by the core function gives the same table
    const direct = await compareSampleGroups(h.pool, {
      a: { cohortId: Number(cohort), cancerType: 'CHOL' },
      b: { cohortId: Number(cohort), cancerType: 'KICH' },
      method: 'WELCH',
      filter: { minCpm: 0.5 },
    });
    expect(direct.genes).toHaveLength(last!.summary.genesTested);
    const top = [...direct.genes].sort((x, y) => x.pValue - y.pValue).slice(0, 3);
    expect(last!.genes.nodes.map((n: Data) => [n.gene.ensemblId, n.pValue])).toEqual(
      top.map((g) => [g.ensemblId, g.pValue]),
    );
  });
});
