// The gexbert command itself: help lists every command; simulate writes a cohort that ingests as is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createTestDatabase, query } from '../services/core/test-support/database.ts';
import { runCli } from './support/cli.ts';

it('--help lists every command', async () => {
  const top = await runCli(['--help']);
  expect(top.code).toBe(0);
  for (const command of ['start', 'ingest', 'simulate', 'db'])
    expect(top.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  const ingest = await runCli(['ingest', '--help']);
  for (const command of ['counts', 'gdc', 'xena', 'clinical'])
    expect(ingest.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
});

it('an unknown command or a bad flag fails with a non-zero exit', async () => {
  expect((await runCli(['frobnicate'])).code).not.toBe(0);
  const bad = await runCli(['simulate', '--samples', 'many', '--genes', '10', '--out', os.tmpdir()]);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/--samples must be a whole number of at least 1/);
});

it('simulate writes a cohort (same seed, same files) that ingests with its survival', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-sim-'));
  const args = (out: string) => [
    'simulate',
    '--samples',
    '60',
    '--genes',
    '300',
    '--types',
    '3',
    '--seed',
    '5',
    '--out',
    out,
    '--json',
  ];
  const first = await runCli(args(path.join(root, 'a')));
  expect(first.code, first.stderr).toBe(0);
  const written = JSON.parse(first.stdout);
  expect(written.counts).toHaveLength(3);
  await runCli(args(path.join(root, 'b')));
  for (const file of written.files as string[]) {
    const twin = path.join(root, 'b', path.basename(file));
    expect(fs.readFileSync(twin).equals(fs.readFileSync(file)), path.basename(file)).toBe(true);
  }

  const url = await createTestDatabase('sim');
  const counts = await runCli(['ingest', 'counts', path.join(root, 'a'), '--cohort', 'sim', '--json'], {
    DATABASE_URL: url,
  });
  expect(counts.code, counts.stderr).toBe(0);
  const imports = JSON.parse(counts.stdout).imports;
  expect(imports.map((i: { written: number }) => i.written).reduce((a: number, b: number) => a + b)).toBe(60);
  const clinical = await runCli(['ingest', 'clinical', written.clinical, '--json'], { DATABASE_URL: url });
  expect(clinical.code, clinical.stderr).toBe(0);
  const [row] = await query<{ types: string; with_os: string; patients: string }>(
    url,
    `SELECT count(DISTINCT "cancerType") AS types, count(*) FILTER (WHERE "osDays" IS NOT NULL) AS with_os, count(*) AS patients
     FROM "Patient"`,
  );
  expect(Number(row!.types)).toBe(3);
  expect(Number(row!.with_os)).toBe(Number(row!.patients));
  fs.rmSync(root, { recursive: true });
});
