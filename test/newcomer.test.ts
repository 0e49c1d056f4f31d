// The newcomer's path, end to end, as the README gives it: a fresh data folder, `gexbert start` with its
// simulated demo, the six real TCGA cohorts and their survival ingested with the CLI, then the API. The real
// samples must be named with real TCGA types by the heads the shipped model carries (never a simulated type,
// whatever the database held first), and `gexbert predict` on the same files must answer as the API does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../services/core/test-support/database.ts';
import { sharedDir } from '../services/core/test-support/shared.ts';
import { runCli, startCli } from './support/cli.ts';

const COUNTS = path.join(sharedDir(), 'data', 'tcga', 'counts');
const OS_TABLE = path.join(sharedDir(), 'data', 'tcga', 'clinical', 'tcga_pancan_os.tsv.gz');
const TYPES = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];

// biome-ignore lint/suspicious/noExplicitAny: tests assert on response values, not on static types
type Data = Record<string, any>;
let dataDir: string;
let child: ReturnType<typeof startCli>;
let exited: Promise<number | null>;
let env: NodeJS.ProcessEnv;
let apiUrl: string;
let token: string;

async function gql(query: string, variables: Data = {}): Promise<Data> {
  const res = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Data; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-newcomer-'));
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  env = {
    DATABASE_URL: undefined,
    GEXBERT_DATA_DIR: dataDir,
    GEXBERT_PG_PORT: String(port),
    // ports of its own, so it can run beside test/start.test.ts (the portal's pages are tested elsewhere)
    GEXBERT_API_PORT: String(await freePort()),
    GEXBERT_PORTAL: 'off',
  };
  // no worker: a threshold retraining would take the machine for the rest of the test
  child = startCli(['start', '--no-worker'], env);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('ready')) resolve();
    });
    child.on('exit', () => reject(new Error(`gexbert start exited early:\n${stdout}\n${stderr}`)));
  });
  apiUrl = /GraphQL API (\S+)/.exec(stdout)![1]!;
  for (const args of [
    ['ingest', 'counts', COUNTS, '--cohort', 'TCGA six'],
    ['ingest', 'clinical', OS_TABLE],
  ]) {
    const r = await runCli(args, env);
    expect(r.code, r.stderr).toBe(0);
  }
  const created = await runCli(['token', 'create', '--name', 'newcomer', '--role', 'reader', '--json'], env);
  expect(created.code, created.stderr).toBe(0);
  token = JSON.parse(created.stdout).token;
}, 600_000);

afterAll(async () => {
  child?.kill('SIGINT');
  await exited;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function cohortPredictions(name: string): Promise<Data[]> {
  const data = await gql(
    `query($n: String!) { cohort(name: $n) { simulated samples(first: 500) { nodes { id barcode simulated
      patient { cancerType }
      cancerTypePrediction { cancerType closestType probability novelty outOfDistribution heads { id } }
      riskScore { score percentile patients events } } } } }`,
    { n: name },
  );
  return [data.cohort.simulated, data.cohort.samples.nodes] as unknown as Data[];
}

it('names the real samples with real TCGA types (accuracy >= 0.95), never a simulated one', async () => {
  const model = (await gql('{ activeModel { knownCancerTypes headsInfo { id simulated samples } } }'))
    .activeModel;
  expect(model.knownCancerTypes).toEqual(TYPES);
  expect(model.headsInfo).toMatchObject({ simulated: false, samples: 291 });
  const [simulated, samples] = (await cohortPredictions('TCGA six')) as [boolean, Data[]];
  expect(simulated).toBe(false);
  expect(samples).toHaveLength(291);
  let right = 0;
  for (const s of samples) {
    expect(s.simulated).toBe(false);
    const p = s.cancerTypePrediction;
    expect(TYPES).toContain(p.closestType);
    if (p.cancerType !== null) expect(TYPES).toContain(p.cancerType);
    expect(p.heads.id).toBe(model.headsInfo.id);
    if (p.cancerType === s.patient.cancerType) right++;
    expect(s.riskScore.patients).toBeGreaterThan(200);
    expect(s.riskScore.events).toBeGreaterThanOrEqual(50);
  }
  expect(right / samples.length).toBeGreaterThanOrEqual(0.95);
}, 300_000);

it('marks the demo cohort simulated and flags its samples as unlike every real type it knows', async () => {
  const cohorts = (await gql('{ cohorts { nodes { name simulated } } }')).cohorts.nodes as Data[];
  const demo = cohorts.find((c) => c.name !== 'TCGA six')!;
  expect(demo.simulated).toBe(true);
  const [, samples] = (await cohortPredictions(demo.name)) as [boolean, Data[]];
  expect(samples.length).toBeGreaterThanOrEqual(100);
  for (const s of samples) expect(s.simulated).toBe(true);
  const flagged = samples.filter((s) => s.cancerTypePrediction?.outOfDistribution);
  expect(flagged.length / samples.length).toBeGreaterThanOrEqual(0.9);
}, 300_000);

it('gives the same answers from the files with `gexbert predict` (no database) as the API for the stored samples', async () => {
  const out = path.join(dataDir, 'predict-uvm');
  const file = path.join(COUNTS, 'TCGA_UVM_Counts.exp.gz');
  const r = await runCli(['predict', file, '--out', out], {
    DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
  });
  expect(r.code, r.stderr).toBe(0);
  const [header, ...lines] = fs.readFileSync(path.join(out, 'predictions.tsv'), 'utf8').trimEnd().split('\n');
  expect(header).toBe(
    'sample\tpredicted_type\tprobability\tclosest_type\tnovelty\tout_of_distribution\trisk_score',
  );
  const [, samples] = (await cohortPredictions('TCGA six')) as [boolean, Data[]];
  expect(lines).toHaveLength(64);
  for (const line of lines) {
    const [sample, predicted, probability, closest, novelty, ood, risk] = line.split('\t');
    // predict names a sample as its file does (the aliquot barcode); the platform stores the sample barcode
    const api = samples.find((x) => sample!.startsWith(x.barcode))!;
    expect(api, sample).toBeDefined();
    const p = api.cancerTypePrediction;
    expect(predicted).toBe(p.cancerType ?? '');
    expect(closest).toBe(p.closestType);
    expect(ood).toBe(String(p.outOfDistribution));
    expect(Number(probability)).toBeCloseTo(p.probability, 4);
    expect(Number(novelty)).toBeCloseTo(p.novelty, 3);
    expect(Number(risk)).toBeCloseTo(api.riskScore.score, 3);
  }
}, 300_000);
