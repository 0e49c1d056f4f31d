import { readProfile } from '@gexbert/core/expression/store';
import { promoteModelVersion, SHIPPED_CHECKPOINT } from '@gexbert/core/registry/modelVersion';
import {
  type ModelHeads,
  predictCancerType,
  readModelHeads,
  riskScore,
  toStored,
} from '@gexbert/model/heads';
import { embed, openCheckpointPredictor, type Profile } from '@gexbert/model/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../src/server.ts';
import { type Harness, registerShippedCandidate, startHarness } from './support.ts';

process.env.GEXBERT_ATTRIBUTION_SAMPLES = '2'; // the gene importance bound (core config), read by the API

let h: Harness;
let heads: ModelHeads;
let opened: Awaited<ReturnType<typeof openCheckpointPredictor>>;
let samples: { id: number; cancerType: string }[];

const ATTRIBUTIONS = `query($id: ID, $target: AttributionTarget!, $top: Int) {
  sample(id: $id) {
    cancerTypePrediction { closestType probabilities { cancerType probability } }
    riskScore { score }
    attributions(target: $target, top: $top) {
      target cancerType baseline inputGenes headInputGenes model { id }
      genes { rank ensemblId gene { symbol } value attribution occluded }
    }
  }
}`;

interface Attr {
  rank: number;
  gene: { symbol: string | null } | null;
  ensemblId: string;
  value: number;
  attribution: number;
  occluded: number;
}

/** The sample's model input as the model library reads stored counts, with `hidden` genes given as missing. */
async function hiddenProfile(sampleId: number, hidden: readonly string[]): Promise<Profile> {
  const stored = (await readProfile(h.pool, sampleId, 'RAW_COUNT'))!;
  let total = 0;
  for (const v of stored.values) total += v;
  const vocabulary = new Set(opened.checkpoint.stats.genes);
  const hide = new Set(hidden);
  const genes: string[] = [];
  const values: number[] = [];
  stored.genes.forEach((g, i) => {
    if (!vocabulary.has(g)) return;
    genes.push(g);
    values.push(hide.has(g) ? Number.NaN : Math.log2((stored.values[i]! / total) * 1e6 + 1));
  });
  return { genes, values: Float32Array.from(values), unit: 'log2cpm' };
}

/** The shipped heads' outputs on that profile (missing genes as the learned missing token). */
async function headsOn(profile: Profile, cancerType: string) {
  const { embeddings } = await embed(opened.predictor, opened.checkpoint.stats, [profile], {
    missing: 'token',
  });
  const e = embeddings[0]!;
  const probabilities = predictCancerType(heads.full.cancerType!, e);
  const probability = probabilities.find((p) => p.cancerType === cancerType)!.probability;
  const others = probabilities.filter((p) => p.cancerType !== cancerType);
  return {
    probability,
    // log(p / (1 - p)), 1 - p as the sum of the other types' probabilities
    logOdds: Math.log(probability) - Math.log(others.reduce((sum, p) => sum + p.probability, 0)),
    risk: riskScore(heads.full.risk!, e),
  };
}

beforeAll(async () => {
  h = await startHarness(['UVM']);
  const { rows } = await h.pool.query(
    `SELECT s.id, p."cancerType" FROM "Sample" s JOIN "Patient" p ON p.id = s."patientId" ORDER BY s.id`,
  );
  samples = rows;
  heads = readModelHeads(SHIPPED_CHECKPOINT)!;
  const registered = await registerShippedCandidate(h);
  await h.prisma.modelVersion.update({
    where: { id: registered.id },
    data: { heads: toStored(heads) as object },
  });
  await promoteModelVersion(h.prisma, registered.id);
  opened = await openCheckpointPredictor(SHIPPED_CHECKPOINT);
}, 600_000);

afterAll(async () => {
  await opened?.predictor.release();
  await h?.close();
});

describe('Sample.attributions', () => {
  it('is the shipped heads’ output with all genes minus with the gene given as missing, recomputed outside the API', async () => {
    const sample = samples.find((s) => s.cancerType.endsWith('UVM'))!;
    const res = await h.gql(ATTRIBUTIONS, { id: String(sample.id), target: 'CANCER_TYPE', top: 1000 });
    expect(res.errors).toBeUndefined();
    const s = res.data!.sample;
    const a = s.attributions;
    const genes: Attr[] = a.genes;
    // every measured vocabulary gene, largest |attribution| first, against the served prediction
    expect(a.inputGenes).toBe(opened.checkpoint.stats.genes.length);
    expect(genes).toHaveLength(a.inputGenes);
    expect(a.headInputGenes).toBe(heads.full.inputGenes);
    for (let i = 1; i < genes.length; i++)
      expect(Math.abs(genes[i - 1]!.attribution)).toBeGreaterThanOrEqual(Math.abs(genes[i]!.attribution));
    expect(a.cancerType).toBe(s.cancerTypePrediction.closestType);
    const served = s.cancerTypePrediction.probabilities.find(
      (p: { cancerType: string }) => p.cancerType === a.cancerType,
    ).probability;
    expect(a.baseline).toBeCloseTo(served, 4);
    // the definition, recomputed for the top gene and the 500th
    const all = await headsOn(await hiddenProfile(sample.id, []), a.cancerType);
    expect(a.baseline).toBeCloseTo(all.probability, 5);
    for (const g of [genes[0]!, genes[499]!]) {
      const hidden = await headsOn(await hiddenProfile(sample.id, [g.ensemblId]), a.cancerType);
      expect(g.occluded).toBeCloseTo(hidden.probability, 5);
      expect(g.attribution).toBeCloseTo(all.probability - hidden.probability, 5);
    }
    expect(Math.abs(genes[0]!.attribution)).toBeGreaterThan(0);
  }, 1_200_000);

  it('log-odds: the same occlusions read as log(p / (1 - p)) of the predicted type, recomputed outside the API', async () => {
    const sample = samples.find((s) => s.cancerType.endsWith('UVM'))!;
    const res = await h.gql(ATTRIBUTIONS, {
      id: String(sample.id),
      target: 'CANCER_TYPE_LOG_ODDS',
      top: 1000,
    });
    expect(res.errors).toBeUndefined();
    const s = res.data!.sample;
    const a = s.attributions;
    expect(a.target).toBe('CANCER_TYPE_LOG_ODDS');
    expect(a.cancerType).toBe(s.cancerTypePrediction.closestType);
    const genes: Attr[] = a.genes;
    expect(genes).toHaveLength(a.inputGenes);
    const all = await headsOn(await hiddenProfile(sample.id, []), a.cancerType);
    expect(a.baseline).toBeCloseTo(all.logOdds, 4);
    // the served probability, as log-odds
    const p = s.cancerTypePrediction.probabilities.find(
      (q: { cancerType: string }) => q.cancerType === a.cancerType,
    ).probability;
    expect(a.baseline).toBeCloseTo(Math.log(p / (1 - p)), 2);
    for (const g of [genes[0]!, genes[499]!]) {
      const hidden = await headsOn(await hiddenProfile(sample.id, [g.ensemblId]), a.cancerType);
      expect(g.occluded).toBeCloseTo(hidden.logOdds, 4);
      expect(g.attribution).toBeCloseTo(all.logOdds - hidden.logOdds, 4);
    }
  }, 1_200_000);

  it('risk: hiding the top genes together moves the score at least as much as the top attribution says', async () => {
    // the same sample: both targets come from one set of occlusions, kept by the API
    const sample = samples.find((s) => s.cancerType.endsWith('UVM'))!;
    const res = await h.gql(ATTRIBUTIONS, { id: String(sample.id), target: 'RISK', top: 1000 });
    expect(res.errors).toBeUndefined();
    const s = res.data!.sample;
    const a = s.attributions;
    expect(a.target).toBe('RISK');
    expect(a.cancerType).toBeNull();
    expect(a.baseline).toBeCloseTo(s.riskScore.score, 4);
    const genes: Attr[] = a.genes;
    const g = genes[1]!;
    const one = await headsOn(await hiddenProfile(sample.id, [g.ensemblId]), 'UVM');
    expect(g.occluded).toBeCloseTo(one.risk, 4);
    // the 8 genes that raise the risk most, hidden together, lower it at least as much as the largest alone
    const raising = [...genes].sort((x, y) => y.attribution - x.attribution).slice(0, 8);
    expect(raising[0]!.attribution).toBeGreaterThan(0);
    const hidden = await headsOn(
      await hiddenProfile(
        sample.id,
        raising.map((r) => r.ensemblId),
      ),
      'UVM',
    );
    expect(a.baseline - hidden.risk).toBeGreaterThanOrEqual(raising[0]!.attribution);
  }, 1_200_000);

  it('Cohort.geneImportance is the mean |attribution| over the first samples of the type, stored once', async () => {
    const cohortId = (await h.pool.query(`SELECT id FROM "Cohort" WHERE name = 'TCGA'`)).rows[0].id;
    const first = samples.slice(0, 2); // the bound (GEXBERT_ATTRIBUTION_SAMPLES=2), by sample ID
    const per = [];
    for (const s of first) {
      const res = await h.gql(ATTRIBUTIONS, { id: String(s.id), target: 'RISK', top: 1000 });
      expect(res.errors).toBeUndefined();
      per.push(
        new Map((res.data!.sample.attributions.genes as Attr[]).map((g) => [g.ensemblId, g.attribution])),
      );
    }
    const IMPORTANCE = `query($c: ID, $g: String!) { cohort(id: $c) {
      geneImportance(cancerType: "UVM", target: RISK, top: 1000) {
        cancerType samplesUsed samplesOfType rankedGenes
        genes { rank ensemblId gene { symbol } meanAbsAttribution meanAttribution }
        geneRank(gene: $g) { rank ensemblId } } } }`;
    const probe = (await h.gql(IMPORTANCE, { c: String(cohortId), g: 'TP53' })).data!.cohort.geneImportance;
    expect(probe.samplesUsed).toBe(2);
    expect(probe.samplesOfType).toBe(samples.length);
    expect(probe.rankedGenes).toBe(opened.checkpoint.stats.genes.length);
    const genes: {
      rank: number;
      ensemblId: string;
      gene: { symbol: string | null } | null;
      meanAbsAttribution: number;
      meanAttribution: number;
    }[] = probe.genes;
    for (const g of genes.slice(0, 50)) {
      const a = per.map((m) => m.get(g.ensemblId)!);
      expect(g.meanAbsAttribution).toBeCloseTo((Math.abs(a[0]!) + Math.abs(a[1]!)) / 2, 10);
      expect(g.meanAttribution).toBeCloseTo((a[0]! + a[1]!) / 2, 10);
    }
    for (let i = 1; i < genes.length; i++)
      expect(genes[i - 1]!.meanAbsAttribution).toBeGreaterThanOrEqual(genes[i]!.meanAbsAttribution);
    const fifth = genes[4]!;
    const ranked = (
      await h.gql(IMPORTANCE, { c: String(cohortId), g: fifth.gene?.symbol ?? fifth.ensemblId })
    ).data!.cohort.geneImportance.geneRank;
    expect(ranked).toEqual({ rank: 5, ensemblId: fifth.ensemblId });
    const stored = await h.pool.query(
      `SELECT count(*)::int AS n FROM "CohortAnswer" WHERE "cohortId" = $1 AND key LIKE 'geneImportance/%'`,
      [cohortId],
    );
    expect(stored.rows[0].n).toBe(1);
  }, 1_200_000);

  it('attributionsReady reports genes done of genes total from the database: another API process answers the same and starts nothing', async () => {
    const sample = samples[samples.length - 1]!; // attributed by no other test
    const READY = `query($id: ID, $start: Boolean) { sample(id: $id) { attributionsReady(start: $start) {
      ready computing secondsComputing genesDone genesTotal } } }`;
    type Readiness = {
      ready: boolean;
      computing: boolean;
      secondsComputing: number | null;
      genesDone: number | null;
      genesTotal: number | null;
    };
    const other = await startApi({ pool: h.pool, prisma: h.prisma, port: 0, env: {} });
    const ask = async (url: string, start: boolean): Promise<Readiness> => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tokens.READER}` },
        body: JSON.stringify({ query: READY, variables: { id: String(sample.id), start } }),
      });
      const body = (await res.json()) as {
        data: { sample: { attributionsReady: Readiness } };
        errors?: unknown;
      };
      expect(body.errors).toBeUndefined();
      return body.data.sample.attributionsReady;
    };
    try {
      expect(await ask(other.url, false)).toEqual({
        ready: false,
        computing: false,
        secondsComputing: null,
        genesDone: null,
        genesTotal: null,
      });
      const started = await ask(h.api.url, true);
      expect(started).toMatchObject({ ready: false, computing: true });
      // the harness's API computes; the other one, asked to start too, reports that computation's progress
      const pairs: [Readiness, Readiness][] = [];
      // one after the other: the harness's API, then the other one
      const poll = async (): Promise<[Readiness, Readiness]> => [
        await ask(h.api.url, false),
        await ask(other.url, true),
      ];
      const deadline = Date.now() + 900_000;
      for (;;) {
        if (Date.now() > deadline) throw new Error('the attributions were not stored in 900 s');
        await new Promise((resolve) => setTimeout(resolve, 500));
        // a poll that fails (the machine is shared and loaded: a connection reset) is said and retried
        const pair = await poll().catch((error) => {
          console.log(`progress poll failed: ${error instanceof Error ? error.message : error}`);
          return null;
        });
        if (!pair) continue;
        const [first, second] = pair;
        if (first.ready && second.ready) break;
        pairs.push([first, second]);
      }
      const { inputGenes } = (await h.gql(ATTRIBUTIONS, { id: String(sample.id), target: 'RISK', top: 1 }))
        .data!.sample.attributions;
      const counted = pairs.filter(([a, b]) => a.genesTotal !== null && b.genesTotal !== null);
      expect(counted.length).toBeGreaterThan(1);
      for (const [a, b] of counted) {
        expect(a.computing && b.computing).toBe(true);
        expect([a.genesTotal, b.genesTotal]).toEqual([inputGenes, inputGenes]);
        // asked one after the other: the second answer is the same progress or later
        expect(b.genesDone!).toBeGreaterThanOrEqual(a.genesDone!);
        expect(b.secondsComputing!).toBeGreaterThanOrEqual(a.secondsComputing!);
        expect(b.genesDone!).toBeLessThanOrEqual(inputGenes);
      }
      const done = counted.map(([, b]) => b.genesDone!);
      done.slice(1).forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(done[i]!);
      });
      expect(new Set(done).size).toBeGreaterThan(1); // it moved
      // the other process never loaded the model: it started no second computation
      expect(other.models.counters.runtimeLoads).toBe(0);
      const left = await h.pool.query(`SELECT 1 FROM "SampleAttributionProgress" WHERE "sampleId" = $1`, [
        sample.id,
      ]);
      expect(left.rows).toHaveLength(0);
    } finally {
      await other.stop();
    }
  }, 1_200_000);

  it('refuses a top outside 1 ... 1000', async () => {
    const res = await h.gql(ATTRIBUTIONS, { id: String(samples[0]!.id), target: 'RISK', top: 0 });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/top must be an integer from 1 to 1000/);
  });
});
