// The model's heads through the API against a real database of real TCGA samples: the shipped heads travel
// with the checkpoint, an admin refits them on stored real samples, a type the heads do not know is flagged
// as an explicit unknown, risk percentiles need reference patients with survival, and predictProfiles
// scores a panel that is not stored without writing anything.
import { readProfile } from '@gexbert/core/expression/store';
import { ensureActiveModel, SHIPPED_CHECKPOINT } from '@gexbert/core/registry/modelVersion';
import { readModelHeads } from '@gexbert/model/heads';
import { toLog2Cpm } from '@gexbert/model/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Data, type Harness, startHarness } from './support.ts';

let h: Harness;
let versionId: string;
const shipped = readModelHeads(SHIPPED_CHECKPOINT)!;

async function samplesOf(type: string): Promise<number[]> {
  const { rows } = await h.pool.query<{ id: number }>(
    `SELECT s.id FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" WHERE p."cancerType" = $1 ORDER BY s.id`,
    [type],
  );
  return rows.map((r) => r.id);
}

async function predictions(ids: number[]): Promise<Data[]> {
  const res = await h.gql(
    `query($ids: [ID!]) { embeddings(sampleIds: $ids) { sample { id cancerTypePrediction {
      cancerType closestType probability novelty outOfDistribution heads { id panelMatched } } } } }`,
    { ids: ids.map(String) },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.embeddings.map((e: Data) => e.sample.cancerTypePrediction);
}

const counts = async () => {
  const { rows } = await h.pool.query(
    `SELECT (SELECT count(*) FROM "Sample") AS samples, (SELECT count(*) FROM "ExpressionProfile") AS profiles,
            (SELECT count(*) FROM "SampleEmbedding") AS embeddings, (SELECT count(*) FROM "Import") AS imports`,
  );
  return rows[0];
};

let kich: number[];

beforeAll(async () => {
  h = await startHarness(['ACC', 'CHOL', 'UVM', 'KICH']);
  versionId = String((await ensureActiveModel({ pool: h.pool, prisma: h.prisma })).id);
  kich = await samplesOf('KICH');
}, 600_000);

afterAll(async () => {
  await h?.close();
});

describe('the shipped heads', () => {
  it('are the checkpoint’s (291 real samples, six types), whatever the database holds', async () => {
    const res = await h.gql(
      `{ activeModel { knownCancerTypes headsInfo { id source simulated samples events survivalPatients
        intervalCoverage cancerTypes { cancerType samples } metrics { name value } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const m = res.data!.activeModel;
    expect(m.knownCancerTypes).toEqual(['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM']);
    expect(m.headsInfo).toMatchObject({
      id: shipped.id,
      simulated: false,
      samples: 291,
      intervalCoverage: 0.9,
    });
    expect(m.headsInfo.events).toBe(shipped.summary.events);
    const metric = (name: string) => m.headsInfo.metrics.find((x: Data) => x.name === name)?.value;
    expect(metric('whole.eceAfter')).toBeLessThanOrEqual(0.05);
    expect(metric('whole.novelty.auroc')).toBeGreaterThan(0.95);
  });

  it('name every stored sample with its recorded type, none flagged, with the head version', async () => {
    const ids = [...(await samplesOf('ACC')).slice(0, 10), ...(await samplesOf('UVM')).slice(0, 10)];
    const answers = await predictions(ids);
    const types = [...Array(10).fill('ACC'), ...Array(10).fill('UVM')];
    answers.forEach((p, i) => {
      expect(p.heads).toEqual({ id: shipped.id, panelMatched: false });
      expect(p.cancerType).toBe(types[i]);
      expect(p.outOfDistribution).toBe(false);
    });
  });
});

describe('refitting the heads (admin) on stored real samples', () => {
  it('is refused to readers and curators', async () => {
    for (const token of [h.tokens.READER, h.tokens.CURATOR]) {
      const res = await h.gql(`mutation($m: ID!) { refitHeads(model: $m) { id } }`, { m: versionId }, token);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('fits new, versioned heads on the labelled real samples only, and a type they lack is an explicit unknown', async () => {
    // KICH samples lose their recorded type: the refitted heads know ACC, CHOL and UVM only
    await h.pool.query(
      `UPDATE "Patient" SET "cancerType" = NULL WHERE id IN (SELECT "patientId" FROM "Sample" WHERE id = ANY($1::int[]))`,
      [kich],
    );
    const res = await h.gql(
      `mutation($m: ID!) { refitHeads(model: $m) { id knownCancerTypes headsInfo { id source samples simulated } } }`,
      { m: versionId },
      h.tokens.ADMIN,
    );
    expect(res.errors).toBeUndefined();
    const m = res.data!.refitHeads;
    expect(m.knownCancerTypes).toEqual(['ACC', 'CHOL', 'UVM']);
    expect(m.headsInfo.id).not.toBe(shipped.id);
    expect(m.headsInfo.source).toMatch(/^database: \d+ stored samples$/);
    expect(m.headsInfo.simulated).toBe(false);

    const answers = await predictions(kich);
    const flagged = answers.filter((p) => p.outOfDistribution);
    expect(flagged.length / answers.length).toBeGreaterThanOrEqual(0.8);
    for (const p of flagged) {
      expect(p.cancerType).toBeNull();
      expect(['ACC', 'CHOL', 'UVM']).toContain(p.closestType);
      expect(p.novelty).toBeGreaterThan(1);
      expect(p.heads.id).toBe(m.headsInfo.id);
    }
    const known = await predictions((await samplesOf('UVM')).slice(0, 20));
    expect(known.filter((p) => p.outOfDistribution).length).toBeLessThanOrEqual(2);
  }, 300_000); // a refit on 291 samples took 88 s at load 5 on 2 cores
});

describe('risk', () => {
  it('gives no percentile among a reference without survival, and says why', async () => {
    const ids = (await samplesOf('CHOL')).slice(0, 6);
    await h.pool.query(
      `UPDATE "Patient" SET "osDays" = NULL, "osEvent" = NULL WHERE id IN (SELECT "patientId" FROM "Sample" WHERE id = ANY($1::int[]))`,
      [ids],
    );
    const cohort = await h.prisma.cohort.create({
      data: { name: 'no survival', samples: { createMany: { data: ids.map((sampleId) => ({ sampleId })) } } },
    });
    const res = await h.gql(
      `query($id: ID, $c: ID) { sample(id: $id) { riskScore(cohort: $c) { score percentile referenceSize referenceNote
        trainingPercentile patients events } } }`,
      { id: String(ids[0]), c: String(cohort.id) },
    );
    expect(res.errors).toBeUndefined();
    const r = res.data!.sample.riskScore;
    expect(r.percentile).toBeNull();
    expect(r.referenceSize).toBe(0);
    expect(r.referenceNote).toMatch(/no real samples with raw counts whose patients have overall survival/);
    expect(r.trainingPercentile).toBeGreaterThanOrEqual(0);
    expect(r.patients).toBeGreaterThan(0);
    expect(r.events).toBeGreaterThanOrEqual(5);
  });
});

describe('predictProfiles (stateless)', () => {
  it('scores a 64-gene panel with panel-matched heads and restores genes with intervals, writing nothing', async () => {
    const uvm = (await samplesOf('UVM'))[3]!;
    const stored = (await readProfile(h.pool, uvm, 'RAW_COUNT'))!;
    const log2cpm = toLog2Cpm(Float32Array.from(stored.values), 'counts');
    const vocabulary = (
      await h.gql(`query($m: ID!) { model(id: $m) { vocabulary(first: 200) { ensemblId } } }`, {
        m: versionId,
      })
    ).data!.model.vocabulary.map((g: Data) => g.ensemblId as string);
    const at = new Map(stored.genes.map((g, i) => [g, i]));
    const panel = vocabulary.filter((_: string, i: number) => i % 3 === 0).slice(0, 64);
    const before = await counts();
    const res = await h.gql(
      `query($input: ProfilesInput!) { predictProfiles(input: $input) { name inputGenes
        cancerType { cancerType closestType outOfDistribution heads { inputGenes panelMatched } }
        riskScore { score percentile referenceNote patients }
        restoredValues { query value lower upper coverage measuredValue } } }`,
      {
        input: {
          genes: panel,
          unit: 'LOG2_CPM',
          profiles: [{ name: 'clinic panel', values: panel.map((g: string) => log2cpm[at.get(g)!]) }],
          restore: [vocabulary[1], vocabulary[2], 'NOT_A_GENE'],
        },
      },
    );
    expect(res.errors).toBeUndefined();
    const [p] = res.data!.predictProfiles;
    expect(p.name).toBe('clinic panel');
    expect(p.inputGenes).toBe(64);
    expect(p.cancerType.heads).toEqual({ inputGenes: 64, panelMatched: true });
    expect(p.cancerType.closestType).toBe('UVM');
    expect(p.riskScore.percentile).toBeNull();
    expect(p.riskScore.referenceNote).toMatch(/not stored/);
    const [a, b, unknown] = p.restoredValues;
    for (const r of [a, b]) {
      expect(r.coverage).toBe(0.9);
      expect(r.lower).toBeLessThan(r.value);
      expect(r.upper).toBeGreaterThan(r.value);
    }
    expect(unknown).toMatchObject({ query: 'NOT_A_GENE', value: null, lower: null, upper: null });
    expect(await counts()).toEqual(before);
  });

  it('refuses a profile whose values do not match the genes, naming it', async () => {
    const res = await h.gql(
      `query { predictProfiles(input: { genes: ["TP53", "EGFR"], unit: COUNTS, profiles: [{ name: "x", values: [1] }] }) { name } }`,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/profiles\[0\] \(x\) has 1 values for 2 genes/);
  });
});
