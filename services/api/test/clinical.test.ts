// Clinical attributes and cohort filters on real data: three TCGA count cohorts (ACC, CHOL, UVM) with the
// pan-cancer survival table, and the stomach cohort's log2 matrix with its clinical table (stage, Lauren, EBV,
// TMEscore, ...). Every figure is checked against an independent read of the source files here: the attribute
// catalogue (types, patients, categories, histogram), a patient's values, filters on cancer type, clinical
// attributes and a gene's log2(CPM + 1) (library size = the counts column's sum), samples in another unit
// (left out of a raw-count threshold, or filtered in their own unit), a filter cohort remembered and rebuilt
// after a new cancer type's counts arrive, and who may do what.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ingestClinical, ingestCounts, ingestXena } from '@gexbert/core/ingest/index';
import { geneLog2CpmInFile } from '@gexbert/core/test-support/countsFile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTS_DIR, countsFile, type Harness, OS_TABLE, startHarness } from './support.ts';

const TYPES = ['ACC', 'CHOL', 'UVM'];
const STAD = path.join(path.dirname(path.dirname(COUNTS_DIR)), 'tcga/stad_immune');
const STAD_LOG2 = path.join(STAD, 'stad_tme_log2.tsv.gz');
const STAD_CLINICAL = path.join(STAD, 'stad_clinical.tsv.gz');
const MISSING = new Set(['', 'NA']);
const TP53 = 'ENSG00000141510';
let h: Harness;

beforeAll(async () => {
  // Every file is read before the API starts: the API runs in this process, and seconds of parsing between two
  // requests would let its idle keep-alive connections time out under the client.
  expectedClinical();
  for (const file of [...[...TYPES, 'KICH'].map(countsFile), STAD_LOG2]) headerSamples(file);
  fileLog2Cpm(TP53, TYPES);
  h = await startHarness(TYPES);
  await ingestXena(h.pool, STAD_LOG2, { cohort: 'STAD' });
  await ingestClinical(h.pool, OS_TABLE); // again: now for the stomach patients too
  await ingestClinical(h.pool, STAD_CLINICAL, { timeUnit: 'months' });
}, 600_000);
afterAll(async () => {
  await h?.close();
});

const gunzipRows = (file: string) =>
  zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));

/** Rows of a clinical table by patient, as header -> cell. */
const tables = new Map<string, Map<string, Record<string, string>>>();
function tableByPatient(file: string, idColumn: string): Map<string, Record<string, string>> {
  if (!tables.has(file)) tables.set(file, readTable(file, idColumn));
  return tables.get(file)!;
}

function readTable(file: string, idColumn: string): Map<string, Record<string, string>> {
  const [header, ...rows] = gunzipRows(file);
  const at = header!.indexOf(idColumn);
  return new Map(rows.map((r) => [r[at]!, Object.fromEntries(header!.map((name, i) => [name, r[i] ?? '']))]));
}

/** Sample barcodes (15 characters) of a genes x samples file's header (each file read once). */
const headers = new Map<string, string[]>();
function headerSamples(file: string): string[] {
  if (!headers.has(file))
    headers.set(
      file,
      gunzipRows(file)[0]!
        .slice(1)
        .map((b) => b.slice(0, 15)),
    );
  return headers.get(file)!;
}

/** What the files say is stored per patient: the survival table's other columns, then the stomach table's. */
const expectedClinical = once(readExpectedClinical);

function once<T>(read: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= read();
    return value;
  };
}

function readExpectedClinical(): Map<string, Record<string, string>> {
  const pancan = tableByPatient(OS_TABLE, 'patient');
  const stad = tableByPatient(STAD_CLINICAL, 'ID');
  const patients = new Set(
    [...TYPES.map(countsFile), STAD_LOG2].flatMap(headerSamples).map((s) => s.slice(0, 12)),
  );
  const out = new Map<string, Record<string, string>>();
  for (const patient of patients) {
    const fields: Record<string, string> = {};
    const add = (row: Record<string, string> | undefined, special: string[]) => {
      for (const [k, v] of Object.entries(row ?? {}))
        if (!special.includes(k) && !MISSING.has(v.trim())) fields[k] = v.trim();
    };
    add(pancan.get(patient), ['patient', 'cancer_type', 'OS_time_days', 'OS_event']);
    add(stad.get(patient), ['ID', 'time', 'OS_status']);
    if (Object.keys(fields).length) out.set(patient, fields);
  }
  return out;
}

/** log2(CPM + 1) of one gene per sample barcode (15 characters) in the count files (read once). */
const log2Cpm = new Map<string, Map<string, number>>();
function fileLog2Cpm(gene: string, types: readonly string[]): Map<string, number> {
  const key = `${gene} ${types.join(',')}`;
  if (!log2Cpm.has(key)) log2Cpm.set(key, readLog2Cpm(gene, types));
  return log2Cpm.get(key)!;
}

function readLog2Cpm(gene: string, types: readonly string[]): Map<string, number> {
  return new Map(types.flatMap((type) => [...geneLog2CpmInFile(countsFile(type), gene)]));
}

const ATTRIBUTES = `{ clinicalAttributes { name type patients distinct min max categories { value patients }
  otherPatients histogram { low high patients } } }`;
const PREVIEW = `query($f: SampleFilter!) { cohortFilterPreview(filter: $f) { sampleCount patientCount description
  thresholds { gene { ensemblId symbol } considered withoutValue passed } } }`;

describe('clinical attribute catalogue', () => {
  it('types, counts, categories and histograms match the source files', async () => {
    const expected = expectedClinical();
    const res = await h.gql(ATTRIBUTES);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const attrs = res.data!.clinicalAttributes as {
      name: string;
      type: string;
      patients: number;
      distinct: number;
      min: number | null;
      max: number | null;
      categories: { value: string; patients: number }[];
      otherPatients: number;
      histogram: { patients: number }[];
    }[];
    const names = [...new Set([...expected.values()].flatMap((f) => Object.keys(f)))].sort();
    expect(attrs.map((a) => a.name)).toEqual(names);
    const isNumber = (v: string) => v.trim() !== '' && Number.isFinite(Number(v));
    for (const a of attrs) {
      const values = [...expected.values()].map((f) => f[a.name]).filter((v): v is string => v !== undefined);
      expect(a.patients, a.name).toBe(values.length);
      expect(a.distinct, a.name).toBe(new Set(values).size);
      expect(a.type, a.name).toBe(values.every(isNumber) ? 'NUMERIC' : 'CATEGORICAL');
      if (a.type === 'NUMERIC') {
        const numbers = values.map(Number);
        expect(a.min).toBe(Math.min(...numbers));
        expect(a.max).toBe(Math.max(...numbers));
        expect(a.histogram.reduce((n, b) => n + b.patients, 0)).toBe(values.length);
      } else {
        const counts = new Map<string, number>();
        for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
        for (const c of a.categories) expect(c.patients, `${a.name}=${c.value}`).toBe(counts.get(c.value));
        expect(a.categories.reduce((n, c) => n + c.patients, 0) + a.otherPatients).toBe(values.length);
      }
    }
    // The fields a stomach researcher expects, typed as such.
    const typeOf = Object.fromEntries(attrs.map((a) => [a.name, a.type]));
    expect(typeOf).toMatchObject({
      stage: 'CATEGORICAL',
      Lauren: 'CATEGORICAL',
      vital_status: 'CATEGORICAL',
      TMEscore_plus: 'NUMERIC',
      days_to_death: 'NUMERIC',
    });
  });

  it("a cohort's summary counts only its patients", async () => {
    const res = await h.gql(
      `query { cohort(name: "TCGA") { clinicalAttributes { name patients categories { value patients } } } }`,
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const expected = expectedClinical();
    const patients = new Set(
      TYPES.map(countsFile)
        .flatMap(headerSamples)
        .map((s) => s.slice(0, 12)),
    );
    const vital = res.data!.cohort.clinicalAttributes.find(
      (a: { name: string }) => a.name === 'vital_status',
    );
    const dead = [...patients].filter((p) => expected.get(p)?.vital_status === 'Dead').length;
    expect(vital.categories.find((c: { value: string }) => c.value === 'Dead').patients).toBe(dead);
    const lauren = res.data!.cohort.clinicalAttributes.find((a: { name: string }) => a.name === 'Lauren');
    expect(lauren.patients).toBe(0); // a stomach-only field: none of ACC, CHOL, UVM has it
  });

  it("a patient's values are the file's row", async () => {
    const stad = tableByPatient(STAD_CLINICAL, 'ID');
    const barcode = [...expectedClinical().keys()].find((p) => stad.has(p))!;
    const res = await h.gql(
      `query($b: String!) { patient(barcode: $b) { clinical { name type value number } } }`,
      { b: barcode },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const values = res.data!.patient.clinical as { name: string; value: string; number: number | null }[];
    expect(Object.fromEntries(values.map((v) => [v.name, v.value]))).toEqual(expectedClinical().get(barcode));
    const tme = values.find((v) => v.name === 'TMEscore_plus')!;
    expect(tme.number).toBe(Number(stad.get(barcode)!.TMEscore_plus));
  });
});

describe('cohort filters', () => {
  it('cancer type and clinical conditions select what the files say', async () => {
    const expected = expectedClinical();
    const stadSamples = headerSamples(STAD_LOG2);
    const want = stadSamples.filter((s) => {
      const f = expected.get(s.slice(0, 12));
      return f?.Lauren === 'Diffuse' && Number(f.TMEscore_plus) > 0 && f.vital_status !== undefined;
    });
    const filter = {
      cancerTypes: ['stad'],
      clinical: [
        { attribute: 'Lauren', op: 'IN', values: ['Diffuse'] },
        { attribute: 'TMEscore_plus', op: 'GT', value: 0 },
        { attribute: 'vital_status', op: 'NOT_IN', values: ['no such value'] },
      ],
    };
    const res = await h.gql(PREVIEW, { f: filter });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(want.length).toBeGreaterThan(10);
    expect(res.data!.cohortFilterPreview.sampleCount).toBe(want.length);
    expect(res.data!.cohortFilterPreview.patientCount).toBe(new Set(want.map((s) => s.slice(0, 12))).size);
    // Query.samples takes the same filter.
    const listed = await h.gql(
      `query($f: SampleFilter) { samples(filter: $f, first: 500) { totalCount nodes { barcode } } }`,
      {
        f: filter,
      },
    );
    expect(listed.errors, JSON.stringify(listed.errors)).toBeUndefined();
    expect(listed.data!.samples.nodes.map((n: { barcode: string }) => n.barcode).sort()).toEqual(
      [...want].sort(),
    );
  });

  it('an expression threshold in log2 CPM, with a clinical condition; samples in another unit are left out', async () => {
    const gene = TP53;
    const values = fileLog2Cpm(gene, TYPES);
    const sorted = [...values.values()].sort((a, b) => a - b);
    const cut = sorted[Math.floor(sorted.length / 2)]!; // about half the count samples
    const expected = expectedClinical();
    const want = [...values].filter(
      ([s, v]) => v > cut && expected.get(s.slice(0, 12))?.vital_status === 'Dead',
    );
    const res = await h.gql(PREVIEW, {
      f: {
        clinical: [{ attribute: 'vital_status', op: 'IN', values: ['Dead'] }],
        expression: [{ gene: 'TP53', op: 'GT', value: cut }],
      },
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const preview = res.data!.cohortFilterPreview;
    expect(want.length).toBeGreaterThan(5);
    expect(preview.sampleCount).toBe(want.length);
    expect(preview.description).toBe(`vital_status is Dead; TP53 > ${cut} log2 CPM`);
    // Dead patients' stomach samples (log2 values, no raw counts) were considered and left out for want of counts.
    const stadDead = headerSamples(STAD_LOG2).filter(
      (s) => expected.get(s.slice(0, 12))?.vital_status === 'Dead',
    );
    const countDead = [...values.keys()].filter((s) => expected.get(s.slice(0, 12))?.vital_status === 'Dead');
    expect(preview.thresholds).toEqual([
      {
        gene: { ensemblId: gene, symbol: 'TP53' },
        considered: stadDead.length + countDead.length,
        withoutValue: stadDead.length,
        passed: want.length,
      },
    ]);
  });

  it('a threshold in the unit the samples are stored in (the stomach log2 values)', async () => {
    const [header, ...rows] = gunzipRows(STAD_LOG2);
    const cd274 = rows
      .find((r) => r[0] === 'CD274')!
      .slice(1)
      .map(Number);
    const want = header!.slice(1).filter((_, i) => Math.fround(cd274[i]!) >= 2);
    const res = await h.gql(PREVIEW, {
      f: { expression: [{ gene: 'CD274', op: 'GE', value: 2, unit: 'LOG2_COUNT_PLUS1' }] },
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data!.cohortFilterPreview.sampleCount).toBe(want.length);
    expect(res.data!.cohortFilterPreview.description).toBe('CD274 ≥ 2 LOG2_COUNT_PLUS1');
  });

  it('bad filters are refused with one clear message', async () => {
    const cases: [unknown, RegExp][] = [
      [
        { clinical: [{ attribute: 'age', op: 'GT', value: 60 }] },
        /no stored clinical attribute is named "age"; the stored ones are .*Lauren/,
      ],
      [
        { clinical: [{ attribute: 'Lauren', op: 'GT', value: 1 }] },
        /Lauren is categorical, so GT cannot compare it; use IN or NOT_IN/,
      ],
      [
        { clinical: [{ attribute: 'Lauren', op: 'IN', value: 1 }] },
        /filter.clinical\[0\]: IN takes `values`/,
      ],
      [
        { expression: [{ gene: 'NOTAGENE1', op: 'GT', value: 1 }] },
        /filter.expression\[0\].gene: no stored gene is named "NOTAGENE1"/,
      ],
      [
        { expression: [{ gene: 'TP53', op: 'GT', value: 1, unit: 'RSEM', transform: 'LOG2_CPM' }] },
        /LOG2_CPM takes raw counts/,
      ],
    ];
    for (const [f, message] of cases) {
      const res = await h.gql(PREVIEW, { f });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(f)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(message);
    }
  });
});

describe('a filter cohort remembers its filter and is rebuilt as data arrive', () => {
  it('creates, rebuilds after KICH counts arrive, and checks who is asking', async () => {
    const create = `mutation($i: CreateCohortInput!) { createCohort(input: $i) { id sampleCount builtAt
      filter { cancerTypes clinical { attribute op values } description sampleIds } } }`;
    const filter = {
      cancerTypes: ['ACC', 'KICH'],
      clinical: [{ attribute: 'vital_status', op: 'IN', values: ['Alive'] }],
    };
    const refused = await h.gql(create, { i: { name: 'alive ACC+KICH', filter } }, h.tokens.READER);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const made = await h.gql(create, { i: { name: 'alive ACC+KICH', filter } }, h.tokens.CURATOR);
    expect(made.errors, JSON.stringify(made.errors)).toBeUndefined();
    const cohort = made.data!.createCohort;
    const alive = (type: string) => {
      const expected = expectedClinical();
      const pancan = tableByPatient(OS_TABLE, 'patient');
      return headerSamples(countsFile(type)).filter((s) => {
        const p = s.slice(0, 12);
        return (expected.get(p)?.vital_status ?? pancan.get(p)?.vital_status) === 'Alive';
      });
    };
    expect(cohort.sampleCount).toBe(alive('ACC').length);
    expect(cohort.filter).toEqual({
      cancerTypes: ['ACC', 'KICH'],
      clinical: [{ attribute: 'vital_status', op: 'IN', values: ['Alive'] }],
      description: 'cancer type ACC or KICH; vital_status is Alive',
      sampleIds: [],
    });

    // KICH samples and their survival arrive. The cohort's clinical summary is stored once computed and
    // follows both: the new members, then (members unchanged) the clinical import.
    const vitalStatus = async (id: string) => {
      const res = await h.gql(
        `query($id: ID!) { cohort(id: $id) { clinicalAttributes { name patients } } }`,
        { id },
      );
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data!.cohort.clinicalAttributes.find((a: { name: string }) => a.name === 'vital_status')
        .patients as number;
    };
    const tcga = (await h.gql(`{ cohort(name: "TCGA") { id } }`)).data!.cohort.id as string;
    const before = await vitalStatus(tcga);
    const stored = await h.pool.query(
      `SELECT 1 FROM "CohortAnswer" WHERE "cohortId" = $1 AND key = 'clinical-attributes'`,
      [tcga],
    );
    expect(stored.rowCount).toBe(1);
    await ingestCounts(h.pool, countsFile('KICH'), { cohort: 'TCGA' });
    expect(await vitalStatus(tcga)).toBe(before); // KICH patients have no clinical fields yet
    await ingestClinical(h.pool, OS_TABLE);
    const kichPatients = new Set(headerSamples(countsFile('KICH')).map((s) => s.slice(0, 12)));
    const pancan = tableByPatient(OS_TABLE, 'patient');
    const withStatus = [...kichPatients].filter((p) => pancan.get(p)?.vital_status).length;
    expect(withStatus).toBeGreaterThan(10);
    expect(await vitalStatus(tcga)).toBe(before + withStatus);
    const rebuild = `mutation($id: ID!) { rebuildCohort(id: $id) { added removed sampleCount cohort { sampleCount builtAt } } }`;
    for (const token of [h.tokens.READER, null]) {
      const res = await h.gql(rebuild, { id: cohort.id }, token);
      expect(res.errors?.[0]?.extensions?.code).toBe(token ? 'FORBIDDEN' : 'UNAUTHENTICATED');
    }
    const rebuilt = await h.gql(rebuild, { id: cohort.id }, h.tokens.CURATOR);
    expect(rebuilt.errors, JSON.stringify(rebuilt.errors)).toBeUndefined();
    const kich = alive('KICH').length;
    expect(kich).toBeGreaterThan(10);
    expect(rebuilt.data!.rebuildCohort).toMatchObject({
      added: kich,
      removed: 0,
      sampleCount: alive('ACC').length + kich,
      cohort: { sampleCount: alive('ACC').length + kich },
    });
    expect(Date.parse(rebuilt.data!.rebuildCohort.cohort.builtAt)).toBeGreaterThan(
      Date.parse(cohort.builtAt),
    );
    // what the dashboard shows of it follows the new members
    const shown = await h.gql(
      `query($id: ID!) { cohort(id: $id) { composition { cancerType count } survival { missing groups { name patients events } logRank { pValue } } } }`,
      { id: cohort.id },
    );
    expect(shown.errors, JSON.stringify(shown.errors)).toBeUndefined();
    // everyone is alive: two cancer types and no death leave the log-rank test undefined (null, not an error)
    expect(shown.data!.cohort.survival.groups.map((g: { events: number }) => g.events)).toEqual([0, 0]);
    expect(shown.data!.cohort.survival.logRank).toBeNull();
    expect(shown.data!.cohort.composition).toEqual([
      { cancerType: 'ACC', count: alive('ACC').length },
      { cancerType: 'KICH', count: kich },
    ]);

    // A cohort of chosen samples has no filter to rebuild.
    const plain = await h.gql(`{ cohort(name: "TCGA") { id filter { description } } }`);
    expect(plain.data!.cohort.filter).toBeNull();
    const none = await h.gql(rebuild, { id: plain.data!.cohort.id }, h.tokens.CURATOR);
    expect(none.errors?.[0]?.message).toMatch(/was made from chosen samples, not a filter/);
  });
});
