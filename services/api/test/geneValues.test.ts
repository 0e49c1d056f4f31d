// Cohort.geneValues on real TCGA counts: one gene across every sample of a cohort equals that gene's row of
// the counts files, read here independently; unknown names answer null with empty lists.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countsFile, type Harness, startHarness } from './support.ts';

const TP53 = 'ENSG00000141510';
let h: Harness;
let cohortId: string;

beforeAll(async () => {
  h = await startHarness(['CHOL', 'DLBC']);
  cohortId = String(
    (await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'TCGA'`)).rows[0]!.id,
  );
}, 300_000);
afterAll(async () => {
  await h?.close();
});

/** The gene's raw counts by aliquot barcode, read from the counts files. */
function fileRow(types: string[], gene: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const type of types) {
    const lines = zlib
      .gunzipSync(fs.readFileSync(countsFile(type)))
      .toString('utf8')
      .split('\n');
    const header = lines[0]!.split('\t');
    const row = lines.find((l) => l.startsWith(`${gene}\t`))!.split('\t');
    for (const [i, barcode] of header.slice(1).entries()) out.set(barcode, Number(row[i + 1]));
  }
  return out;
}

it("reads a gene across the cohort's samples column-wise, as the files hold it", async () => {
  type Column = {
    query: string;
    gene: { ensemblId: string } | null;
    unit: string;
    sampleIds: string[];
    values: (number | null)[];
  };
  const res = await h.gql<{ cohort: { geneValues: Column[] } }>(
    `query($id: ID!) { cohort(id: $id) { geneValues(genes: ["TP53", "${TP53}", "NO-SUCH-GENE"]) {
       query gene { ensemblId } unit sampleIds values } } }`,
    { id: cohortId },
  );
  expect(res.errors).toBeUndefined();
  const [bySymbol, byId, unknown] = res.data!.cohort.geneValues;
  expect(bySymbol!.gene!.ensemblId).toBe(TP53);
  expect(byId).toEqual({ ...bySymbol, query: TP53 });
  expect(unknown).toEqual({
    query: 'NO-SUCH-GENE',
    gene: null,
    unit: 'RAW_COUNT',
    sampleIds: [],
    values: [],
  });

  const expected = fileRow(['CHOL', 'DLBC'], TP53);
  const { rows } = await h.pool.query<{ id: number; aliquot: string }>(
    `SELECT s.id, s."aliquotBarcode" AS aliquot FROM "Sample" s JOIN "CohortSample" cs ON cs."sampleId" = s.id
     WHERE cs."cohortId" = $1 ORDER BY s.id`,
    [cohortId],
  );
  expect(bySymbol!.sampleIds).toEqual(rows.map((r) => String(r.id)));
  expect(bySymbol!.values).toEqual(rows.map((r) => expected.get(r.aliquot)));
  expect(rows.length).toBe(expected.size);
});
