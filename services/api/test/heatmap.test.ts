import { fitHeads, loadModelRuntime } from '@gexbert/core/inference/modelRuntime';
import { defaultCheckpointCache } from '@gexbert/core/registry/checkpointStore';
import { promoteModelVersion } from '@gexbert/core/registry/modelVersion';
import { geneLog2CpmInFile } from '@gexbert/core/test-support/countsFile';
import { toStored } from '@gexbert/model/heads';
import { quantile } from '@gexbert/model/stats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bruteForce, mergeMembers } from '../../../model/test/cluster/textbook.ts';
import {
  cohortIdByName,
  countsFile,
  type Harness,
  registerShippedCandidate,
  startHarness,
  textbookPearson,
} from './support.ts';

const TYPES = ['CHOL', 'DLBC'];
// TP53, CD19 (B cells: DLBC), ALB (liver: CHOL)
const GENES = { ENSG00000141510: 'TP53', ENSG00000177455: 'CD19', ENSG00000163631: 'ALB' };
let h: Harness;
let cohortId: string;

beforeAll(async () => {
  h = await startHarness(TYPES);
  cohortId = await cohortIdByName(h);
}, 300_000);
afterAll(async () => {
  await h?.close();
});

interface HeatmapAnswer {
  genes: { ensemblId: string }[];
  unknown: string[];
  notMeasured: string[];
  sampleIds: string[];
  barcodes: string[];
  values: (number | null)[];
  zScores: (number | null)[];
  rowDendrogram: { left: number[]; right: number[]; height: number[] } | null;
  columnDendrogram: { left: number[]; right: number[]; height: number[] } | null;
  cohortSamples: number;
  sampled: boolean;
  tracks: { name: string; type: string; values: (string | null)[] }[];
  model: { id: string } | null;
  clusterMs: number;
}

const FIELDS = `genes { ensemblId } unknown notMeasured sampleIds barcodes values zScores
  rowDendrogram { left right height } columnDendrogram { left right height } cohortSamples sampled
  tracks { name type values } model { id } clusterMs`;

async function heatmap(args: string): Promise<HeatmapAnswer> {
  const res = await h.gql<{ cohort: { heatmap: HeatmapAnswer } }>(
    `query($id: ID!) { cohort(id: $id) { heatmap(${args}) { ${FIELDS} } } }`,
    { id: cohortId },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.cohort.heatmap;
}

/** Each gene's log2(CPM + 1) by aliquot barcode (first 15 characters), from the files. */
function fileValues(ensemblId: string): Map<string, number> {
  return new Map(TYPES.flatMap((t) => [...geneLog2CpmInFile(countsFile(t), ensemblId)]));
}

/** z-scores (sample sd) and 1 - Pearson, written out here as the check. */
function zOf(values: number[]): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return values.map((v) => (v - mean) / sd);
}
const oneMinusR = (x: number[], y: number[]) => 1 - textbookPearson(x, y);

it('clusters three genes across the cohort as worked out from the counts files', async () => {
  const answer = await heatmap(
    `genes: ["CD19", "ENSG00000141510", "TP53", "ALB", "NO-SUCH-GENE"], tracks: ["cancerType", "vital_status", "predictedType", "riskGroup"]`,
  );
  expect(answer.unknown).toEqual(['NO-SUCH-GENE']);
  expect(answer.notMeasured).toEqual([]);
  // TP53 asked for twice (Ensembl ID and symbol) is one row
  expect(answer.genes.map((g) => g.ensemblId).sort()).toEqual(Object.keys(GENES).sort());

  const { rows: samples } = await h.pool.query<{ id: number; aliquot: string; barcode: string }>(
    `SELECT s.id, s."aliquotBarcode" AS aliquot, s.barcode FROM "Sample" s
     JOIN "CohortSample" cs ON cs."sampleId" = s.id WHERE cs."cohortId" = $1 ORDER BY s.id`,
    [cohortId],
  );
  expect(answer.cohortSamples).toBe(samples.length);
  expect(answer.sampled).toBe(false);
  expect([...answer.sampleIds].sort((a, b) => Number(a) - Number(b))).toEqual(
    samples.map((s) => String(s.id)),
  );
  const byId = new Map(samples.map((s) => [String(s.id), s]));
  expect(answer.barcodes).toEqual(answer.sampleIds.map((id) => byId.get(id)!.barcode));

  // values: the files' log2(CPM + 1), row by row in the displayed order
  const m = answer.sampleIds.length;
  const truth = answer.genes.map((g) => {
    const file = fileValues(g.ensemblId);
    return answer.sampleIds.map((id) => file.get(byId.get(id)!.aliquot.slice(0, 15))!);
  });
  truth.forEach((row, r) => {
    row.forEach((v, c) => {
      expect(answer.values[r * m + c]).toBeCloseTo(v, 4);
    });
    zOf(row).forEach((z, c) => {
      expect(answer.zScores[r * m + c]).toBeCloseTo(z, 3);
    });
  });

  // rows, closed form: the closest pair (1 - r) merges first, the third joins at the mean of its two distances
  const z = truth.map(zOf);
  const d = [oneMinusR(z[0]!, z[1]!), oneMinusR(z[0]!, z[2]!), oneMinusR(z[1]!, z[2]!)];
  const pairs = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 2, 0],
  ];
  const first = d.indexOf(Math.min(...d));
  const [a, b, third] = pairs[first]!;
  const joined =
    (d[pairs.findIndex((p) => p[0] === Math.min(a!, third!) && p[1] === Math.max(a!, third!))]! +
      d[pairs.findIndex((p) => p[0] === Math.min(b!, third!) && p[1] === Math.max(b!, third!))]!) /
    2;
  const tree = answer.rowDendrogram!;
  expect(tree.left[0]! + tree.right[0]!).toBe(a! + b!);
  expect(Math.abs(a! - b!)).toBe(1); // the first pair is drawn side by side
  expect(tree.height[0]).toBeCloseTo(d[first]!, 5);
  expect([tree.left[1], tree.right[1]].sort()).toEqual([third, 3].sort());
  expect(tree.height[1]).toBeCloseTo(joined, 5);

  // columns: the textbook algorithm on 1 - Pearson between the samples' z-score vectors
  const columns = answer.sampleIds.map((_, c) => z.map((row) => row[c]!));
  const dc = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) dc[i * m + j] = i === j ? 0 : oneMinusR(columns[i]!, columns[j]!);
  const expected = bruteForce(m, dc);
  const columnTree = answer.columnDendrogram!;
  const merges = columnTree.left.map((left, k) => ({ left, right: columnTree.right[k]! }));
  const displayed = answer.sampleIds.map((_, c) => c);
  expect(mergeMembers(displayed, merges)).toEqual(expected.map((e) => e.members));
  columnTree.height.forEach((height, k) => {
    expect(height).toBeCloseTo(expected[k]!.height, 4);
  });

  // tracks: the stored cancer types and clinical values, and the active model's stored predictions
  const { rows: stored } = await h.pool.query<{ id: number; cancerType: string; vital: string | null }>(
    `SELECT s.id, p."cancerType", p.clinical->>'vital_status' AS vital FROM "Sample" s
     JOIN "Patient" p ON p.id = s."patientId" WHERE s.id = ANY($1::int[])`,
    [answer.sampleIds.map(Number)],
  );
  const patient = new Map(stored.map((r) => [String(r.id), r]));
  const [cancerType, vital, predicted, risk] = answer.tracks;
  expect(cancerType).toEqual({
    name: 'cancerType',
    type: 'CATEGORICAL',
    values: answer.sampleIds.map((id) => patient.get(id)!.cancerType),
  });
  expect(vital!.values).toEqual(answer.sampleIds.map((id) => patient.get(id)!.vital));
  expect(new Set(vital!.values)).toEqual(new Set(['Alive', 'Dead']));
  const { rows: predictions } = await h.pool.query<{ sampleId: number; predictedType: string | null }>(
    `SELECT p."sampleId", p."predictedType" FROM "SamplePrediction" p JOIN "ModelVersion" v ON v.id = p."modelVersionId"
     WHERE v.status = 'ACTIVE'`,
  );
  if (answer.model === null) {
    expect(predictions).toEqual([]);
    expect(predicted!.values.every((v) => v === null)).toBe(true);
    expect(risk!.values.every((v) => v === null)).toBe(true);
  }
  // both CHOL and DLBC columns are present, and DLBC's (CD19 high, ALB low) differ from CHOL's
  expect(new Set(cancerType!.values)).toEqual(new Set(TYPES));
});

it('samples a cohort evenly above maxSamples, keeps rows as asked without clustering, and names a bad track', async () => {
  const answer = await heatmap(
    `genes: ["ALB", "TP53", "CD19"], maxSamples: 10, clusterRows: false, clusterColumns: false, distance: EUCLIDEAN, tracks: []`,
  );
  const { rows } = await h.pool.query<{ id: number }>(
    `SELECT "sampleId" AS id FROM "CohortSample" WHERE "cohortId" = $1 ORDER BY "sampleId"`,
    [cohortId],
  );
  expect(answer.sampled).toBe(true);
  expect(answer.cohortSamples).toBe(rows.length);
  expect(answer.sampleIds).toEqual(
    Array.from({ length: 10 }, (_, i) => String(rows[Math.floor((i * rows.length) / 10)]!.id)),
  );
  expect(answer.genes.map((g) => g.ensemblId)).toEqual([
    'ENSG00000163631',
    'ENSG00000141510',
    'ENSG00000177455',
  ]);
  expect(answer.rowDendrogram).toBeNull();
  expect(answer.columnDendrogram).toBeNull();
  expect(answer.tracks).toEqual([]);

  const bad = await h.gql(
    `query($id: ID!) { cohort(id: $id) { heatmap(genes: ["TP53"], tracks: ["no_such_field"]) { sampleIds } } }`,
    { id: cohortId },
  );
  expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(bad.errors?.[0]?.message).toContain('track "no_such_field" is not cancerType');
  const big = await h.gql(
    `query($id: ID!) { cohort(id: $id) { heatmap(genes: ["TP53"], maxSamples: 5000) { sampleIds } } }`,
    { id: cohortId },
  );
  expect(big.errors?.[0]?.message).toBe('maxSamples must be 1 to 2000; not 5000');
});

it('resolves NCBI Entrez IDs in the gene list to the genes their symbols name', async () => {
  // ../shared/data/reference/ncbi_gene_ids.tsv.gz: 213 ALB, 7157 TP53, 930 CD19; 999999999 names no gene
  const args = (genes: string) =>
    `genes: [${genes}], maxSamples: 10, clusterRows: false, clusterColumns: false, tracks: []`;
  const byEntrez = await heatmap(args(`"213", "7157", "930", "999999999"`));
  const bySymbol = await heatmap(args(`"ALB", "TP53", "CD19"`));
  expect(byEntrez.genes.map((g) => g.ensemblId)).toEqual([
    'ENSG00000163631',
    'ENSG00000141510',
    'ENSG00000177455',
  ]);
  expect(byEntrez.unknown).toEqual(['999999999']);
  expect(byEntrez.sampleIds).toEqual(bySymbol.sampleIds);
  expect(byEntrez.values).toEqual(bySymbol.values);
  expect(byEntrez.values.filter((v) => v !== null).length).toBeGreaterThan(0);
});

it("draws the active model's predicted types and risk groups as tracks, answering and storing those not stored yet", async () => {
  // the shipped model, with heads fitted here on the cohort's samples, made active
  const registered = await registerShippedCandidate(h);
  const runtime = await loadModelRuntime({ pool: h.pool, cacheDir: defaultCheckpointCache() }, registered);
  try {
    const { rows } = await h.pool.query<{ id: number }>(`SELECT id FROM "Sample" ORDER BY id`);
    // the tracks read the types and risk only: no intervals on restored values are calibrated
    const heads = await fitHeads(
      runtime,
      h.pool,
      rows.map((r) => r.id),
      { intervals: 'none' },
    );
    await h.prisma.modelVersion.update({
      where: { id: registered.id },
      data: { heads: toStored(heads) as object },
    });
  } finally {
    await runtime.close();
  }
  await promoteModelVersion(h.prisma, registered.id);
  h.api.models.activeChanged();
  // nothing stored yet (no worker ran): the heatmap has the model answer the shown samples, and stores them
  const none = await h.pool.query(`SELECT 1 FROM "SamplePrediction" WHERE "modelVersionId" = $1`, [
    registered.id,
  ]);
  expect(none.rows).toHaveLength(0);
  const answer = await heatmap(`genes: ["ALB", "CD19"], tracks: ["predictedType", "riskGroup"]`);
  expect(answer.model).toEqual({ id: String(registered.id) });
  expect(answer.tracks.flatMap((t) => t.values).every((v) => v !== null)).toBe(true);
  // the sample's own prediction (Sample.cancerTypePrediction) reads the same stored answer
  const asked = await h.gql(
    `query($id: ID!) { cohort(id: $id) { samples(first: 200) { nodes { id cancerTypePrediction { cancerType closestType } } } } }`,
    { id: cohortId },
  );
  expect(asked.errors).toBeUndefined();
  const own = new Map(
    (
      asked.data as {
        cohort: { samples: { nodes: { id: string; cancerTypePrediction: { cancerType: string | null } }[] } };
      }
    ).cohort.samples.nodes.map((n) => [n.id, n.cancerTypePrediction.cancerType ?? 'unknown']),
  );
  expect(answer.tracks[0]!.values).toEqual(answer.sampleIds.map((id) => own.get(id)));
  const { rows: stored } = await h.pool.query<{
    sampleId: number;
    predictedType: string | null;
    riskScore: number;
  }>(`SELECT "sampleId", "predictedType", "riskScore" FROM "SamplePrediction" WHERE "modelVersionId" = $1`, [
    registered.id,
  ]);
  const byId = new Map(stored.map((r) => [String(r.sampleId), r]));
  expect(stored).toHaveLength(answer.sampleIds.length);
  const [predicted, risk] = answer.tracks;
  expect(predicted!.values).toEqual(answer.sampleIds.map((id) => byId.get(id)!.predictedType ?? 'unknown'));
  const median = quantile(
    stored.map((r) => r.riskScore),
    0.5,
  );
  expect(risk!.values).toEqual(
    answer.sampleIds.map((id) => (byId.get(id)!.riskScore > median ? 'high' : 'low')),
  );
}, 900_000);
