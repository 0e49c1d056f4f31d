// A gene across a cohort on the six real TCGA count cohorts (291 samples) with the pan-cancer survival table:
// gene search by symbol, alias, Entrez and Ensembl ID checked against the NCBI reference table; the gene's
// log2(CPM + 1), its median, quartile and cut-off groups and their log-rank p checked against the counts and
// survival files read here, the groups derived by hand and the R-tested log-rank run on them; and an RSEM-only
// cohort (the pancan33 extract, genes keyed by Entrez ID) split in its stored unit.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { readProfile } from '@gexbert/core/expression/store';
import { ingestClinical, ingestTable } from '@gexbert/core/ingest/index';
import { sharedDir } from '@gexbert/core/test-support/shared';
import { toLog2Cpm } from '@gexbert/model/inference';
import { logRankTest } from '@gexbert/model/survival';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { librarySizes } from '../src/genes/librarySizes.ts';
import { countsFile, type Harness, OS_TABLE, startHarness } from './support.ts';

const TYPES = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];
const GENE = 'ENSG00000141510'; // TP53
let h: Harness;
let cohortId: string;

beforeAll(async () => {
  h = await startHarness(TYPES);
  cohortId = String(
    (await h.pool.query<{ id: number }>(`SELECT id FROM "Cohort" WHERE name = 'TCGA'`)).rows[0]!.id,
  );
  fileLog2Cpm(GENE);
  fileSurvival();
}, 600_000);
afterAll(async () => {
  await h?.close();
});

const gunzipLines = (file: string) => zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');

/** The gene's log2(CPM + 1) per aliquot, library size the column's sum, from the counts files (read once). */
const fileLog2Cpm = memo(readLog2Cpm);

function memo<T>(read: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, read(key));
    return seen.get(key)!;
  };
}

function readLog2Cpm(gene: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const type of TYPES) {
    const lines = gunzipLines(countsFile(type));
    const barcodes = lines[0]!.split('\t').slice(1);
    const sums = new Float64Array(barcodes.length);
    let row: number[] = [];
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const cells = line.split('\t');
      const values = cells.slice(1).map(Number);
      for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) sums[i]! += values[i]!;
      if (cells[0] === gene) row = values;
    }
    barcodes.forEach((b, i) => {
      out.set(b, Math.log2((row[i]! * 1e6) / sums[i]! + 1));
    });
  }
  return out;
}

/** Overall survival per patient from the survival table (usable rows only; read once). */
const fileSurvival = memo(readSurvival).bind(null, OS_TABLE);

function readSurvival(file: string): Map<string, { time: number; event: 0 | 1 }> {
  const lines = gunzipLines(file);
  const header = lines[0]!.split('\t');
  const [p, t, e] = ['patient', 'OS_time_days', 'OS_event'].map((c) => header.indexOf(c));
  const out = new Map<string, { time: number; event: 0 | 1 }>();
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    const time = Number(cells[t!]);
    const event = Number(cells[e!]);
    if (cells[t!] !== 'NA' && time >= 0 && (event === 0 || event === 1))
      out.set(cells[p!]!, { time, event: event as 0 | 1 });
  }
  return out;
}

/** R's quantile type 7. */
function quantile7(values: number[], prob: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * prob;
  const lo = Math.floor(at);
  return sorted[lo]! + (at - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!);
}

/** Patients with survival and their mean value (default: TP53 log2(CPM + 1) from the files), by barcode. */
function handPatients(values = fileLog2Cpm(GENE)) {
  const survival = fileSurvival();
  const byPatient = new Map<string, number[]>();
  for (const [aliquot, v] of values) {
    const patient = aliquot.slice(0, 12);
    byPatient.set(patient, [...(byPatient.get(patient) ?? []), v]);
  }
  return [...byPatient]
    .filter(([p]) => survival.has(p))
    .map(([p, vs]) => ({
      patient: p,
      value: vs.reduce((a, b) => a + b, 0) / vs.length,
      ...survival.get(p)!,
    }))
    .sort((a, b) => (a.patient < b.patient ? -1 : 1));
}

/** The hand-split groups and the log-rank test of model/src/survival (tested against R's survdiff) on them. */
function handSplit(cutoffs: number[], names: string[], values = fileLog2Cpm(GENE)) {
  const patients = handPatients(values);
  const group = patients.map((p) => names[cutoffs.filter((c) => p.value > c).length]!);
  const test = logRankTest({ time: patients.map((p) => p.time), event: patients.map((p) => p.event) }, group);
  const sizes = names.map((n) => group.filter((g) => g === n).length);
  return { patients, group, test, sizes };
}

describe('gene search', () => {
  type Match = { gene: { ensemblId: string; symbol: string; entrezIds: string[] }; matchedBy: string };
  const search = async (text: string): Promise<Match[]> => {
    const res = await h.gql<{ geneSearch: Match[] }>(
      `query($text: String!) { geneSearch(text: $text, first: 20) { gene { ensemblId symbol entrezIds } matchedBy } }`,
      { text },
    );
    expect(res.errors).toBeUndefined();
    return res.data!.geneSearch;
  };
  /** NCBI reference rows by symbol: Entrez ID, Ensembl IDs and aliases. */
  const reference = new Map(
    gunzipLines(path.join(sharedDir(), 'data/reference/ncbi_gene_ids.tsv.gz'))
      .slice(1)
      .filter((l) => l)
      .map((l) => l.split('\t'))
      .map(([entrez, symbol, , ensembl, aliases]) => [
        symbol!,
        { entrez: entrez!, ensembl: ensembl!.split(','), aliases: aliases!.split(',') },
      ]),
  );

  it('finds a gene by symbol (any case, exact first), versioned Ensembl ID, Entrez ID and previous symbol', async () => {
    const tp53 = reference.get('TP53')!;
    const bySymbol = await search('tp53');
    expect(bySymbol[0]).toEqual({
      gene: { ensemblId: tp53.ensembl[0], symbol: 'TP53', entrezIds: [tp53.entrez] },
      matchedBy: 'SYMBOL',
    });
    expect(bySymbol.slice(1).every((m) => m.matchedBy === 'PREFIX' && m.gene.symbol.startsWith('TP53'))).toBe(
      true,
    );
    expect((await search(`${tp53.ensembl[0]}.17`))[0]).toMatchObject({
      gene: { symbol: 'TP53' },
      matchedBy: 'ENSEMBL',
    });
    expect(await search(tp53.entrez)).toContainEqual(expect.objectContaining({ matchedBy: 'ENTREZ' }));
    expect((await search(tp53.entrez))[0]).toMatchObject({ gene: { symbol: 'TP53' }, matchedBy: 'ENTREZ' });
    expect(tp53.aliases).toContain('P53');
    expect((await search('p53'))[0]).toMatchObject({ gene: { symbol: 'TP53' }, matchedBy: 'ALIAS' });
    const erbb2 = reference.get('ERBB2')!;
    expect(erbb2.aliases).toContain('HER2');
    expect((await search('HER2'))[0]).toMatchObject({
      gene: { ensemblId: erbb2.ensembl[0], symbol: 'ERBB2' },
      matchedBy: 'ALIAS',
    });
  });

  it('lists every gene an alias names', async () => {
    // NEU is an alias of ERBB2 and of NEU1 in the reference: both are listed, and NEU1 by its symbol too.
    expect(reference.get('ERBB2')!.aliases).toContain('NEU');
    expect(reference.get('NEU1')!.aliases).toContain('NEU');
    const found = await search('NEU');
    const aliased = found.filter((m) => m.matchedBy === 'ALIAS').map((m) => m.gene.symbol);
    expect(aliased).toContain('ERBB2');
    expect(found.map((m) => m.gene.symbol)).toContain('NEU1');
    expect(await search('NO-SUCH-GENE-XYZ')).toEqual([]);
  });
});

describe('survival split by a gene', () => {
  type Survival = {
    gene: { symbol: string } | null;
    cutoffs: number[];
    missing: number;
    logRank: { statistic: number; df: number; pValue: number } | null;
    groups: { name: string; patients: number; events: number; curve: { atRisk: number }[] }[];
    patients: {
      barcode: string;
      value: number;
      group: string;
      osDays: number | null;
      osEvent: number | null;
    }[];
  };
  const geneSurvival = async (split: string, cutoff?: number) => {
    const res = await h.gql<{ cohort: { geneSurvival: Survival } }>(
      `query($id: ID!, $gene: String!, $split: GeneSplit, $cutoff: Float) { cohort(id: $id) {
         geneSurvival(gene: $gene, transform: LOG2_CPM, split: $split, cutoff: $cutoff) {
           gene { symbol } cutoffs missing logRank { statistic df pValue }
           groups { name patients events curve { atRisk } }
           patients { barcode value group osDays osEvent } } } }`,
      { id: cohortId, gene: GENE, split, cutoff },
    );
    return res;
  };

  it('splits at the median: values, groups, numbers at risk and the log-rank p as computed by hand', async () => {
    const res = await geneSurvival('MEDIAN');
    expect(res.errors).toBeUndefined();
    const api = res.data!.cohort.geneSurvival;
    expect(api.gene!.symbol).toBe('TP53');
    const patients = handPatients();
    expect(patients.length).toBeGreaterThan(280);
    const median = quantile7(
      patients.map((p) => p.value),
      0.5,
    );
    expect(api.cutoffs).toHaveLength(1);
    expect(api.cutoffs[0]).toBeCloseTo(median, 5);
    const hand = handSplit([median], ['low', 'high']);
    const withSurvival = api.patients.filter((p) => p.osDays !== null);
    expect(withSurvival.map((p) => p.barcode)).toEqual(patients.map((p) => p.patient));
    withSurvival.forEach((p, i) => {
      expect(p.value).toBeCloseTo(patients[i]!.value, 5);
      expect(p.group).toBe(hand.group[i]);
    });
    expect(api.groups.map((g) => [g.name, g.patients, g.curve[0]!.atRisk])).toEqual([
      ['low', hand.sizes[0], hand.sizes[0]],
      ['high', hand.sizes[1], hand.sizes[1]],
    ]);
    expect(api.logRank!.df).toBe(1);
    expect(api.logRank!.pValue).toBeCloseTo(hand.test.pValue, 10);
    expect(api.logRank!.statistic).toBeCloseTo(hand.test.statistic, 8);
    expect(api.missing).toBe(api.patients.length - patients.length); // every patient has a TP53 value
  });

  it('splits at the quartiles and at a chosen cut-off', async () => {
    const patients = handPatients();
    const quartiles = [0.25, 0.5, 0.75].map((q) =>
      quantile7(
        patients.map((p) => p.value),
        q,
      ),
    );
    const q = (await geneSurvival('QUARTILES')).data!.cohort.geneSurvival;
    for (const [i, c] of q.cutoffs.entries()) expect(c).toBeCloseTo(quartiles[i]!, 5);
    const hand = handSplit(quartiles, ['Q1', 'Q2', 'Q3', 'Q4']);
    expect(q.groups.map((g) => g.patients)).toEqual(hand.sizes);
    expect(q.logRank!.df).toBe(3);
    expect(q.logRank!.pValue).toBeCloseTo(hand.test.pValue, 10);

    const cut = (await geneSurvival('CUTOFF', 5)).data!.cohort.geneSurvival;
    expect(cut.cutoffs).toEqual([5]);
    const byHand = handSplit([5], ['low', 'high']);
    expect(cut.groups.map((g) => g.patients)).toEqual(byHand.sizes);
    expect(cut.logRank!.pValue).toBeCloseTo(byHand.test.pValue, 10);
  });

  it('refuses a cut-off split without a cut-off, and answers an unknown gene with no groups', async () => {
    const res = await geneSurvival('CUTOFF');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/cutoff/);
    const unknown = await h.gql(
      `query($id: ID!) { cohort(id: $id) { geneSurvival(gene: "NO-SUCH-GENE") { gene { symbol } groups { name } patients { barcode } } } }`,
      { id: cohortId },
    );
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data!.cohort.geneSurvival).toEqual({ gene: null, groups: [], patients: [] });
    const rsem = await h.gql(
      `query($id: ID!) { cohort(id: $id) { geneSurvival(gene: "TP53", unit: RSEM) { cutoffs } } }`,
      { id: cohortId },
    );
    expect(rsem.errors?.[0]?.message).toMatch(/LOG2_CPM takes raw counts/);
  });

  it('reads the gene as log2(CPM + 1) with each sample annotated, and lists the units the cohort has', async () => {
    const res = await h.gql(
      `query($id: ID!) { cohort(id: $id) { expressionUnits geneValues(genes: ["TP53"], transform: LOG2_CPM) {
         unit transform sampleIds values barcodes patientBarcodes cancerTypes sampleTypes } } }`,
      { id: cohortId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.cohort.expressionUnits).toEqual(['RAW_COUNT']);
    const column = res.data!.cohort.geneValues[0];
    expect([column.unit, column.transform]).toEqual(['RAW_COUNT', 'LOG2_CPM']);
    expect(column.sampleIds).toHaveLength(291);
    const expected = fileLog2Cpm(GENE);
    const { rows } = await h.pool.query<{ barcode: string; aliquot: string }>(
      `SELECT s.barcode, s."aliquotBarcode" AS aliquot FROM "Sample" s ORDER BY s.id`,
    );
    expect(column.barcodes).toEqual(rows.map((r) => r.barcode));
    column.values.forEach((v: number, i: number) => {
      expect(v).toBeCloseTo(expected.get(rows[i]!.aliquot)!, 5);
    });
    expect(column.patientBarcodes[0]).toBe(rows[0]!.barcode.slice(0, 12));
    expect(new Set(column.cancerTypes)).toEqual(new Set(TYPES));
    expect(new Set(column.sampleTypes)).toEqual(new Set(['TUMOR']));
  });

  it('gives, bit for bit, the log2(CPM + 1) serving computes from the stored profile (toLog2Cpm of the counts)', async () => {
    const res = await h.gql(
      `query($id: ID!) { cohort(id: $id) { geneValues(genes: ["TP53"], transform: LOG2_CPM) { sampleIds values } } }`,
      { id: cohortId },
    );
    expect(res.errors).toBeUndefined();
    const column = res.data!.cohort.geneValues[0];
    expect(column.sampleIds).toHaveLength(291);
    const mismatches: string[] = [];
    for (const [i, id] of (column.sampleIds as string[]).entries()) {
      const stored = (await readProfile(h.pool, Number(id), 'RAW_COUNT'))!;
      const served = toLog2Cpm(Float32Array.from(stored.values), 'counts'); // core inference/modelRuntime countsInput
      const expected = served[stored.genes.indexOf(GENE)]!;
      if (!Object.is(column.values[i], expected))
        mismatches.push(`${id}: ${column.values[i]} vs ${expected}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('library sizes', () => {
  it('reads each profile once when two requests ask at the same time, and remembers them', async () => {
    const ids = (await h.pool.query<{ id: number }>(`SELECT id FROM "Sample" ORDER BY id`)).rows.map(
      (r) => r.id,
    );
    const cacheKey = 'a fresh server'; // nothing read under this key yet
    h.queries.reset();
    const [a, b] = await Promise.all([
      librarySizes(h.pool, ids, cacheKey),
      librarySizes(h.pool, ids, cacheKey),
    ]);
    expect(h.queries.count).toBe(Math.ceil(ids.length / 100));
    expect(a.size).toBe(291);
    expect(b).toEqual(a);
    h.queries.reset();
    expect(await librarySizes(h.pool, ids, cacheKey)).toEqual(a);
    expect(h.queries.count).toBe(0);
  });
});

describe('an RSEM-only cohort', () => {
  const PANCAN33 = path.join(sharedDir(), 'data/tcga/pancan33/pancan33_expression.tsv.gz');
  const ENTREZ = '1000'; // CDH2, a column of the extract
  let rsem: Harness;

  beforeAll(async () => {
    rsem = await startHarness([]);
    await ingestTable(rsem.pool, PANCAN33, { unit: 'RSEM', cohort: 'PANCAN33' });
    await ingestClinical(rsem.pool, OS_TABLE); // the patients arrived after the harness's first read
  }, 600_000);
  afterAll(async () => {
    await rsem?.close();
  });

  /** The gene's RSEM value per sample barcode, from the extract. */
  function fileColumn(entrez: string): Map<string, number> {
    const [header, ...rows] = gunzipLines(PANCAN33)
      .filter((l) => l)
      .map((l) => l.split('\t'));
    const at = header!.indexOf(entrez);
    return new Map(rows.map((r) => [r[0]!, Number(r[at])]));
  }

  it('finds the gene by Entrez ID and splits the patients by its stored RSEM values at the median', async () => {
    const found = await rsem.gql(`{ geneSearch(text: "${ENTREZ}") { matchedBy gene { ensemblId symbol } } }`);
    expect(found.errors).toBeUndefined();
    const [match] = found.data!.geneSearch;
    expect(match).toMatchObject({ matchedBy: 'ENTREZ', gene: { symbol: 'CDH2' } });
    const res = await rsem.gql(
      `query($gene: String!) { cohort(name: "PANCAN33") { expressionUnits
         geneSurvival(gene: $gene, unit: RSEM, transform: NONE) { cutoffs logRank { pValue } groups { name patients } } } }`,
      { gene: match.gene.ensemblId },
    );
    expect(res.errors).toBeUndefined();
    const cohort = res.data!.cohort;
    expect(cohort.expressionUnits).toEqual(['RSEM']);
    const values = fileColumn(ENTREZ);
    const patients = handPatients(values);
    expect(patients.length).toBeGreaterThan(580);
    const median = quantile7(
      patients.map((p) => p.value),
      0.5,
    );
    expect(cohort.geneSurvival.cutoffs[0]).toBeCloseTo(median, 6);
    const hand = handSplit([median], ['low', 'high'], values);
    expect(cohort.geneSurvival.groups.map((g: { patients: number }) => g.patients)).toEqual(hand.sizes);
    expect(cohort.geneSurvival.logRank.pValue).toBeCloseTo(hand.test.pValue, 10);
  });
});
