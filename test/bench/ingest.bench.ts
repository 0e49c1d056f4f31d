// npm run bench:ingest — ingest speed and memory, printed as figures (no pass/fail).
//  1. The six real TCGA cohorts (291 samples x 56,537 genes): seconds and values/s through `ingestCounts`,
//     against the floor: the same values COPYed into a bare (sample, gene, value) table.
//  2. A simulated 10,000 x 20,000 matrix written by `gexbert simulate`, then ingested by the CLI end to end,
//     with the ingest process's peak resident memory.
//  3. Reading one sample's full profile (p50 / p99 over 200 reads).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { migrate } from '../../services/core/src/db/migrate.ts';
import { ensureDatabase, startEmbedded } from '../../services/core/src/db/postgres.ts';
import { readProfile } from '../../services/core/src/expression/store.ts';
import { parseCountsMatrix } from '../../services/core/src/formats/index.ts';
import type { ParsedMatrix } from '../../services/core/src/formats/types.ts';
import { ingestCounts } from '../../services/core/src/ingest/index.ts';
import { freePort } from '../../services/core/test-support/database.ts';
import { sharedDir } from '../../services/core/test-support/shared.ts';
import { GEXBERT } from '../support/cli.ts';

const COUNTS = path.join(sharedDir(), 'data/tcga/counts');
const BIG = {
  samples: Number(process.env.BENCH_SAMPLES ?? 10_000),
  genes: Number(process.env.BENCH_GENES ?? 20_000),
};

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function bareCopyFloor(url: string): Promise<{ seconds: number; values: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE TABLE bare_values (sample text, gene text, value real)');
  const files = fs
    .readdirSync(COUNTS)
    .filter((f) => f.endsWith('.gz'))
    .map((f) => path.join(COUNTS, f));
  const matrices: ParsedMatrix[] = [];
  for (const file of files) matrices.push(await parseCountsMatrix(file, {}));
  let values = 0;
  const start = process.hrtime.bigint();
  const sink = client.query(copyFrom('COPY bare_values FROM STDIN'));
  async function* lines() {
    for (const m of matrices) {
      for (let g = 0; g < m.genes.length; g++) {
        const gene = m.genes[g]!.ensemblId;
        const row = m.rows[g]!;
        let chunk = '';
        for (let s = 0; s < m.samples.length; s++)
          chunk += `${m.samples[s]!.sampleBarcode}\t${gene}\t${row[s]}\n`;
        values += m.samples.length;
        yield chunk;
      }
    }
  }
  await pipeline(Readable.from(lines()), sink);
  const took = seconds(start);
  await client.query('DROP TABLE bare_values');
  await client.end();
  return { seconds: took, values };
}

/** Runs `gexbert <args>` in a child process; returns its wall time and peak resident memory. */
function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const preload = path.join(import.meta.dirname, 'peakRss.mjs');
    const child = spawn(process.execPath, ['--import', preload, GEXBERT, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`gexbert ${args.join(' ')} exited ${code}`));
      const kb = Number(/PEAK_RSS_KB (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
      resolve({ seconds: seconds(start), peakRssMb: kb / 1024 });
    });
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-bench-'));
  fs.chmodSync(dir, 0o755);
  const server = await startEmbedded(path.join(dir, 'pg'), await freePort());
  try {
    await ensureDatabase(server.adminUrl, 'bench');
    const url = server.urlFor('bench');
    await migrate(url);
    const pool = new pg.Pool({ connectionString: url });

    console.log(`== 1. six real TCGA cohorts (${COUNTS})`);
    let start = process.hrtime.bigint();
    const results = await ingestCounts(pool, COUNTS);
    const ours = seconds(start);
    const values = results.reduce((n, r) => n + r.written * r.genes, 0);
    const floor = await bareCopyFloor(url);
    console.log(
      `gexbert ingest: ${ours.toFixed(2)} s, ${(values / ours / 1e6).toFixed(2)} M values/s (${values} values, parse + validate + store)`,
    );
    console.log(
      `bare COPY floor: ${floor.seconds.toFixed(2)} s, ${(floor.values / floor.seconds / 1e6).toFixed(2)} M values/s (COPY only, files already parsed)`,
    );
    console.log(`ratio ingest / floor: ${(ours / floor.seconds).toFixed(2)} (target <= 2)`);

    console.log("== 3. reading one sample's full profile");
    const { rows: ids } = await pool.query<{ id: number }>(
      'SELECT id FROM "Sample" ORDER BY random() LIMIT 200',
    );
    await readProfile(pool, ids[0]!.id, 'RAW_COUNT');
    const times: number[] = [];
    for (const { id } of ids) {
      start = process.hrtime.bigint();
      const profile = await readProfile(pool, id, 'RAW_COUNT');
      times.push(seconds(start) * 1000);
      if (profile?.values.length !== 56537) throw new Error('short profile');
    }
    times.sort((a, b) => a - b);
    console.log(
      `readProfile (56,537 genes): p50 ${times[100]!.toFixed(2)} ms, p99 ${times[197]!.toFixed(2)} ms (target < 5 ms)`,
    );
    await pool.end();

    console.log(`== 2. simulated ${BIG.samples} x ${BIG.genes}`);
    const out = path.join(dir, 'sim');
    const sim = await runChild(
      [
        'simulate',
        '--samples',
        String(BIG.samples),
        '--genes',
        String(BIG.genes),
        '--types',
        '1',
        '--out',
        out,
      ],
      {},
    );
    console.log(`simulate: ${sim.seconds.toFixed(1)} s, peak RSS ${sim.peakRssMb.toFixed(0)} MB`);
    const big = await runChild(['ingest', 'counts', out, '--allow-unknown-genes'], { DATABASE_URL: url });
    const bigValues = BIG.samples * BIG.genes;
    console.log(
      `ingest end to end: ${big.seconds.toFixed(1)} s, ${(bigValues / big.seconds / 1e6).toFixed(2)} M values/s, peak RSS ${big.peakRssMb.toFixed(0)} MB (targets < 300 s, < 2048 MB)`,
    );
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
