// Restoring from chosen input genes (the 64-gene panel view), a model's vocabulary, and a cohort's
// imputation quality, over HTTP against a real database of three real TCGA cohorts and the shipped model.
// Expected values are computed here directly through the model library on the same stored profiles.
import fs from 'node:fs';
import path from 'node:path';
import { loadModelRuntime, type ModelRuntime, sampleProfiles } from '@gexbert/core/inference/modelRuntime';
import { defaultCheckpointCache } from '@gexbert/core/registry/checkpointStore';
import { promoteModelVersion, SHIPPED_CHECKPOINT } from '@gexbert/core/registry/modelVersion';
import { type Profile, restore } from '@gexbert/model/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Data,
  type Harness,
  registerShippedCandidate,
  startHarness,
  textbookPearson,
} from './support.ts';

const TYPES = ['CHOL', 'DLBC', 'UVM'];
const VOCABULARY = fs
  .readFileSync(path.join(SHIPPED_CHECKPOINT, 'vocabulary.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
const PANEL = VOCABULARY.slice(0, 64);
const HELD_OUT = VOCABULARY.slice(64, 104);

let h: Harness;
let runtime: ModelRuntime;
let sampleIds: number[];
let cohortId: number;

beforeAll(async () => {
  h = await startHarness(TYPES);
  const { rows } = await h.pool.query<{ id: number }>(`SELECT id FROM "Sample" ORDER BY id`);
  sampleIds = rows.map((r) => r.id);
  cohortId = (
    await h.prisma.cohort.create({
      data: {
        name: 'all three',
        samples: { createMany: { data: sampleIds.map((sampleId) => ({ sampleId })) } },
      },
    })
  ).id;
  const registered = await registerShippedCandidate(h);
  runtime = await loadModelRuntime({ pool: h.pool, cacheDir: defaultCheckpointCache() }, registered);
  await promoteModelVersion(h.prisma, registered.id);
}, 600_000);

afterAll(async () => {
  await runtime?.close();
  await h?.close();
});

/** The model library's restoration of a stored sample from only `input` of its measured genes. */
async function directRestore(sampleId: number, input: readonly string[] | null, genes: string[]) {
  const [profile] = await sampleProfiles(h.pool, runtime.stats, [sampleId]);
  const keep = new Set(input ?? profile!.genes);
  const genesIn: string[] = [];
  const values: number[] = [];
  profile!.genes.forEach((g, i) => {
    if (keep.has(g) && Number.isFinite(profile!.values[i]!)) {
      genesIn.push(g);
      values.push(profile!.values[i]!);
    }
  });
  const filtered: Profile = { genes: genesIn, values: Float32Array.from(values), unit: 'log2cpm' };
  const out = await restore(runtime.predictor, runtime.stats, [filtered], genes);
  return { values: Array.from(out.values[0]!), inputGenes: out.reports[0]!.inputGenes };
}

const RESTORE = `query($id: ID, $genes: [String!]!, $input: [String!]) {
  sample(id: $id) {
    restoredValues(genes: $genes, inputGenes: $input) { query value inVocabulary measuredValue }
  }
}`;

describe('restoring from chosen input genes', () => {
  it('equals the model library’s restoration from the profile cut to those genes, unlike the full input', async () => {
    const id = sampleIds[5]!;
    const panelRes = await h.gql(RESTORE, { id: String(id), genes: HELD_OUT, input: PANEL });
    expect(panelRes.errors).toBeUndefined();
    const fromPanel = panelRes.data!.sample.restoredValues.map((r: Data) => r.value as number);
    const direct = await directRestore(id, PANEL, HELD_OUT);
    expect(direct.inputGenes).toBeGreaterThan(50);
    expect(direct.inputGenes).toBeLessThanOrEqual(64);
    expect(
      Math.max(...fromPanel.map((v: number, i: number) => Math.abs(v - direct.values[i]!))),
    ).toBeLessThan(1e-5);

    const fullRes = await h.gql(RESTORE, { id: String(id), genes: HELD_OUT });
    expect(fullRes.errors).toBeUndefined();
    const fromAll = fullRes.data!.sample.restoredValues.map((r: Data) => r.value as number);
    const directAll = await directRestore(id, null, HELD_OUT);
    expect(
      Math.max(...fromAll.map((v: number, i: number) => Math.abs(v - directAll.values[i]!))),
    ).toBeLessThan(1e-5);
    expect(Math.max(...fromAll.map((v: number, i: number) => Math.abs(v - fromPanel[i]!)))).toBeGreaterThan(
      0.01,
    );
  });

  it('reports unknown and unmeasured input genes without failing, and refuses an empty input', async () => {
    const id = String(sampleIds[2]!);
    const input = [...PANEL.slice(0, 10), 'NO_SUCH_GENE', 'ENSG00000000000'];
    const res = await h.gql(
      `query($id: ID, $genes: [String!]!, $input: [String!]!) { sample(id: $id) {
        restoredValues(genes: $genes, inputGenes: $input) { value }
        restorationInput(inputGenes: $input) { genes { ensemblId } unknown outsideVocabulary unmeasured }
      } }`,
      { id, genes: HELD_OUT.slice(0, 5), input },
    );
    expect(res.errors).toBeUndefined();
    const report = res.data!.sample.restorationInput;
    expect(report.unknown).toEqual(['NO_SUCH_GENE', 'ENSG00000000000']);
    expect(report.genes.length + report.unmeasured.length + report.outsideVocabulary.length).toBe(10);
    expect(report.genes.length).toBeGreaterThan(0);
    const direct = await directRestore(
      Number(id),
      report.genes.map((g: Data) => g.ensemblId),
      HELD_OUT.slice(0, 5),
    );
    res.data!.sample.restoredValues.forEach((r: Data, i: number) => {
      expect(Math.abs(r.value - direct.values[i]!)).toBeLessThan(1e-5);
    });

    for (const bad of [[], ['NO_SUCH_GENE']]) {
      const refused = await h.gql(RESTORE, { id, genes: HELD_OUT.slice(0, 3), input: bad });
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message).toMatch(/inputGenes/);
    }
  });
});

describe('a model’s vocabulary', () => {
  it('lists the checkpoint’s vocabulary.txt in order, with symbols', async () => {
    const res = await h.gql(
      `{ activeModel { all: vocabulary { ensemblId } top: vocabulary(first: 64) { rank ensemblId symbol } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.activeModel.all.map((g: Data) => g.ensemblId)).toEqual(VOCABULARY);
    const top = res.data!.activeModel.top as Data[];
    expect(top.map((g) => g.ensemblId)).toEqual(PANEL);
    expect(top.map((g) => g.rank)).toEqual(PANEL.map((_, i) => i));
    expect(top.filter((g) => typeof g.symbol === 'string' && g.symbol.length > 0).length).toBeGreaterThan(50);
  });
});

describe('a cohort’s imputation quality', () => {
  it('restores held-out genes from the 64-gene panel better than the training mean, as computed directly', async () => {
    const res = await h.gql(
      `query($c: ID!) { cohort(id: $c) { imputationQuality(samples: 40, genes: 100) {
        panelSize sampleCount model { isActive }
        genes { gene { rank ensemblId } pearson rmse }
        restored { medianGenePearson overallPearson rmse }
        baseline { medianGenePearson overallPearson rmse }
      } } }`,
      { c: String(cohortId) },
    );
    expect(res.errors).toBeUndefined();
    const q = res.data!.cohort.imputationQuality;
    expect(q.panelSize).toBe(64);
    expect(q.sampleCount).toBe(40);
    expect(q.model.isActive).toBe(true);
    expect(q.genes.map((g: Data) => g.gene.ensemblId)).toEqual(VOCABULARY.slice(64, 164));
    for (const g of q.genes) expect(Number.isFinite(g.rmse)).toBe(true);
    for (const value of [
      q.restored.medianGenePearson,
      q.restored.overallPearson,
      q.restored.rmse,
      q.baseline.rmse,
    ])
      expect(Number.isFinite(value)).toBe(true);
    expect(q.restored.medianGenePearson).toBeGreaterThan(0.3);
    expect(q.restored.rmse).toBeLessThan(q.baseline.rmse);
    expect(q.baseline.medianGenePearson).toBeNull();

    // one gene checked independently: the model library's restoration of the evenly spaced samples from the panel
    const chosen = Array.from({ length: 40 }, (_, i) => sampleIds[Math.floor((i * sampleIds.length) / 40)]!);
    const gene = VOCABULARY[64]!;
    const measured: number[] = [];
    const restored: number[] = [];
    for (const id of chosen) {
      const [profile] = await sampleProfiles(h.pool, runtime.stats, [id]);
      measured.push(profile!.values[profile!.genes.indexOf(gene)]!);
      restored.push((await directRestore(id, PANEL, [gene])).values[0]!);
    }
    const mean = runtime.stats.mean[64]!;
    const baselineRmse = Math.sqrt(measured.reduce((s, m) => s + (m - mean) ** 2, 0) / measured.length);
    const restoredRmse = Math.sqrt(
      measured.reduce((s, m, i) => s + (m - restored[i]!) ** 2, 0) / measured.length,
    );
    expect(Math.abs(q.genes[0].rmse - restoredRmse)).toBeLessThan(1e-4);
    expect(Math.abs(q.genes[0].pearson - textbookPearson(measured, restored))).toBeLessThan(1e-4);
    expect(baselineRmse).toBeGreaterThan(0);
  });

  it('refuses more samples than the configured maximum', async () => {
    const res = await h.gql(
      `query($c: ID!) { cohort(id: $c) { imputationQuality(samples: 100000) { sampleCount } } }`,
      {
        c: String(cohortId),
      },
    );
    expect(res.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|QUERY_TOO_COMPLEX/);
  });
});
