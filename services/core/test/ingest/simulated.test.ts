// Provenance of simulated data: files written by `gexbert simulate` carry the SIMULATED marker; ingest marks
// their import, samples and cohort as simulated, real data is never marked, and simulated samples stay out
// of every training and validation set unless asked for.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import { writeSimulatedCohort } from '../../src/demo.ts';
import { ingestClinical, ingestCounts } from '../../src/ingest/index.ts';
import { addToCohort } from '../../src/ingest/transaction.ts';
import { corpusFromCohort } from '../../src/training/corpus.ts';
import { parseRetrainingConfig } from '../../src/training/request.ts';
import {
  newTrainingSampleCount,
  trainingSampleIds,
  validationSampleIds,
} from '../../src/training/validationSet.ts';
import { createTestDatabase, query } from '../../test-support/database.ts';
import { sharedDir } from '../../test-support/shared.ts';

const CHOL = path.join(sharedDir(), 'data/tcga/counts/TCGA_CHOL_Counts.exp.gz');
const SMALL = { samples: 30, genes: 300, types: 3 };

describe('simulated data is marked at ingest and kept out of training', () => {
  let url: string;
  let pool: pg.Pool;
  let root: string;
  let simulatedIds: number[];
  let realIds: number[];

  beforeAll(async () => {
    url = await createTestDatabase('simulated');
    pool = new pg.Pool({ connectionString: url });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-simulated-'));
    const written = await writeSimulatedCohort({ ...SMALL, seed: 5 }, path.join(root, 'seed5'));
    await ingestCounts(pool, written.dir, { cohort: 'sim5' });
    await ingestClinical(pool, written.clinical);
    await ingestCounts(pool, CHOL, { cohort: 'CHOL' });
    const samples = await query<{ id: number; simulated: boolean }>(
      url,
      `SELECT id, simulated FROM "Sample" ORDER BY id`,
    );
    // A cohort holding both (a re-ingest names no cohort: it writes nothing), made as the API makes cohorts.
    const client = await pool.connect();
    try {
      await addToCohort(
        client,
        'mixed',
        samples.map((s) => s.id),
      );
    } finally {
      client.release();
    }
    simulatedIds = samples.filter((s) => s.simulated).map((s) => s.id);
    realIds = samples.filter((s) => !s.simulated).map((s) => s.id);
  }, 120_000);
  afterAll(async () => {
    await pool.end();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes the SIMULATED marker beside the files', () => {
    const marker = fs.readFileSync(path.join(root, 'seed5', 'SIMULATED'), 'utf8');
    expect(marker.split('\n')[0]).toBe('gexbert-simulated');
  });

  it('marks the simulated imports, samples and cohort, and never the real ones', async () => {
    const imports = await query<{ fileName: string; kind: string; simulated: boolean }>(
      url,
      `SELECT "fileName", kind, simulated FROM "Import" ORDER BY id`,
    );
    expect(imports.map((i) => [i.fileName, i.kind, i.simulated])).toEqual([
      ['SIM1_Counts.tsv.gz', 'COUNTS', true],
      ['SIM2_Counts.tsv.gz', 'COUNTS', true],
      ['SIM3_Counts.tsv.gz', 'COUNTS', true],
      ['clinical.tsv', 'CLINICAL', true],
      ['TCGA_CHOL_Counts.exp.gz', 'COUNTS', false],
    ]);
    const bySource = await query<{ real: boolean; simulated: boolean; n: string }>(
      url,
      `SELECT i."fileName" LIKE 'TCGA_%' AS real, s.simulated, count(*) AS n
       FROM "Sample" s JOIN "Import" i ON i.id = s."importId" GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(bySource.map((r) => [r.real, r.simulated, Number(r.n)])).toEqual([
      [false, true, 30],
      [true, false, 29],
    ]);
    const cohorts = await query<{ name: string; simulated: boolean }>(
      url,
      `SELECT name, simulated FROM "Cohort" ORDER BY name`,
    );
    expect(cohorts).toEqual([
      { name: 'CHOL', simulated: false },
      { name: 'mixed', simulated: true },
      { name: 'sim5', simulated: true },
    ]);
  });

  it('keeps simulated samples out of the training and validation sets unless asked for', async () => {
    expect(simulatedIds).toHaveLength(30);
    expect(realIds).toHaveLength(29);
    const training = await trainingSampleIds(pool);
    const validation = await validationSampleIds(pool);
    expect([...training, ...validation].sort((a, b) => a - b)).toEqual(realIds);
    const all = [
      ...(await trainingSampleIds(pool, { includeSimulated: true })),
      ...(await validationSampleIds(pool, { includeSimulated: true })),
    ].sort((a, b) => a - b);
    expect(all).toEqual([...simulatedIds, ...realIds].sort((a, b) => a - b));
  });

  it('counts only real samples towards the retrain threshold', async () => {
    const real = (await trainingSampleIds(pool)).length;
    const withSimulated = (await trainingSampleIds(pool, { includeSimulated: true })).length;
    expect(withSimulated).toBeGreaterThan(real);
    expect(await newTrainingSampleCount(pool, null)).toBe(real);
    expect(await newTrainingSampleCount(pool, null, { includeSimulated: true })).toBe(withSimulated);
  });

  it('trains from a cohort on its real samples only, unless simulated ones are asked for', async () => {
    await expect(corpusFromCohort(pool, 'sim5')).rejects.toThrow(
      /holds only simulated samples; pass --include-simulated/,
    );
    expect((await corpusFromCohort(pool, 'sim5', { includeSimulated: true })).nSamples).toBe(30);
    const mixed = await corpusFromCohort(pool, 'mixed');
    expect(mixed.nSamples).toBe(29);
    expect(mixed.samples.every((b) => b.startsWith('TCGA-'))).toBe(true);
    expect((await corpusFromCohort(pool, 'mixed', { includeSimulated: true })).nSamples).toBe(59);
  });

  it('ingests a second simulated cohort with another seed without a barcode collision; same seed, same barcodes', async () => {
    const again = await writeSimulatedCohort({ ...SMALL, seed: 5 }, path.join(root, 'seed5-again'));
    const other = await writeSimulatedCohort({ ...SMALL, seed: 6 }, path.join(root, 'seed6'));
    const header = (file: string) => fs.readFileSync(file); // gzip bytes: same seed, same files
    for (const c of again.counts)
      expect(header(c.path).equals(header(path.join(root, 'seed5', path.basename(c.path))))).toBe(true);
    const results = await ingestCounts(pool, other.dir, { cohort: 'sim6' });
    expect(results.reduce((n, r) => n + r.written, 0)).toBe(30);
    expect(results.every((r) => r.skipped === 0)).toBe(true);
    const [row] = await query<{ n: string; simulated: string }>(
      url,
      `SELECT count(*) AS n, count(*) FILTER (WHERE simulated) AS simulated FROM "Sample"`,
    );
    expect(Number(row!.n)).toBe(89);
    expect(Number(row!.simulated)).toBe(60);
  });

  it('marks a single count file named on its own from a marked folder', async () => {
    const written = await writeSimulatedCohort({ ...SMALL, seed: 9 }, path.join(root, 'seed9'));
    const [result] = await ingestCounts(pool, written.counts[0]!.path);
    const [row] = await query<{ simulated: boolean; samples: string; marked: string }>(
      url,
      `SELECT i.simulated, count(s.id) AS samples, count(s.id) FILTER (WHERE s.simulated) AS marked
       FROM "Import" i JOIN "Sample" s ON s."importId" = i.id WHERE i.id = $1 GROUP BY i.simulated`,
      [result!.id],
    );
    expect(row!.simulated).toBe(true);
    expect(Number(row!.samples)).toBeGreaterThan(0);
    expect(Number(row!.marked)).toBe(Number(row!.samples));
  });

  it('backfills databases seeded before the marker (migration backfill_simulated): GXSM samples only', async () => {
    const before = await query<{ t: string; id: number; simulated: boolean }>(
      url,
      `SELECT 'Sample' AS t, id, simulated FROM "Sample" UNION ALL SELECT 'Import', id, simulated FROM "Import"
       UNION ALL SELECT 'Cohort', id, simulated FROM "Cohort" ORDER BY 1, 2`,
    );
    await pool.query(`UPDATE "Sample" SET simulated = false`);
    await pool.query(`UPDATE "Import" SET simulated = false`);
    await pool.query(`UPDATE "Cohort" SET simulated = false`);
    const file = path.join(MIGRATIONS_DIR, '20261206130000_backfill_simulated', 'migration.sql');
    await pool.query(fs.readFileSync(file, 'utf8'));
    const after = await query<{ t: string; id: number; simulated: boolean }>(
      url,
      `SELECT 'Sample' AS t, id, simulated FROM "Sample" UNION ALL SELECT 'Import', id, simulated FROM "Import"
       UNION ALL SELECT 'Cohort', id, simulated FROM "Cohort" ORDER BY 1, 2`,
    );
    // (the clinical import of simulated patients stores no samples: the backfill cannot tell it apart)
    const clinical = await query<{ id: number }>(url, `SELECT id FROM "Import" WHERE kind = 'CLINICAL'`);
    const isClinical = (r: { t: string; id: number }) =>
      r.t === 'Import' && clinical.some((c) => c.id === r.id);
    expect(after.filter((r) => !isClinical(r))).toEqual(before.filter((r) => !isClinical(r)));
    await pool.query(`UPDATE "Import" SET simulated = true WHERE kind = 'CLINICAL'`);
  });

  it('carries includeSimulated only as a boolean in a retraining config', () => {
    expect(parseRetrainingConfig({ includeSimulated: true }).includeSimulated).toBe(true);
    expect(parseRetrainingConfig({}).includeSimulated).toBeUndefined();
    expect(() => parseRetrainingConfig({ includeSimulated: 'yes' })).toThrow(
      /includeSimulated must be true or false/,
    );
  });
});
