// gexbert train with an RSEM table beside the count files (how tcga-33types was trained): simulated data never
// enter it — a folder written by `gexbert simulate` is refused as the RSEM table, and no checkpoint is written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { sharedDir } from '../services/core/test-support/shared.ts';
import { runCli } from './support/cli.ts';

it('refuses a simulated folder given as the RSEM table', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-train-rsem-'));
  try {
    const sim = path.join(root, 'sim');
    const simulated = await runCli([
      'simulate',
      '--samples',
      '30',
      '--genes',
      '300',
      '--types',
      '3',
      '--out',
      sim,
    ]);
    expect(simulated.code, simulated.stderr).toBe(0);
    const out = path.join(root, 'ckpt');
    const refused = await runCli([
      'train',
      '--data',
      path.join(sharedDir(), 'data/tcga/counts/TCGA_CHOL_Counts.exp.gz'),
      '--rsem-table',
      sim,
      '--out',
      out,
      '--max-steps',
      '2',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/sim holds simulated data .*--include-simulated/);
    expect(fs.existsSync(out)).toBe(false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
