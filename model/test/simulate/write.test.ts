import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../../services/core/test-support/shared.ts';
import { type Cohort, simulateCohort, simulateCounts } from '../../src/simulate/cohort.ts';
import type { TruthSummary } from '../../src/simulate/truth.ts';
import { CLINICAL_COLUMNS, countsFileName, GENE_COLUMNS, writeCohort } from '../../src/simulate/write.ts';

const OPTS = { samples: 150, genes: 300, types: 3, missingClinicalFraction: 0.1 };
const REAL_COUNTS = sharedPath('data', 'tcga', 'counts', 'TCGA_ACC_Counts.exp.gz');
const REAL_CLINICAL = sharedPath('data', 'tcga', 'clinical', 'tcga_pancan_os.tsv.gz');

let root: string;
let cohort: Cohort;
let dirA: string;
let progress: [number, number][];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gexbert-simulate-test-'));
  cohort = simulateCohort({ ...OPTS, seed: 7 });
  dirA = join(root, 'a');
  progress = [];
  await writeCohort(cohort, dirA, { onProgress: (done, total) => progress.push([done, total]) });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readTsv(path: string): Promise<string[][]> {
  const raw = await readFile(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  expect(text.includes('\r')).toBe(false);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => line.split('\t'));
}

async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(dir)).sort();
  return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as const)));
}

describe('writeCohort', () => {
  it('writes one count matrix per type plus clinical.tsv, genes.tsv, truth.json and the SIMULATED marker', async () => {
    expect((await readdir(dirA)).sort()).toEqual(
      [
        'SIM1_Counts.tsv.gz',
        'SIM2_Counts.tsv.gz',
        'SIM3_Counts.tsv.gz',
        'clinical.tsv',
        'genes.tsv',
        'truth.json',
        'SIMULATED',
      ].sort(),
    );
    // the provenance marker that ingest detects (services/core/src/ingest/simulated.ts)
    expect((await readFile(join(dirA, 'SIMULATED'), 'utf8')).split('\n')[0]).toBe('gexbert-simulated');
    expect(countsFileName('ABC')).toBe('ABC_Counts.tsv.gz');
  });

  it('is byte-identical for the same seed and different for another seed', async () => {
    const dirB = join(root, 'b');
    const dirC = join(root, 'c');
    await writeCohort(simulateCohort({ ...OPTS, seed: 7 }), dirB);
    await writeCohort(simulateCohort({ ...OPTS, seed: 8 }), dirC);
    const a = await filesOf(dirA);
    const b = await filesOf(dirB);
    const c = await filesOf(dirC);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, bytes] of a) {
      expect(bytes.equals(b.get(name)!), `${name} same seed`).toBe(true);
      expect(bytes.equals(c.get(name)!), `${name} other seed`).toBe(false);
    }
  });

  it('writes count matrices in the TCGA layout that parse back to the simulated counts', async () => {
    const counts = simulateCounts(cohort);
    const { samples, genes, typeNames } = cohort;
    const N = samples.barcodes.length;
    const seen: string[] = [];
    for (let t = 0; t < typeNames.length; t++) {
      const rows = await readTsv(join(dirA, countsFileName(typeNames[t]!)));
      const header = rows[0]!;
      expect(header[0]).toBe('');
      const barcodes = header.slice(1);
      const from = samples.typeOffsets[t]!;
      expect(barcodes).toEqual(samples.barcodes.slice(from, samples.typeOffsets[t + 1]!));
      seen.push(...barcodes);
      expect(rows).toHaveLength(1 + genes.ids.length);
      for (let g = 0; g < genes.ids.length; g++) {
        const r = rows[g + 1]!;
        expect(r).toHaveLength(1 + barcodes.length);
        expect(r[0]).toBe(genes.ids[g]);
        const values = r.slice(1);
        expect(values.filter((v) => !/^(0|[1-9][0-9]*)$/.test(v))).toEqual([]);
        expect(values.map(Number)).toEqual(
          Array.from(counts.subarray(g * N + from, g * N + from + barcodes.length)),
        );
      }
    }
    expect(seen).toEqual(samples.barcodes);
  });

  it('writes clinical.tsv with exactly the pan-cancer OS columns and consistent values', async () => {
    const rows = await readTsv(join(dirA, 'clinical.tsv'));
    expect(rows[0]).toEqual([...CLINICAL_COLUMNS]);
    expect(rows[0]).toEqual([
      'patient',
      'cancer_type',
      'vital_status',
      'days_to_death',
      'days_to_last_followup',
      'OS_time_days',
      'OS_event',
    ]);
    const { patients, typeNames, samples } = cohort;
    expect(rows).toHaveLength(1 + patients.ids.length);
    let missing = 0;
    rows.slice(1).forEach((r, p) => {
      expect(r).toHaveLength(7);
      const [patient, type, vital, death, followup, os, event] = r;
      expect(patient).toBe(patients.ids[p]);
      expect(patient).toMatch(/^GXSM-[A-Z]{2}-[0-9A-Z]{4}$/);
      expect(type).toBe(typeNames[patients.type[p]!]);
      expect(event).toBe(String(patients.event[p]));
      expect(vital).toBe(event === '1' ? 'Dead' : 'Alive');
      if (os === 'NA') {
        missing++;
        expect([death, followup]).toEqual(['NA', 'NA']);
        return;
      }
      expect(os).toMatch(/^[1-9][0-9]*$/);
      expect(Number(os)).toBe(patients.time[p]);
      expect(event === '1' ? [death, followup] : [followup, death]).toEqual([os, 'NA']);
    });
    expect(missing).toBe(patients.missing.reduce((s, m) => s + m, 0));
    expect(missing).toBeGreaterThan(0);
    // Every sample joins to a clinical row on its first 12 characters.
    const ids = new Set(rows.slice(1).map((r) => r[0]));
    for (const b of samples.barcodes) expect(ids.has(b.slice(0, 12))).toBe(true);
  });

  it('writes genes.tsv with id, symbol, type and module', async () => {
    const rows = await readTsv(join(dirA, 'genes.tsv'));
    expect(rows[0]).toEqual([...GENE_COLUMNS]);
    expect(rows).toHaveLength(1 + cohort.genes.ids.length);
    rows.slice(1).forEach((r, g) => {
      expect(r[0]).toBe(cohort.genes.ids[g]);
      expect(r[1]).toBe(cohort.genes.symbols[g]);
      expect(r[2]).toBe(cohort.genes.lowExpressed[g] ? 'lncRNA' : 'protein_coding');
      const m = cohort.genes.module[g]!;
      expect(r[3]).toBe(m >= 0 ? `M${m + 1}` : 'NA');
    });
  });

  it('writes truth.json that matches the cohort and the other files', async () => {
    const truth = JSON.parse(await readFile(join(dirA, 'truth.json'), 'utf8')) as TruthSummary;
    expect(truth.format).toBe('gexbert-simulate-truth');
    expect(truth.types).toEqual(['SIM1', 'SIM2', 'SIM3']);
    expect(truth.samples.barcode).toEqual(cohort.samples.barcodes);
    expect(truth.patients.id).toEqual(cohort.patients.ids);
    truth.samples.logHazard.forEach((x, i) => {
      expect(x).toBeCloseTo(cohort.patients.logHazard[cohort.samples.patient[i]!]!, 4);
    });
    expect(truth.modules.length).toBe(cohort.truth.modules.length);
    expect(truth.modules[0]!.genes).toEqual(cohort.truth.modules[0]!.genes.map((g) => cohort.genes.ids[g]));
    expect(truth.modules[0]!.activity).toHaveLength(cohort.samples.barcodes.length);
    expect(truth.prognosticGenes.map((p) => p.gene)).toEqual(
      cohort.truth.prognosticGenes.map((p) => cohort.genes.ids[p.gene]),
    );
    expect(truth.options.seed).toBe(7);
  });

  it('reports progress gene by gene up to (genes, genes)', () => {
    const G = cohort.genes.ids.length;
    expect(progress[0]).toEqual([0, G]);
    expect(progress[progress.length - 1]).toEqual([G, G]);
    expect(progress).toHaveLength(G + 1);
    progress.forEach(([done, total], k) => {
      expect(done).toBe(k);
      expect(total).toBe(G);
    });
  });

  it('writes the same content at another gzip level', async () => {
    const dir = join(root, 'level9');
    await writeCohort(cohort, dir, { gzipLevel: 9 });
    const name = countsFileName('SIM2');
    const a = await readFile(join(dirA, name));
    const b = await readFile(join(dir, name));
    expect(a.equals(b)).toBe(false);
    expect(gunzipSync(a).equals(gunzipSync(b))).toBe(true);
    await expect(writeCohort(cohort, dir, { gzipLevel: 0 })).rejects.toThrow(RangeError);
  });

  it.skipIf(!existsSync(REAL_COUNTS) || !existsSync(REAL_CLINICAL))(
    'matches the layout of the real TCGA count and OS files',
    async () => {
      const real = gunzipSync(await readFile(REAL_COUNTS))
        .toString('utf8')
        .split('\n', 3);
      const ours = gunzipSync(await readFile(join(dirA, countsFileName('SIM1'))))
        .toString('utf8')
        .split('\n', 3);
      const shape = (line: string) => line.split('\t').map((cell) => cell.replace(/[0-9A-Z]/g, 'x'));
      const realHeader = shape(real[0]!);
      const ourHeader = shape(ours[0]!);
      expect(ourHeader[0]).toBe(realHeader[0]);
      expect(ourHeader[1]).toBe(realHeader[1]); // same barcode shape: xxxx-xx-xxxx-xxx-xxx-xxxx-xx
      expect(
        ours[1]!
          .split('\t')
          .slice(1)
          .every((v) => /^[0-9]+$/.test(v)),
      ).toBe(true);
      expect(
        real[1]!
          .split('\t')
          .slice(1)
          .every((v) => /^[0-9]+$/.test(v)),
      ).toBe(true);
      const realClinicalHeader = gunzipSync(await readFile(REAL_CLINICAL))
        .toString('utf8')
        .split('\n', 1)[0];
      expect((await readFile(join(dirA, 'clinical.tsv'), 'utf8')).split('\n', 1)[0]).toBe(realClinicalHeader);
    },
  );
});
