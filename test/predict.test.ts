// gexbert predict on real TCGA count files: no database, the three output files with their exact headers,
// right answers, panel input, restored values inside their intervals, one error and nothing written for a
// bad file, embeddings without heads; and the file's model input equals a stored sample's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCountsMatrix } from '@gexbert/core/formats/index';
import { sampleProfiles } from '@gexbert/core/inference/modelRuntime';
import { ingestCounts } from '@gexbert/core/ingest/index';
import { SHIPPED_CHECKPOINT } from '@gexbert/core/registry/modelVersion';
import { loadCheckpoint, ready } from '@gexbert/model/inference';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREDICTION_COLUMNS, RESTORED_COLUMNS, sampleInputs } from '../apps/cli/src/commands/predict.ts';
import { createTestDatabase } from '../services/core/test-support/database.ts';
import { sharedDir } from '../services/core/test-support/shared.ts';
import { errorLines, runCli } from './support/cli.ts';

// The checkpoint under test (the shipped one; PREDICT_TEST_MODEL points at another with heads.json).
const MODEL = process.env.PREDICT_TEST_MODEL ?? SHIPPED_CHECKPOINT;
const COUNTS = path.join(sharedDir(), 'data', 'tcga', 'counts');
const UVM = path.join(COUNTS, 'TCGA_UVM_Counts.exp.gz');
const CHOL = path.join(COUNTS, 'TCGA_CHOL_Counts.exp.gz');
// No database anywhere: a DATABASE_URL that cannot be reached would fail any command that opened one.
const NO_DB = { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' };

const vocabulary = fs.readFileSync(path.join(MODEL, 'vocabulary.txt'), 'utf8').trim().split('\n');
const knownTypes = Object.keys(
  JSON.parse(fs.readFileSync(path.join(MODEL, 'heads.json'), 'utf8')).summary.cancerTypes,
);

let root: string;
/** Both files in one folder (predict takes a file or a folder). */
let input: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-predict-'));
  input = path.join(root, 'in');
  fs.mkdirSync(input);
  fs.symlinkSync(CHOL, path.join(input, path.basename(CHOL)));
  fs.symlinkSync(UVM, path.join(input, path.basename(UVM)));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

type Row = Record<string, string>;
function readTsv(file: string): { header: string[]; rows: Row[] } {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
  const header = head!.split('\t');
  return {
    header,
    rows: lines.map((l) => Object.fromEntries(l.split('\t').map((c, i) => [header[i]!, c]))),
  };
}
const typeOf = (barcode: string, chol: Set<string>) => (chol.has(barcode) ? 'CHOL' : 'UVM');
const barcodesOf = async (file: string) =>
  new Set((await parseCountsMatrix(file)).samples.map((s) => s.aliquotBarcode));

describe('gexbert predict', () => {
  let whole: Row[];
  let chol: Set<string>;

  it('scores CHOL and UVM files into predictions, embeddings and restored values', async () => {
    const out = path.join(root, 'whole');
    const genes = [vocabulary[0]!, vocabulary[10]!, vocabulary[500]!];
    const run = await runCli(
      ['predict', input, '--model', MODEL, '--out', out, '--genes', genes.join(','), '--json'],
      NO_DB,
    );
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.samples).toBe(29 + 64);
    expect(summary.written).toEqual(['predictions.tsv', 'embeddings.tsv', 'restored.tsv']);
    chol = await barcodesOf(CHOL);

    const predictions = readTsv(path.join(out, 'predictions.tsv'));
    expect(predictions.header).toEqual([...PREDICTION_COLUMNS]);
    whole = predictions.rows;
    expect(whole).toHaveLength(93);
    for (const r of whole) {
      expect(['true', 'false']).toContain(r.out_of_distribution);
      expect(r.predicted_type === '').toBe(r.out_of_distribution === 'true');
      if (r.predicted_type) expect(knownTypes).toContain(r.predicted_type);
      expect(knownTypes).toContain(r.closest_type);
      expect(Number(r.probability)).toBeGreaterThan(0);
      expect(Number.isFinite(Number(r.risk_score))).toBe(true);
    }
    const uvm = whole.filter((r) => typeOf(r.sample!, chol) === 'UVM');
    expect(uvm).toHaveLength(64);
    const right = (rows: Row[], type: string) =>
      rows.filter((r) => (r.predicted_type || r.closest_type) === type).length / rows.length;
    expect(right(uvm, 'UVM')).toBeGreaterThanOrEqual(0.9);
    expect(
      right(
        whole.filter((r) => chol.has(r.sample!)),
        'CHOL',
      ),
    ).toBeGreaterThanOrEqual(0.8);
    // The summary counts what the file says.
    expect(summary.flagged).toBe(whole.filter((r) => r.out_of_distribution === 'true').length);

    const embeddings = readTsv(path.join(out, 'embeddings.tsv'));
    const width: number = JSON.parse(fs.readFileSync(path.join(MODEL, 'config.json'), 'utf8')).width;
    expect(embeddings.header).toEqual(['sample', ...Array.from({ length: width }, (_, d) => `dim_${d + 1}`)]);
    expect(embeddings.rows.map((r) => r.sample)).toEqual(whole.map((r) => r.sample));
    for (const r of embeddings.rows.slice(0, 5))
      expect(
        Object.values(r)
          .slice(1)
          .every((v) => Number.isFinite(Number(v)) && v !== ''),
      ).toBe(true);

    const restored = readTsv(path.join(out, 'restored.tsv'));
    expect(restored.header).toEqual([...RESTORED_COLUMNS]);
    expect(restored.rows).toHaveLength(93 * genes.length);
    expect(new Set(restored.rows.map((r) => r.gene))).toEqual(new Set(genes));
    for (const r of restored.rows) {
      const [value, lower, upper] = [Number(r.value), Number(r.lower), Number(r.upper)];
      expect(r.lower, 'an interval for every restored value').not.toBe('');
      expect(lower).toBeLessThanOrEqual(value);
      expect(value).toBeLessThanOrEqual(upper);
      expect(r.measured_value, 'every vocabulary gene is in the TCGA files').not.toBe('');
    }
  });

  it('with --input-genes, answers from a 64-gene panel differ and still mostly name the type', async () => {
    const out = path.join(root, 'panel');
    const panel = vocabulary.filter((_, i) => i % 15 === 0).slice(0, 64);
    expect(panel).toHaveLength(64);
    const run = await runCli(
      ['predict', input, '--model', MODEL, '--out', out, '--input-genes', panel.join(','), '--json'],
      NO_DB,
    );
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.predictions.every((p: { inputGenes: number }) => p.inputGenes === 64)).toBe(true);
    expect(summary.predictions.every((p: { panelMatched: boolean }) => p.panelMatched)).toBe(true);
    const rows = readTsv(path.join(out, 'predictions.tsv')).rows;
    expect(rows.map((r) => r.sample)).toEqual(whole.map((r) => r.sample));
    const changed = rows.filter(
      (r, i) => r.probability !== whole[i]!.probability || r.novelty !== whole[i]!.novelty,
    );
    expect(changed.length).toBeGreaterThan(rows.length / 2);
    const right = rows.filter((r) => (r.predicted_type || r.closest_type) === typeOf(r.sample!, chol));
    expect(right.length / rows.length).toBeGreaterThanOrEqual(0.8);
    for (const r of rows) if (r.predicted_type) expect(knownTypes).toContain(r.predicted_type);
  });

  it('a bad file is one error naming the file and line, and nothing is written', async () => {
    const bad = path.join(root, 'bad_counts.tsv');
    fs.writeFileSync(
      bad,
      'gene\tTCGA-AA-0001-01A\tTCGA-AA-0002-01A\nENSG00000141510\t12\t7\nENSG00000185559\t3\tlots\n',
    );
    const out = path.join(root, 'bad-out');
    const run = await runCli(['predict', bad, '--model', MODEL, '--out', out], NO_DB);
    expect(run.code).not.toBe(0);
    const errors = errorLines(run.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${bad}:3`);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(root).filter((f) => f.startsWith('bad-out'))).toEqual([]);

    // A unit the model's input cannot be computed from faithfully: refused, naming the file and the fix.
    const tpm = await runCli(['predict', UVM, '--model', MODEL, '--out', out, '--unit', 'TPM'], NO_DB);
    expect(tpm.code).not.toBe(0);
    expect(errorLines(tpm.stderr)).toHaveLength(1);
    expect(tpm.stderr).toContain(UVM);
    expect(tpm.stderr).toMatch(/raw read counts/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a checkpoint without heads.json still writes embeddings, with types left empty and a note', async () => {
    const copy = path.join(root, 'no-heads');
    fs.cpSync(MODEL, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'heads.json'));
    const out = path.join(root, 'no-heads-out');
    const run = await runCli(['predict', CHOL, '--model', copy, '--out', out], NO_DB);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/has no heads \(heads\.json\)/);
    const rows = readTsv(path.join(out, 'predictions.tsv')).rows;
    expect(rows).toHaveLength(29);
    for (const r of rows) {
      expect(r.predicted_type).toBe('');
      expect(r.closest_type).toBe('');
      expect(r.risk_score).toBe('');
    }
    const embeddings = readTsv(path.join(out, 'embeddings.tsv')).rows;
    expect(embeddings).toHaveLength(29);
    expect(
      Object.values(embeddings[0]!)
        .slice(1)
        .some((v) => Number(v) !== 0),
    ).toBe(true);
  });
});

describe('the model input of a file equals that of the same sample stored', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('predict') });
  });
  afterAll(() => pool.end());

  it('log2(CPM+1) of the vocabulary genes, library size over the whole profile', async () => {
    await ingestCounts(pool, CHOL);
    await ready();
    const { stats } = loadCheckpoint(MODEL);
    const fromFile = sampleInputs(await parseCountsMatrix(CHOL), stats);
    const { rows } = await pool.query<{ id: number; barcode: string }>(
      'SELECT id, barcode FROM "Sample" ORDER BY id',
    );
    expect(rows).toHaveLength(fromFile.length);
    const stored = await sampleProfiles(
      pool,
      stats,
      rows.map((r) => r.id),
    );
    const byBarcode = new Map(rows.map((r, i) => [r.barcode, stored[i]!]));
    for (const sample of fromFile) {
      const barcode = [...byBarcode.keys()].find((b) => sample.sample.startsWith(b));
      const profile = byBarcode.get(barcode!)!;
      expect(sample.profile.genes).toEqual(profile.genes);
      expect(Array.from(sample.profile.values)).toEqual(Array.from(profile.values));
    }
  });
});
