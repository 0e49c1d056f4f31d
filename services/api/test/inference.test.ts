import { readProfile } from '@gexbert/core/expression/store';
import { decodeVector } from '@gexbert/core/inference/embeddingCache';
import { fitHeads, loadModelRuntime, type ModelRuntime } from '@gexbert/core/inference/modelRuntime';
import { defaultCheckpointCache } from '@gexbert/core/registry/checkpointStore';
import {
  type ModelVersion,
  promoteModelVersion,
  SHIPPED_CHECKPOINT,
} from '@gexbert/core/registry/modelVersion';
import { parseModelHeads, riskScore, toStored } from '@gexbert/model/heads';
import { embed, type Profile } from '@gexbert/model/inference';
import { pearson, quantile } from '@gexbert/model/stats';
import { logRankTest } from '@gexbert/model/survival';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Data, type Harness, registerShippedCandidate, startHarness } from './support.ts';

const TYPES = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];
const MAX_BATCH = 300;

let h: Harness;
let runtime: ModelRuntime;
let version: ModelVersion;
let samples: {
  id: number;
  cancerType: string;
  patientId: number;
  osDays: number | null;
  osEvent: number | null;
}[];
let heldOut: Set<number>;
let subset: typeof samples;
let subsetId: number;

/** The model library's own embedding of a stored sample: its whole raw-count profile through `embed`. */
async function directEmbeddings(ids: number[]): Promise<Float32Array[]> {
  const key = ids.join(',');
  let found = direct.get(key);
  if (!found) {
    found = embedStored(ids);
    direct.set(key, found);
  }
  return found;
}
const direct = new Map<string, Promise<Float32Array[]>>();

async function embedStored(ids: number[]): Promise<Float32Array[]> {
  const profiles: Profile[] = [];
  for (const id of ids) {
    const stored = (await readProfile(h.pool, id, 'RAW_COUNT'))!;
    profiles.push({ genes: [...stored.genes], values: Float32Array.from(stored.values), unit: 'counts' });
  }
  return (await embed(runtime.predictor, runtime.stats, profiles)).embeddings;
}

async function storedHeads() {
  return parseModelHeads((await h.prisma.modelVersion.findUniqueOrThrow({ where: { id: version.id } })).heads)
    .full;
}

async function activeCount(): Promise<number> {
  return h.prisma.modelVersion.count({ where: { active: true } });
}

beforeAll(async () => {
  h = await startHarness(TYPES, { maxEmbeddingBatch: MAX_BATCH });
  const { rows } = await h.pool.query(
    `SELECT s.id, p."cancerType", p.id AS "patientId", p."osDays", p."osEvent"
     FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" ORDER BY s.id`,
  );
  samples = rows;
  heldOut = new Set(samples.filter((_, i) => i % 5 === 0).map((s) => s.id));
  // a smaller cohort of every 4th sample (all six types), to keep the model work of the test small
  subset = samples.filter((_, i) => i % 4 === 1);
  subsetId = (
    await h.prisma.cohort.create({
      data: { name: 'subset', samples: { createMany: { data: subset.map((s) => ({ sampleId: s.id })) } } },
    })
  ).id;
  const registered = await registerShippedCandidate(h);
  runtime = await loadModelRuntime({ pool: h.pool, cacheDir: defaultCheckpointCache() }, registered);
  // no intervals on restored values: no test here reads them (services/api/test/heads.test.ts does), and
  // their calibration would be most of this set-up
  const heads = await fitHeads(
    runtime,
    h.pool,
    samples.filter((s) => !heldOut.has(s.id)).map((s) => s.id),
    { intervals: 'none' },
  );
  expect(heads.full.cancerType && heads.full.risk).toBeTruthy();
  await h.prisma.modelVersion.update({
    where: { id: registered.id },
    data: { heads: toStored(heads) as object },
  });
  version = await promoteModelVersion(h.prisma, registered.id);
}, 600_000);

afterAll(async () => {
  await runtime?.close();
  await h?.close();
});

describe('embeddings', () => {
  it('equal the model library’s embedding of the same stored profile, and are cached in SampleEmbedding', async () => {
    const sample = samples[3]!;
    const before = { ...h.api.models.counters };
    const query = `query($id: ID) { sample(id: $id) { embedding { vector dimensions inputGenes cached model { id isActive } sample { id } } } }`;
    const first = await h.gql(query, { id: String(sample.id) });
    expect(first.errors).toBeUndefined();
    const e = first.data!.sample.embedding;
    expect(e.cached).toBe(false);
    expect(e.dimensions).toBe(runtime.width);
    expect(e.model).toEqual({ id: String(version.id), isActive: true });
    expect(e.inputGenes).toBeGreaterThan(900);
    const [direct] = await directEmbeddings([sample.id]);
    let maxDiff = 0;
    direct!.forEach((v, j) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - e.vector[j]));
    });
    expect(maxDiff).toBeLessThan(1e-5);
    expect(h.api.models.counters.embedBatches).toBe(before.embedBatches + 1);

    const { rows } = await h.pool.query(
      `SELECT vector, "inputGenes" FROM "SampleEmbedding" WHERE "sampleId" = $1 AND "modelVersionId" = $2`,
      [sample.id, version.id],
    );
    expect(rows).toHaveLength(1);
    expect(Array.from(decodeVector(rows[0].vector))).toEqual(e.vector);

    const again = await h.gql(query, { id: String(sample.id) });
    expect(again.data!.sample.embedding.cached).toBe(true);
    expect(again.data!.sample.embedding.vector).toEqual(e.vector);
    expect(h.api.models.counters.embedBatches).toBe(before.embedBatches + 1); // no inference for the repeat
  });

  it('merges 20 concurrent single-sample requests into fewer predictor calls', async () => {
    const ids = samples
      .filter((s) => s.cancerType === 'KICH')
      .slice(0, 20)
      .map((s) => s.id);
    const before = { ...h.api.models.counters };
    const responses = await Promise.all(
      ids.map((id) =>
        h.gql(`query($id: ID) { sample(id: $id) { id embedding { cached vector } } }`, { id: String(id) }),
      ),
    );
    for (const r of responses) {
      expect(r.errors).toBeUndefined();
      expect(r.data!.sample.embedding.cached).toBe(false);
    }
    const calls = h.api.models.counters.embedBatches - before.embedBatches;
    expect(h.api.models.counters.embeddedSamples - before.embeddedSamples).toBe(20);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(10); // at least two samples per predictor call on average
    const direct = await directEmbeddings(ids.slice(0, 3));
    direct.forEach((v, i) => {
      const got = responses[i]!.data!.sample.embedding.vector as number[];
      expect(Math.max(...got.map((x, j) => Math.abs(x - v[j]!)))).toBeLessThan(1e-5);
    });
  });

  it('returns a cohort’s embeddings in one query, and refuses batches above the limit', async () => {
    const res = await h.gql(`query($c: ID) { embeddings(cohortId: $c) { sample { id } dimensions } }`, {
      c: String(subsetId),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.embeddings).toHaveLength(subset.length);
    expect(res.data!.embeddings.map((e: Data) => Number(e.sample.id))).toEqual(subset.map((s) => s.id));
    const count = await h.pool.query(
      `SELECT count(*)::int AS n FROM "SampleEmbedding" WHERE "modelVersionId" = $1 AND "sampleId" = ANY($2::int[])`,
      [version.id, subset.map((s) => s.id)],
    );
    expect(count.rows[0].n).toBe(subset.length);

    const tooMany = Array.from({ length: MAX_BATCH + 1 }, (_, i) => String(i + 1));
    const refused = await h.gql(`query($s: [ID!]) { embeddings(sampleIds: $s) { dimensions } }`, {
      s: tooMany,
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toContain(`at most ${MAX_BATCH}`);
    const neither = await h.gql(`{ embeddings { dimensions } }`);
    expect(neither.errors?.[0]?.message).toContain('exactly one of sampleIds and cohortId');
  });
});

describe('predictions', () => {
  it('restores measured genes close to their measurements and reports genes it cannot restore', async () => {
    const vocabulary = runtime.stats.genes.slice(0, 10);
    const outside = await h.pool.query<{ ensemblId: string }>(
      `SELECT "ensemblId" FROM "Gene" WHERE NOT ("ensemblId" = ANY($1::text[])) ORDER BY id LIMIT 1`,
      [runtime.stats.genes],
    );
    const genes = [...vocabulary, outside.rows[0]!.ensemblId, 'NOT_A_GENE_XYZ'];
    const ids = samples.filter((s) => heldOut.has(s.id)).map((s) => String(s.id)); // all six types
    const before = h.api.models.counters.restoreBatches;
    const res = await h.gql(
      `query($ids: [ID!], $g: [String!]!) { embeddings(sampleIds: $ids) { sample { restoredValues(genes: $g) {
        query gene { ensemblId } inVocabulary value measuredValue } } } }`,
      { ids, g: genes },
    );
    expect(res.errors).toBeUndefined();
    expect(h.api.models.counters.restoreBatches).toBe(before + 1); // all samples in one restore call
    const rows = (res.data!.embeddings as Data[]).map((e) => e.sample.restoredValues as Data[]);
    expect(rows).toHaveLength(ids.length);
    const correlations = vocabulary.map((_, q) =>
      pearson(
        rows.map((r) => r[q]!.value),
        rows.map((r) => r[q]!.measuredValue),
      ),
    );
    correlations.sort((a, b) => a - b);
    expect(correlations[5]).toBeGreaterThan(0.5); // the median gene
    const [notInVocabulary, unknown] = rows[0]!.slice(vocabulary.length);
    expect(notInVocabulary).toMatchObject({ inVocabulary: false, value: null });
    expect(notInVocabulary!.gene.ensemblId).toBe(outside.rows[0]!.ensemblId);
    expect(unknown).toEqual({
      query: 'NOT_A_GENE_XYZ',
      gene: null,
      inVocabulary: false,
      value: null,
      measuredValue: null,
    });
  });

  it('predicts the cancer type of held-out real samples mostly correctly', async () => {
    const test = samples.filter((s) => heldOut.has(s.id));
    const res = await h.gql(
      `query($ids: [ID!]) { embeddings(sampleIds: $ids) { sample { id
      cancerTypePrediction { cancerType closestType probability outOfDistribution novelty
        heads { id panelMatched } probabilities { cancerType probability } } } } }`,
      {
        ids: test.map((s) => String(s.id)),
      },
    );
    expect(res.errors).toBeUndefined();
    const predicted = new Map<number, Data>(
      res.data!.embeddings.map((e: Data) => [Number(e.sample.id), e.sample.cancerTypePrediction]),
    );
    let correct = 0;
    for (const s of test) {
      const p = predicted.get(s.id)!;
      const total = p.probabilities.reduce((a: number, q: Data) => a + q.probability, 0);
      expect(total).toBeCloseTo(1, 6);
      expect(p.probabilities.map((q: Data) => q.cancerType).sort()).toEqual(TYPES);
      expect(p.probability).toBe(p.probabilities[0].probability);
      expect(p.closestType).toBe(p.probabilities[0].cancerType);
      // an explicit unknown when flagged, otherwise the closest type
      expect(p.cancerType).toBe(p.outOfDistribution ? null : p.closestType);
      expect(p.outOfDistribution).toBe(p.novelty > 1);
      expect(p.heads).toEqual({ id: expect.stringMatching(/^[0-9a-f]{12}$/), panelMatched: false });
      if (p.cancerType === s.cancerType) correct++;
    }
    expect(correct / test.length).toBeGreaterThan(0.8);
  });

  it('scores survival risk with its percentile among the cohort, as computed directly', async () => {
    const { risk } = await storedHeads();
    // the percentile is taken among the reference patients with overall survival
    const withOs = subset.filter((s) => s.osDays !== null && s.osEvent !== null);
    const direct = await directEmbeddings(withOs.map((s) => s.id));
    const risks = direct.map((e) => riskScore(risk!, e));
    const at = withOs.findIndex((s) => s.cancerType === 'CHOL'); // a small type, for the default reference
    const sample = withOs[at]!;
    const res = await h.gql(
      `query($id: ID, $c: ID) { sample(id: $id) {
        byCohort: riskScore(cohort: $c) { score percentile reference referenceSize referenceNote trainingPercentile
          patients events model { id } }
        byType: riskScore { percentile reference referenceSize } } }`,
      { id: String(sample.id), c: String(subsetId) },
    );
    expect(res.errors).toBeUndefined();
    const { byCohort, byType } = res.data!.sample;
    const score = risks[at]!;
    expect(byCohort.score).toBeCloseTo(score, 4);
    const below = risks.filter((r) => r < score - 1e-9).length;
    const tied = risks.filter((r) => Math.abs(r - score) <= 1e-9).length;
    expect(byCohort.percentile).toBeCloseTo((100 * (below + tied / 2)) / risks.length, 6);
    expect(byCohort.referenceSize).toBe(withOs.length);
    expect(byCohort.referenceNote).toBeNull();
    expect(byCohort.patients).toBe(risk!.trainedOn);
    expect(byCohort.events).toBe(risk!.events);
    expect(byCohort.reference).toBe('cohort "subset"');
    for (const p of [byCohort.percentile, byCohort.trainingPercentile, byType.percentile]) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(100);
    }
    expect(byType.reference).toBe(`cancer type ${sample.cancerType}`);
    expect(byType.referenceSize).toBe(
      samples.filter((s) => s.cancerType === sample.cancerType && s.osDays !== null && s.osEvent !== null)
        .length,
    );
  });

  it("keeps a cancer type's risk reference across requests, and takes it anew once an import arrives", async () => {
    const withOs = (s: (typeof samples)[number]) => s.osDays !== null && s.osEvent !== null;
    const sample = samples.find((s) => s.cancerType === 'CHOL' && withOs(s))!;
    const other = samples.find(
      (s) => s.cancerType === 'CHOL' && withOs(s) && s.patientId !== sample.patientId,
    )!;
    const ask = async () => {
      const res = await h.gql(`query($id: ID) { sample(id: $id) { riskScore { referenceSize } } }`, {
        id: String(sample.id),
      });
      expect(res.errors).toBeUndefined();
      return res.data!.sample.riskScore.referenceSize as number;
    };
    const importArrives = () =>
      h.pool.query(
        `INSERT INTO "Import" (kind, status, "fileName", "filePath", checksum, format, "rowCount", "sampleCount",
           "geneCount", "startedAt", error)
         VALUES ('CLINICAL', 'FAILED', 't.tsv', '/t.tsv', '-', 'clinical', 0, 0, 0, now(), 'a test import')`,
      );
    const before = await ask();
    const without = samples.filter(
      (s) => s.cancerType === 'CHOL' && withOs(s) && s.patientId !== other.patientId,
    );
    // patients change only through imports: a change made behind the platform's back is not seen ...
    await h.pool.query(`UPDATE "Patient" SET "osDays" = NULL WHERE id = $1`, [other.patientId]);
    try {
      expect(await ask()).toBe(before);
      // ... until an import arrives (the model holder sees it within modelCheckMs)
      await importArrives();
      const until = Date.now() + 30_000;
      let size = await ask();
      while (size !== without.length && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        size = await ask();
      }
      expect(size).toBe(without.length);
    } finally {
      await h.pool.query(`UPDATE "Patient" SET "osDays" = $2 WHERE id = $1`, [other.patientId, other.osDays]);
      await importArrives();
    }
  });

  it('compares survival of predicted risk groups with a log-rank p equal to a direct computation', async () => {
    const { risk: head } = await storedHeads();
    const direct = await directEmbeddings(subset.map((s) => s.id));
    const byPatient = new Map<number, { risks: number[]; osDays: number | null; osEvent: number | null }>();
    subset.forEach((s, i) => {
      const p = byPatient.get(s.patientId) ?? { risks: [], osDays: s.osDays, osEvent: s.osEvent };
      p.risks.push(riskScore(head!, direct[i]!));
      byPatient.set(s.patientId, p);
    });
    const usable = [...byPatient.values()].filter(
      (p) => p.osDays !== null && p.osDays >= 0 && p.osEvent !== null,
    );
    const risk = usable.map((p) => p.risks.reduce((a, b) => a + b, 0) / p.risks.length);
    const cut = quantile(risk, 0.5);
    const group = risk.map((r) => (r > cut ? 'high' : 'low'));
    const expected = logRankTest(
      { time: usable.map((p) => p.osDays!), event: usable.map((p) => p.osEvent as 0 | 1) },
      group,
    );

    const res = await h.gql(`{ cohort(name: "subset") {
      median: survival(groupBy: RISK_MEDIAN) { grouping cutoffs missing model { id }
        logRank { statistic df pValue } groups { name cancerType patients events curve { atRisk events survival } } }
      tertiles: survival(groupBy: RISK_TERTILES) { logRank { df } groups { name } } } }`);
    expect(res.errors).toBeUndefined();
    const { median, tertiles } = res.data!.cohort;
    expect(median.grouping).toBe('RISK_MEDIAN');
    expect(median.model.id).toBe(String(version.id));
    expect(median.groups.map((g: Data) => g.name)).toEqual(['low', 'high']);
    expect(median.cutoffs[0]).toBeCloseTo(cut, 4);
    expect(median.groups[0].patients + median.groups[1].patients).toBe(usable.length);
    expect(median.groups[1].patients).toBe(group.filter((g) => g === 'high').length);
    for (const g of median.groups) {
      expect(g.cancerType).toBeNull();
      expect(g.curve[0].atRisk).toBe(g.patients);
      expect(g.events).toBe(g.curve.reduce((n: number, p: Data) => n + p.events, 0));
    }
    expect(median.logRank.df).toBe(1);
    expect(median.logRank.pValue).toBeCloseTo(expected.pValue, 8);
    expect(median.logRank.statistic).toBeCloseTo(expected.statistic, 6);
    expect(tertiles.groups.map((g: Data) => g.name)).toEqual(['low', 'mid', 'high']);
    expect(tertiles.logRank.df).toBe(2);
  });
});

describe('models', () => {
  it('lists the active model with its heads, and keeps exactly one active', async () => {
    const res =
      await h.gql(`{ activeModel { id name status isActive checkpointPath heads { cancerTypes risk } }
      models(first: 10) { totalCount nodes { id status } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.activeModel).toMatchObject({
      id: String(version.id),
      name: 'tcga-6types',
      status: 'ACTIVE',
      isActive: true,
      checkpointPath: null, // admin only
      heads: { cancerTypes: TYPES, risk: true },
    });
    const admin = await h.gql(`{ activeModel { checkpointPath } }`, {}, h.tokens.ADMIN);
    expect(admin.data!.activeModel.checkpointPath).toBe(SHIPPED_CHECKPOINT);
    expect(await activeCount()).toBe(1);
  });
});
