// `npm start` (gexbert start) on an empty data folder, with no ../shared: it reaches a ready state with the
// demo cohort, and Ctrl-C stops everything, PostgreSQL included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort, query } from '../services/core/test-support/database.ts';
import { runCli, startCli } from './support/cli.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('starts on an empty data folder with the demo cohort and stops cleanly on Ctrl-C', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-start-'));
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  const child = startCli(['start'], {
    DATABASE_URL: undefined,
    GEXBERT_DATA_DIR: dataDir,
    GEXBERT_PG_PORT: String(port),
    GEXBERT_SHARED_DIR: path.join(dataDir, 'no-shared-here'),
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('ready')) resolve();
    });
    child.on('exit', () => reject(new Error(`gexbert start exited early:\n${stdout}\n${stderr}`)));
  });
  expect(stdout).toMatch(
    new RegExp(`PostgreSQL\\s+postgresql://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/gexbert`),
  );

  const url = `postgresql://postgres:gexbert@127.0.0.1:${port}/gexbert`;
  const cohorts = await query<{ name: string; n: string }>(
    url,
    `SELECT c.name, count(cs."sampleId") AS n FROM "Cohort" c JOIN "CohortSample" cs ON cs."cohortId" = c.id GROUP BY 1`,
  );
  expect(cohorts).toHaveLength(1);
  expect(Number(cohorts[0]!.n)).toBeGreaterThanOrEqual(100);
  const [survival] = await query<{ n: string }>(
    url,
    `SELECT count(*) AS n FROM "Patient" WHERE "osDays" IS NOT NULL`,
  );
  expect(Number(survival!.n)).toBeGreaterThan(50);
  const [profiles] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "ExpressionProfile"`);
  expect(Number(profiles!.n)).toBe(Number(cohorts[0]!.n));

  // The GraphQL API: closed without a token; a token made by the CLI (sharing the running cluster) opens it.
  const apiUrl = /GraphQL API (\S+)/.exec(stdout)![1]!;
  const ask = (token?: string) =>
    fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: '{ cohorts { totalCount edges { node { name sampleCount } } } }' }),
    });
  expect((await ask()).status).toBe(401);
  const env = { DATABASE_URL: undefined, GEXBERT_DATA_DIR: dataDir, GEXBERT_PG_PORT: String(port) };
  const created = await runCli(['token', 'create', '--name', 'test', '--role', 'reader', '--json'], env);
  expect(created.code, created.stderr).toBe(0);
  const answer = (await (await ask(JSON.parse(created.stdout).token)).json()) as {
    data: { cohorts: { edges: { node: unknown }[] } };
  };
  expect(answer.data.cohorts.edges[0]?.node).toEqual({
    name: cohorts[0]!.name,
    sampleCount: Number(cohorts[0]!.n),
  });

  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  const postgresPid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  expect(isAlive(postgresPid)).toBe(true);
  child.kill('SIGINT');
  expect(await exited, `${stdout}\n${stderr}`).toBe(0);
  expect(fs.existsSync(pidFile)).toBe(false);
  expect(isAlive(postgresPid)).toBe(false);
  fs.rmSync(dataDir, { recursive: true, force: true });
});
