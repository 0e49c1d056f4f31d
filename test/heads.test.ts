// `gexbert heads fit`, `gexbert heads panels` and `gexbert heads refit` as a user runs them: heads fitted on
// labelled real count files travel in the checkpoint and flag a type they were not fitted on when `gexbert
// predict` scores it; simulated files are refused; the panel head sets of the shipped 33-type heads are fitted
// again into a copy without them, refitting nothing else; a registered version's heads are refitted on the
// stored real samples.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createPrisma } from '../services/core/src/db/prisma.ts';
import {
  ensureActiveModel,
  SHIPPED_CHECKPOINT,
  TCGA_33_CHECKPOINT,
} from '../services/core/src/registry/modelVersion.ts';
import { createTestDatabase } from '../services/core/test-support/database.ts';
import { sharedDir } from '../services/core/test-support/shared.ts';
import { runCli } from './support/cli.ts';

const COUNTS = path.join(sharedDir(), 'data', 'tcga', 'counts');
const OS_TABLE = path.join(sharedDir(), 'data', 'tcga', 'clinical', 'tcga_pancan_os.tsv.gz');
const NO_DB = { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' };

/** A copy of the shipped checkpoint without its heads. */
function checkpointCopy(root: string): string {
  const dir = path.join(root, 'model');
  fs.cpSync(SHIPPED_CHECKPOINT, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'heads.json'));
  return dir;
}

it('fits heads on three real types; predict then flags a fourth type as unknown', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-heads-'));
  const model = checkpointCopy(root);
  const data = path.join(root, 'three');
  fs.mkdirSync(data);
  for (const type of ['CHOL', 'KICH', 'UVM'])
    fs.symlinkSync(
      path.join(COUNTS, `TCGA_${type}_Counts.exp.gz`),
      path.join(data, `TCGA_${type}_Counts.exp.gz`),
    );
  const fit = await runCli(
    ['heads', 'fit', '--model', model, '--data', data, '--clinical', OS_TABLE, '--json'],
    NO_DB,
  );
  expect(fit.code, fit.stderr).toBe(0);
  const result = JSON.parse(fit.stdout);
  expect(result.summary.samples).toBe(29 + 52 + 64);
  expect(Object.keys(result.summary.cancerTypes)).toEqual(['CHOL', 'KICH', 'UVM']);
  expect(result.metrics['whole.novelty.types']).toBe(3);
  expect(fs.readFileSync(path.join(model, 'MODEL_CARD.md'), 'utf8')).toMatch(
    new RegExp(`Head version \`${result.id}\`, fitted .* on 145 real samples`),
  );

  const out = path.join(root, 'acc');
  const predicted = await runCli(
    ['predict', path.join(COUNTS, 'TCGA_ACC_Counts.exp.gz'), '--model', model, '--out', out],
    NO_DB,
  );
  expect(predicted.code, predicted.stderr).toBe(0);
  const rows = fs
    .readFileSync(path.join(out, 'predictions.tsv'), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'));
  expect(rows).toHaveLength(63);
  const flagged = rows.filter((r) => r[5] === 'true');
  expect(flagged.length / rows.length).toBeGreaterThanOrEqual(0.8);
  for (const r of flagged) {
    expect(r[1]).toBe(''); // no type
    expect(['CHOL', 'KICH', 'UVM']).toContain(r[3]); // the closest known one beside it
    expect(Number(r[4])).toBeGreaterThan(1);
  }
  fs.rmSync(root, { recursive: true, force: true });
}, 300_000);

it('refuses to fit heads for real samples on simulated files', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-heads-sim-'));
  const sim = path.join(root, 'sim');
  const made = await runCli(['simulate', '--samples', '30', '--genes', '300', '--types', '3', '--out', sim]);
  expect(made.code, made.stderr).toBe(0);
  const model = checkpointCopy(root);
  const fit = await runCli(['heads', 'fit', '--model', model, '--data', sim], NO_DB);
  expect(fit.code).not.toBe(0);
  expect(fit.stderr).toMatch(/holds simulated data .*--include-simulated/);
  expect(fs.existsSync(path.join(model, 'heads.json'))).toBe(false);
  fs.rmSync(root, { recursive: true, force: true });
}, 120_000);

it("fits the shipped 33-type heads' rsem panel set into a copy without it, byte for byte, nothing else refitted", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-heads-panels-'));
  const model = path.join(root, 'model');
  fs.cpSync(TCGA_33_CHECKPOINT, model, { recursive: true });
  const shipped = fs.readFileSync(path.join(TCGA_33_CHECKPOINT, 'heads.json'), 'utf8');
  const { panels, ...without } = JSON.parse(shipped);
  expect(panels.map((p: { name: string }) => p.name)).toEqual(['rsem']);
  fs.writeFileSync(path.join(model, 'heads.json'), JSON.stringify(without));
  const run = await runCli(['heads', 'panels', '--model', model, '--json'], NO_DB);
  expect(run.code, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({ id: without.id, panels: [{ name: 'rsem', genes: 100 }] });
  expect(fs.readFileSync(path.join(model, 'heads.json'), 'utf8')).toBe(shipped);
  expect(fs.readFileSync(path.join(model, 'MODEL_CARD.md'), 'utf8')).toContain(
    "- The rsem panel's heads are stored with them (no fit at its first request): 100 genes",
  );
  // the six-type checkpoint names no panel: its heads stay as they are
  const six = path.join(root, 'six');
  fs.cpSync(SHIPPED_CHECKPOINT, six, { recursive: true });
  const again = await runCli(['heads', 'panels', '--model', six, '--json'], NO_DB);
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout).panels).toEqual([]);
  expect(fs.readFileSync(path.join(six, 'heads.json'))).toEqual(
    fs.readFileSync(path.join(SHIPPED_CHECKPOINT, 'heads.json')),
  );
  fs.rmSync(root, { recursive: true, force: true });
}, 300_000);

it('refits a registered version’s heads on the stored real samples, as a new head version', async () => {
  const url = await createTestDatabase('heads');
  const env = { DATABASE_URL: url };
  for (const type of ['CHOL', 'UVM']) {
    const r = await runCli(['ingest', 'counts', path.join(COUNTS, `TCGA_${type}_Counts.exp.gz`)], env);
    expect(r.code, r.stderr).toBe(0);
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const prisma = createPrisma(url);
  try {
    const version = await ensureActiveModel({ pool, prisma });
    const refit = await runCli(['heads', 'refit', String(version.id), '--json'], env);
    expect(refit.code, refit.stderr).toBe(0);
    const result = JSON.parse(refit.stdout);
    expect(result.summary.cancerTypes).toEqual({ CHOL: 29, UVM: 64 });
    const stored = (await prisma.modelVersion.findUniqueOrThrow({ where: { id: version.id } })).heads as {
      id: string;
    };
    expect(stored.id).toBe(result.heads);
    expect(result.heads).not.toBe((version.heads as { id: string }).id);
    const bad = await runCli(['heads', 'refit', 'latest'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/is not a model version ID/);
  } finally {
    await prisma.$disconnect();
    await pool.end();
  }
}, 300_000);
