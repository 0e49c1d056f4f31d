// Shared set-up of the worker tests: a fresh database with real TCGA cohorts (and their survival), the
// shipped model active, and a platform configuration with a private models folder and short timings.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../services/core/src/config.ts';
import { ingestClinical, ingestCounts } from '../../services/core/src/ingest/index.ts';
import { openPlatform, type Platform } from '../../services/core/src/platform.ts';
import { ensureActiveModel } from '../../services/core/src/registry/modelVersion.ts';
import { createTestDatabase, query } from '../../services/core/test-support/database.ts';
import { sharedDir } from '../../services/core/test-support/shared.ts';

export const COUNTS = path.join(sharedDir(), 'data/tcga/counts');
export const OS_TABLE = path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz');

/** A tiny recipe: a few seconds of training on two cores. */
export const TINY = {
  width: 16,
  heads: 2,
  encoderLayers: 1,
  decoderLayers: 1,
  ffnWidth: 32,
  inputGenes: 64,
  queryGenes: 32,
  batchSize: 16,
  warmupSteps: 5,
  vocabularySize: 200,
  seed: 7,
};

export interface WorkerTestPlatform {
  url: string;
  modelsDir: string;
  config: Config;
  platform: Platform;
  env: NodeJS.ProcessEnv;
}

/** The environment of a worker test (also passed to worker child processes). */
export function workerEnv(url: string, modelsDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: url,
    GEXBERT_MODELS_DIR: modelsDir,
    GEXBERT_RETRAIN_THRESHOLD: '0',
    GEXBERT_WORKER_POLL_SECONDS: '0.2',
    GEXBERT_WORKER_HEARTBEAT_SECONDS: '0.5',
    GEXBERT_WORKER_STALE_SECONDS: '30',
    GEXBERT_PRECOMPUTE_CHECK_SECONDS: '0', // no precompute of every sample beside the training under test
    GEXBERT_WORKER_NICE: '0', // workers keep pace with the test files beside them (sigint.test checks the niceness)
    // rankings are geneImportance.test's and cohortMapJob.test's subject (they turn them on); elsewhere they
    // would only take the CPU from what is under test
    GEXBERT_GENE_IMPORTANCE: 'off',
    ...extra,
  };
}

export async function workerPlatform(
  prefix: string,
  cohorts: string[],
  options: { clinical?: boolean; activate?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<WorkerTestPlatform> {
  const url = await createTestDatabase(prefix);
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), `gexbert-${prefix}-models-`));
  const env = workerEnv(url, modelsDir, options.env);
  const config = loadConfig({ ...process.env, ...env });
  const platform = await openPlatform(config);
  for (const type of cohorts) await ingestCohort(platform, type);
  if (options.clinical) await ingestClinical(platform.pool, OS_TABLE);
  if (options.activate !== false) await ensureActiveModel(platform);
  return { url, modelsDir, config, platform, env };
}

export async function ingestCohort(platform: Platform, type: string): Promise<void> {
  await ingestCounts(platform.pool, path.join(COUNTS, `TCGA_${type}_Counts.exp.gz`), { cohort: type });
}

/** The validation rule, computed here independently of the SQL the platform uses. */
export function inValidationSet(barcode: string): boolean {
  return createHash('sha256').update(barcode).digest()[0]! < 51;
}

/** Sample ids and barcodes with raw counts, split by the validation rule. */
export async function splitSamples(url: string): Promise<{ training: number[]; validation: number[] }> {
  const rows = await query<{ id: number; barcode: string }>(
    url,
    `SELECT DISTINCT s.id, s.barcode FROM "Sample" s JOIN "ExpressionProfile" p ON p."sampleId" = s.id
     WHERE p.unit = 'RAW_COUNT' ORDER BY s.id`,
  );
  return {
    training: rows.filter((r) => !inValidationSet(r.barcode)).map((r) => r.id),
    validation: rows.filter((r) => inValidationSet(r.barcode)).map((r) => r.id),
  };
}

/** Polls until `check` returns a value (or the time runs out). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  seconds = 120,
): Promise<T> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** ModelVersion rows that are ACTIVE (status) and marked active (flag). */
export async function activeModels(url: string): Promise<{ id: number; name: string; status: string }[]> {
  return query(
    url,
    `SELECT id, name, status FROM "ModelVersion" WHERE active OR status = 'ACTIVE' ORDER BY id`,
  );
}

/** A GraphQL request as `token`'s owner: the response data (the errors thrown as one message). */
export async function graphqlAs<T = Record<string, unknown>>(
  url: string,
  token: string,
  text: string,
  variables: object = {},
): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: text, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

/** The active model version's id and the id of its heads (what its stored answers are keyed by). */
export async function activeVersionHeads(url: string): Promise<{ id: number; headsId: string }> {
  const [active] = await query<{ id: number; headsId: string }>(
    url,
    `SELECT id, heads->>'id' AS "headsId" FROM "ModelVersion" WHERE active`,
  );
  if (!active) throw new Error('no model version is active');
  return active;
}
