// SIGKILL in the middle of a large ingest leaves no partial import, and a re-run completes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { geneReference } from '../../services/core/src/gene/reference.ts';
import { createTestDatabase, fingerprint, query } from '../../services/core/test-support/database.ts';
import { runCli, startCli } from '../support/cli.ts';

const SAMPLES = 1500;
const GENES = 6000;

function writeLargeMatrix(file: string): void {
  const genes = [...geneReference().all()].slice(0, GENES).map((gene) => gene.ensemblId);
  const out = fs.openSync(file, 'w');
  const barcodes = Array.from({ length: SAMPLES }, (_, s) => `TCGA-KL-${String(s).padStart(4, '0')}-01A`);
  fs.writeSync(out, `\t${barcodes.join('\t')}\n`);
  let x = 12345;
  for (const gene of genes) {
    const cells = new Array<number>(SAMPLES);
    for (let s = 0; s < SAMPLES; s++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      cells[s] = x % 997;
    }
    fs.writeSync(out, `${gene}\t${cells.join('\t')}\n`);
  }
  fs.closeSync(out);
}

async function waitForCopy(url: string, child: { exitCode: number | null }): Promise<void> {
  const database = new URL(url).pathname.slice(1);
  for (let i = 0; i < 1200; i++) {
    const rows = await query(
      url,
      `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'COPY%'`,
      [database],
    );
    if (rows.length) return;
    if (child.exitCode !== null) throw new Error('the ingest ended before it started writing');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the ingest never started writing');
}

it('a killed ingest leaves nothing behind and a re-run completes', async () => {
  const url = await createTestDatabase('kill');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-kill-')), 'TCGA_KILL_Counts.tsv');
  writeLargeMatrix(file);
  const before = await fingerprint(url);

  const child = startCli(['ingest', 'counts', file], { DATABASE_URL: url });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await waitForCopy(url, child);
  child.kill('SIGKILL');
  await exited;
  expect(await fingerprint(url)).toEqual(before);

  const rerun = await runCli(['ingest', 'counts', file, '--json'], { DATABASE_URL: url });
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(JSON.parse(rerun.stdout).imports[0]).toMatchObject({
    written: SAMPLES,
    genes: GENES,
    unchanged: false,
  });
  const [row] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "ExpressionProfile"`);
  expect(Number(row!.n)).toBe(SAMPLES);
  fs.rmSync(path.dirname(file), { recursive: true });
});
