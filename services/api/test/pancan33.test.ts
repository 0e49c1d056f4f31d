// The 33-type model on a fresh database holding only the real PanCanAtlas extract (../shared/data/tcga/pancan33:
// 604 samples of 33 types, 100 genes, RSEM values): the database registers tcga-6types (active) and
// tcga-33types beside it; asked by name, tcga-33types embeds every sample stored in RSEM alone and names it one
// of the 33 types (none refused), through the model's RSEM normalisation, not the count one; the cohort's map
// by tcga-33types has a PCA and a UMAP, scored for how well each reads (printed); its imputation quality
// through tcga-33types is measured on the RSEM samples as log2(RSEM + 1), and refused through tcga-6types.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  loadCheckpointRuntime,
  type ModelRuntime,
  sampleProfiles,
} from '@gexbert/core/inference/modelRuntime';
import {
  SHIPPED_MODEL_NAME,
  TCGA_33_CHECKPOINT,
  TCGA_33_MODEL_NAME,
} from '@gexbert/core/registry/modelVersion';
import { sharedDir } from '@gexbert/core/test-support/shared';
import { embed, profileToZ, restore, toLog2Cpm } from '@gexbert/model/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Data,
  type Harness,
  ingestPancan33,
  PANCAN33_EXPRESSION,
  startHarness,
  textbookPearson,
} from './support.ts';

const EXPRESSION = PANCAN33_EXPRESSION;
const SIDECAR = path.join(sharedDir(), 'data/tcga/pancan33/pancan33_samples.tsv');

/** The sidecar's cancer type per sample barcode, read independently of the platform's reader. */
function recordedTypes(): Map<string, string> {
  const [header, ...rows] = fs
    .readFileSync(SIDECAR, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
  const sample = header!.indexOf('sample');
  const type = header!.indexOf('cancer_type');
  return new Map(rows.map((r) => [r[sample]!, r[type]!]));
}

let h: Harness;
let runtime: ModelRuntime;
let stored: { id: number; barcode: string }[];
let model33: string;
const types = recordedTypes();
const known = [...new Set(types.values())].sort();

beforeAll(async () => {
  h = await startHarness([]);
  model33 = await ingestPancan33(h);
  runtime = await loadCheckpointRuntime(TCGA_33_CHECKPOINT);
  ({ rows: stored } = await h.pool.query<{ id: number; barcode: string }>(
    `SELECT id, barcode FROM "Sample" ORDER BY id`,
  ));
}, 600_000);

afterAll(async () => {
  await runtime?.close();
  await h?.close();
});

async function gqlBatches(ids: number[], query: string): Promise<Data[]> {
  const out: Data[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const res = await h.gql(query, { ids: ids.slice(i, i + 100).map(String), model: model33 });
    expect(res.errors).toBeUndefined();
    out.push(...res.data!.embeddings);
  }
  return out;
}

describe('pancan33 in RSEM alone', () => {
  it('every one of the 604 samples is stored in RSEM only and gets a type among the 33 the model knows', async () => {
    expect(stored).toHaveLength(604);
    const { rows } = await h.pool.query<{ unit: string; n: number }>(
      `SELECT unit, count(*)::int AS n FROM "ExpressionProfile" GROUP BY unit`,
    );
    expect(rows).toEqual([{ unit: 'RSEM', n: 604 }]);
    const models = await h.gql(
      `query($m: ID!) { activeModel { name } model(id: $m) { name status knownCancerTypes } }`,
      { m: model33 },
    );
    expect(models.errors).toBeUndefined();
    expect(models.data!.activeModel.name).toBe(SHIPPED_MODEL_NAME);
    expect(models.data!.model).toEqual({
      name: TCGA_33_MODEL_NAME,
      status: 'CANDIDATE',
      knownCancerTypes: known,
    });
    expect(known).toHaveLength(33);
    const answers = await gqlBatches(
      stored.map((s) => s.id),
      `query($ids: [ID!], $model: ID) { embeddings(sampleIds: $ids, model: $model) { inputGenes sample { barcode
        cancerTypePrediction(model: $model) { cancerType closestType outOfDistribution heads { id panelMatched } } } } }`,
    );
    expect(answers).toHaveLength(604);
    let agree = 0;
    let flagged = 0;
    for (const a of answers) {
      const p = a.sample.cancerTypePrediction;
      expect(a.inputGenes).toBe(100);
      expect(known).toContain(p.closestType);
      expect(p.cancerType === null ? p.outOfDistribution : p.cancerType === p.closestType).toBe(true);
      expect(p.heads.panelMatched).toBe(true); // answered by heads seen through its 100 genes
      expect(p.heads.id).toBe(runtime.heads!.id); // the checkpoint's heads, with the stored rsem panel set
      if (p.closestType === types.get(a.sample.barcode)) agree++;
      if (p.outOfDistribution) flagged++;
    }
    // The heads were fitted on these samples (among others): a sanity bound, far above chance (1/33).
    expect(agree / 604).toBeGreaterThan(0.5);
    expect(flagged / 604).toBeLessThan(0.1);
  }, 300_000); // 604 samples embedded by two models: 94.5 s alone at load 20

  it("gives a sample's most expressed measured genes as the file holds them (Sample.topGenes)", async () => {
    // The file's first sample, read independently: its 10 highest values, Entrez IDs as the columns.
    const [header, first] = zlib
      .gunzipSync(fs.readFileSync(EXPRESSION))
      .toString()
      .split('\n', 2)
      .map((l) => l.split('\t'));
    const values = first!.slice(1).map(Number);
    const expected = values
      .map((v, i) => ({ entrez: header![i + 1]!, v }))
      .sort((a, b) => b.v - a.v)
      .slice(0, 10);
    const sample = stored.find((s) => s.barcode === first![0])!;
    const res = await h.gql(
      `query($id: ID!) { sample(id: $id) { topGenes(unit: RSEM, first: 10) { value gene { entrezIds } }
        counts: topGenes { value } } }`,
      { id: String(sample.id) },
    );
    expect(res.errors).toBeUndefined();
    const top = res.data!.sample.topGenes as { value: number; gene: { entrezIds: string[] } }[];
    expect(top.map((t) => t.value)).toEqual(expected.map((e) => Math.fround(e.v)));
    // ties aside, the same genes
    if (new Set(expected.map((e) => e.v)).size === 10)
      expect(top.map((t) => t.gene.entrezIds)).toEqual(expected.map((e) => [e.entrez]));
    expect(res.data!.sample.counts).toEqual([]); // no RAW_COUNT profile
    const tooMany = await h.gql(`query($id: ID!) { sample(id: $id) { topGenes(first: -1) { value } } }`, {
      id: String(sample.id),
    });
    expect(tooMany.errors?.[0]?.message).toMatch(/^first must be between 0 and/);
  });

  it('reads RSEM through the RSEM statistics: the served embedding is not the counts-normalised misuse', async () => {
    const norm = JSON.parse(fs.readFileSync(path.join(TCGA_33_CHECKPOINT, 'normalisation.json'), 'utf8'));
    const [profile] = await sampleProfiles(h.pool, runtime.stats, [stored[0]!.id]);
    expect(profile!.unit).toBe('rsem');
    expect(profile!.genes).toHaveLength(100);
    // An independent z of the stored RSEM values, from normalisation.json as written.
    const vocabulary = fs.readFileSync(path.join(TCGA_33_CHECKPOINT, 'vocabulary.txt'), 'utf8').split('\n');
    const z = profileToZ(runtime.stats, profile!.genes, profile!.values, 'rsem').z;
    profile!.genes.forEach((g, i) => {
      const v = vocabulary.indexOf(g);
      const expected =
        (Math.log2(Math.max(profile!.values[i]!, 0) + 1) - norm.rsem.mean[v]) / norm.rsem.sd[v];
      expect(z[v]).toBeCloseTo(expected, 4);
    });
    // What HeadServer.answer keys its head set by (the measured positions) is the panel whose set is stored
    // with the heads (heads.json `panels`): a stored sample is answered without fitting heads at the request.
    const measured = Array.from(z.keys()).filter((v) => Number.isFinite(z[v]!));
    expect(measured).toEqual(runtime.heads!.panels!.find((p) => p.name === 'rsem')!.genes);
    const misuse = { ...profile!, values: toLog2Cpm(profile!.values, 'rsem'), unit: 'log2cpm' as const };
    const [right, wrong] = (await embed(runtime.predictor, runtime.stats, [profile!, misuse])).embeddings;
    const [served] = await gqlBatches(
      [stored[0]!.id],
      `query($ids: [ID!], $model: ID) { embeddings(sampleIds: $ids, model: $model) { vector } }`,
    );
    const gap = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i]!)));
    expect(gap(served!.vector, right!)).toBeLessThan(1e-4);
    expect(gap(served!.vector, wrong!)).toBeGreaterThan(1e-2);
  });

  it('restores genes of a sample stored in RSEM alone, as the model library restores its profile, with intervals', async () => {
    const [profile] = await sampleProfiles(h.pool, runtime.stats, [stored[1]!.id]);
    const [held, ...others] = profile!.genes; // `held` restored from the other 99 only
    const expected = await restore(runtime.predictor, runtime.stats, [profile!], [held!], {
      unit: 'log2cpm',
    });
    const heldOut = profile!.genes.map((g) => g !== held);
    const unseen = {
      ...profile!,
      genes: profile!.genes.filter((_, i) => heldOut[i]),
      values: profile!.values.filter((_, i) => heldOut[i]),
    };
    const fromOthers = await restore(runtime.predictor, runtime.stats, [unseen], [held!], {
      unit: 'log2cpm',
    });
    const res = await h.gql(
      `query($id: ID!, $genes: [String!]!, $input: [String!], $model: ID) { sample(id: $id) {
         all: restoredValues(genes: $genes, model: $model) { value lower upper coverage measuredValue inVocabulary }
         panel: restoredValues(genes: $genes, model: $model, inputGenes: $input) { value lower upper measuredValue } } }`,
      { id: String(stored[1]!.id), genes: [held], input: others, model: model33 },
    );
    expect(res.errors).toBeUndefined();
    const all = (res.data!.sample.all as Data[])[0]!;
    const panel = (res.data!.sample.panel as Data[])[0]!;
    expect(all.inVocabulary).toBe(true);
    expect(all.value).toBeCloseTo(expected.values[0]![0]!, 4);
    expect(panel.value).toBeCloseTo(fromOthers.values[0]![0]!, 4);
    expect(panel.value).not.toBeCloseTo(all.value, 4); // the gene itself was not seen
    for (const r of [all, panel]) {
      expect(r.lower).toBeLessThan(r.value);
      expect(r.upper).toBeGreaterThan(r.value);
      expect(r.measuredValue).toBeNull(); // RSEM is not log2(CPM + 1) of raw counts
    }
    expect(all.coverage).toBeCloseTo(0.9, 6);
    // A vocabulary gene no stored sample measures (only the count data had it) can be named too, by symbol:
    // the shipped models' vocabularies are known to the database (GENCODE v36 symbols).
    const countOnly = runtime.stats.genes.find((g) => !profile!.genes.includes(g))!;
    const { rows: named } = await h.pool.query<{ symbol: string }>(
      `SELECT g.symbol FROM "Gene" g WHERE g."ensemblId" = $1 AND NOT EXISTS (SELECT 1 FROM "GeneLayout" l
         WHERE g.id = ANY(l."geneIds"))`,
      [countOnly],
    );
    expect(named).toHaveLength(1);
    const [fromCounts] = (
      await restore(runtime.predictor, runtime.stats, [profile!], [countOnly], { unit: 'log2cpm' })
    ).values[0]!;
    const bySymbol = await h.gql(
      `query($id: ID!, $genes: [String!]!, $model: ID) { sample(id: $id) {
         restoredValues(genes: $genes, model: $model) { value gene { ensemblId } } } }`,
      { id: String(stored[1]!.id), genes: [named[0]!.symbol], model: model33 },
    );
    expect(bySymbol.errors).toBeUndefined();
    const [r] = bySymbol.data!.sample.restoredValues as Data[];
    expect(r!.gene.ensemblId).toBe(countOnly);
    expect(r!.value).toBeCloseTo(fromCounts!, 4);
  });

  it('maps the 604 samples by PCA and UMAP and names the one that reads better (33 recorded types)', async () => {
    const cohort = await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'PANCAN33'`);
    const res = await h.gql(
      `query($id: ID!, $model: ID) { cohort(id: $id) { map(model: $model) { projection
         readability { projection typeAgreement trustworthiness trustworthinessQueries score }
         umap { fittedSamples } points { barcode cancerType umapX } } } }`,
      { id: String(cohort.rows[0]!.id), model: model33 },
    );
    expect(res.errors).toBeUndefined();
    const map = res.data!.cohort.map;
    expect(map.points).toHaveLength(604);
    expect(map.umap.fittedSamples).toBe(604);
    expect(map.points.every((p: Data) => p.umapX !== null)).toBe(true);
    // the type agreement is of the recorded types (the sidecar's)
    for (const p of map.points) expect(p.cancerType).toBe(types.get(p.barcode));
    const [pca, umap] = map.readability;
    expect([pca.projection, umap.projection]).toEqual(['PCA', 'UMAP']);
    for (const r of map.readability) {
      expect(r.trustworthinessQueries).toBe(604);
      expect(r.score).toBeCloseTo((r.typeAgreement + r.trustworthiness) / 2, 12);
    }
    expect(map.projection).toBe(umap.score > pca.score ? 'UMAP' : 'PCA');
  }, 300_000);

  it('measures imputation quality through tcga-33types on the RSEM samples, and refuses it through tcga-6types', async () => {
    const [{ id: cohortId }] = (
      await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'PANCAN33'`)
    ).rows as [{ id: number }];
    const ask = (model: string | null) =>
      h.gql(
        `query($id: ID!, $model: ID) { cohort(id: $id) { imputationQuality(model: $model) { scale panelSize
           sampleCount genes { gene { rank ensemblId } pearson rmse }
           restored { medianGenePearson overallPearson rmse } baseline { medianGenePearson rmse } } } }`,
        { id: String(cohortId), model },
      );
    const refused = await ask(null); // the active tcga-6types has no RSEM statistics
    expect(refused.errors?.[0]?.message).toBe(
      `cohort "PANCAN33" has no samples with raw counts measuring the 64-gene panel (its samples stored in RSEM need a model that reads RSEM, such as ${TCGA_33_MODEL_NAME}); choose another cohort`,
    );
    const res = await ask(model33);
    expect(res.errors).toBeUndefined();
    const q = res.data!.cohort.imputationQuality;
    // The genes with RSEM statistics in normalisation.json (pancan33's 100), in vocabulary order: the first 64
    // are the panel, the other 36 restored (fewer than the 200 asked: no more are read from RSEM).
    const norm = JSON.parse(fs.readFileSync(path.join(TCGA_33_CHECKPOINT, 'normalisation.json'), 'utf8'));
    const rsemGenes = (norm.rsem.mean as (number | null)[]).flatMap((m, v) => (m === null ? [] : [v]));
    expect(rsemGenes).toHaveLength(100);
    expect(q.scale).toBe('LOG2_RSEM');
    expect(q.panelSize).toBe(64);
    expect(q.sampleCount).toBe(50);
    expect(q.genes.map((g: Data) => g.gene.rank)).toEqual(rsemGenes.slice(64));
    expect(q.restored.medianGenePearson).toBeGreaterThan(0.3);
    expect(q.restored.rmse).toBeLessThan(q.baseline.rmse);
    expect(q.baseline.medianGenePearson).toBeNull();

    // One gene checked independently: the 50 evenly spaced samples' stored RSEM values, the first 64 RSEM genes
    // as the model's input, the restored z brought to log2(RSEM + 1) with normalisation.json's RSEM mean and sd.
    const ids = stored.map((s) => s.id); // every sample is in the cohort
    const chosen = Array.from({ length: 50 }, (_, i) => ids[Math.floor((i * ids.length) / 50)]!);
    const panel = new Set(rsemGenes.slice(0, 64).map((v) => runtime.stats.genes[v]!));
    const v = rsemGenes[64]!;
    const gene = runtime.stats.genes[v]!;
    const measured: number[] = [];
    const restored: number[] = [];
    for (const profile of await sampleProfiles(h.pool, runtime.stats, chosen)) {
      const keep = profile!.genes.flatMap((g, i) => (panel.has(g) ? [i] : []));
      const input = {
        genes: keep.map((i) => profile!.genes[i]!),
        values: Float32Array.from(keep, (i) => profile!.values[i]!),
        unit: 'rsem' as const,
      };
      const z = (await restore(runtime.predictor, runtime.stats, [input], [gene], { unit: 'z' }))
        .values[0]![0]!;
      restored.push(z * norm.rsem.sd[v] + norm.rsem.mean[v]);
      measured.push(Math.log2(Math.max(profile!.values[profile!.genes.indexOf(gene)]!, 0) + 1));
    }
    const r = textbookPearson(measured, restored);
    const error = Math.sqrt(measured.reduce((a, m, i) => a + (m - restored[i]!) ** 2, 0) / measured.length);
    expect(q.genes[0].gene.ensemblId).toBe(gene);
    expect(q.genes[0].pearson).toBeCloseTo(r, 4);
    expect(q.genes[0].rmse).toBeCloseTo(error, 4);
    console.log(
      `pancan33 imputation through tcga-33types (50 samples, 64 -> 36 RSEM genes, log2(RSEM + 1)): median gene r ${q.restored.medianGenePearson.toFixed(3)}, overall r ${q.restored.overallPearson.toFixed(3)}, RMSE ${q.restored.rmse.toFixed(3)} vs training-mean ${q.baseline.rmse.toFixed(3)}; ${gene} r ${r.toFixed(3)}`,
    );
  }, 300_000);
});
