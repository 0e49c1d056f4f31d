// The model registry and the serving runtime on a real PostgreSQL with two real TCGA cohorts.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  parseModelHeads,
  predictCancerType,
  readModelHeads,
  toStored,
  withoutPanels,
} from '@gexbert/model/heads';
import { embed, loadCheckpoint, ready } from '@gexbert/model/inference';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.ts';
import { embedSamples, loadModelRuntime, type ModelRuntime } from '../../src/inference/modelRuntime.ts';
import { ingestClinical, ingestCounts } from '../../src/ingest/index.ts';
import { defaultCheckpointCache } from '../../src/registry/checkpointStore.ts';
import {
  activeModelVersion,
  ensureActiveModel,
  promoteModelVersion,
  RegistryError,
  registerModelVersion,
  rollbackModelVersion,
  SHIPPED_CHECKPOINT,
  TCGA_33_CHECKPOINT,
  TCGA_33_MODEL_NAME,
} from '../../src/registry/modelVersion.ts';
import { corpusFromFiles } from '../../src/training/corpus.ts';
import { createTestDatabase } from '../../test-support/database.ts';
import { sharedDir } from '../../test-support/shared.ts';

const COUNTS = path.join(sharedDir(), 'data/tcga/counts');
const FILES = ['TCGA_CHOL_Counts.exp.gz', 'TCGA_UCS_Counts.exp.gz'].map((f) => path.join(COUNTS, f));
const OS_TABLE = path.join(sharedDir(), 'data/tcga/clinical/tcga_pancan_os.tsv.gz');

describe('model registry', () => {
  let pool: pg.Pool;
  let prisma: PrismaClient;
  let runtime: ModelRuntime | undefined;

  beforeAll(async () => {
    const url = await createTestDatabase('registry');
    pool = new pg.Pool({ connectionString: url });
    prisma = createPrisma(url);
    for (const file of FILES) await ingestCounts(pool, file);
    await ingestClinical(pool, OS_TABLE);
  }, 120_000);
  afterAll(async () => {
    await runtime?.close();
    await prisma.$disconnect();
    await pool.end();
  });

  const activeCount = () => prisma.modelVersion.count({ where: { status: 'ACTIVE' } });

  it('activates the shipped model on first use with the heads it carries, not heads fitted on the stored samples', async () => {
    expect(await activeModelVersion(prisma)).toBeNull();
    const [first, second] = await Promise.all([
      ensureActiveModel({ pool, prisma }),
      ensureActiveModel({ pool, prisma }),
    ]);
    expect(first.id).toBe(second.id);
    expect(first.status).toBe('ACTIVE');
    expect(first.checkpointPath).toBe(SHIPPED_CHECKPOINT);
    expect(first.trainingSampleCount).toBe(29 + 45);
    expect(await activeCount()).toBe(1);
    // the database holds CHOL and UCS only; the heads are the checkpoint's, fitted on its six real types
    const heads = parseModelHeads(first.heads);
    const shipped = readModelHeads(SHIPPED_CHECKPOINT)!;
    expect(heads.id).toBe(shipped.id);
    expect(heads.simulated).toBe(false);
    expect(heads.full.cancerType?.classes).toEqual(['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM']);
    expect(heads.full.risk).toBeDefined();
  }, 120_000);

  it('embeds stored samples exactly as the model library embeds the same counts read from the file', async () => {
    const version = (await activeModelVersion(prisma))!;
    runtime = await loadModelRuntime({ pool, cacheDir: defaultCheckpointCache() }, version);
    const corpus = await corpusFromFiles(FILES[1]!);
    const picks = [0, 7, 44];
    const { rows } = await pool.query<{ id: number; barcode: string }>(
      `SELECT id, barcode FROM "Sample" WHERE barcode = ANY($1::text[])`,
      [picks.map((i) => corpus.samples[i]!.slice(0, 15))],
    );
    const ids = picks.map((i) => rows.find((r) => r.barcode === corpus.samples[i]!.slice(0, 15))!.id);
    const served = await embedSamples(runtime, pool, ids);
    await ready();
    const { model, stats } = loadCheckpoint(SHIPPED_CHECKPOINT);
    const G = corpus.genes.length;
    const direct = await embed(
      model,
      stats,
      picks.map((i) => ({
        genes: corpus.genes,
        values: corpus.values.slice(i * G, (i + 1) * G),
        unit: 'counts',
      })),
    );
    model.dispose();
    picks.forEach((_, j) => {
      const a = served.embeddings[j]!;
      const b = direct.embeddings[j]!;
      expect(served.inputGenes[j]).toBe(direct.reports[j]!.inputGenes);
      let maxDiff = 0;
      for (let c = 0; c < a.length; c++) maxDiff = Math.max(maxDiff, Math.abs(a[c]! - b[c]!));
      expect(maxDiff).toBeLessThan(1e-4);
    });
    // The fitted cancer-type head recognises these UCS samples.
    const head = runtime.heads!.full.cancerType!;
    for (const e of served.embeddings) expect(predictCancerType(head, e!)[0]!.cancerType).toBe('UCS');
  }, 120_000);

  it('replaces heads fitted before heads travelled with the model by the checkpoint’s, and still embeds with unusable heads', async () => {
    const shipped = (await activeModelVersion(prisma))!;
    // a database from before: the active version's heads were fitted on what the database held
    const old = { cancerType: { kind: 'cancer-type', classes: ['SIM1', 'SIM4'] } };
    await prisma.modelVersion.update({ where: { id: shipped.id }, data: { heads: old } });
    const stale = (await activeModelVersion(prisma))!;
    const legacy = await loadModelRuntime({ pool, cacheDir: defaultCheckpointCache() }, stale);
    try {
      expect(legacy.heads).toBeNull();
      const [id] = (await pool.query<{ id: number }>('SELECT id FROM "Sample" ORDER BY id LIMIT 1')).rows;
      const out = await embedSamples(legacy, pool, [id!.id]);
      expect(out.inputGenes[0]).toBeGreaterThan(900);
    } finally {
      await legacy.close();
    }
    const upgraded = await ensureActiveModel({ pool, prisma });
    expect(upgraded.id).toBe(shipped.id);
    expect(parseModelHeads(upgraded.heads).id).toBe(readModelHeads(SHIPPED_CHECKPOINT)!.id);
  }, 120_000);

  it('promotes a candidate, retires the old model, and rolls back; exactly one model is active throughout', async () => {
    const shipped = (await activeModelVersion(prisma))!;
    const candidate = await registerModelVersion(prisma, {
      name: 'candidate-1',
      checkpointPath: SHIPPED_CHECKPOINT,
      status: 'CANDIDATE',
      parentId: shipped.id,
      config: shipped.config as object,
      sampleIds: [1, 2, 3],
    });
    expect(candidate.trainingSampleCount).toBe(3);
    expect(await prisma.modelTrainingSample.count({ where: { modelVersionId: candidate.id } })).toBe(3);
    const promoted = await promoteModelVersion(prisma, candidate.id, { decision: 'promote' });
    expect(promoted.status).toBe('ACTIVE');
    expect(promoted.gate).toEqual({ decision: 'promote' });
    expect((await prisma.modelVersion.findUnique({ where: { id: shipped.id } }))!.status).toBe('RETIRED');
    expect(await activeCount()).toBe(1);
    const back = await rollbackModelVersion(prisma);
    expect(back.id).toBe(shipped.id);
    expect((await prisma.modelVersion.findUnique({ where: { id: candidate.id } }))!.status).toBe('RETIRED');
    expect(await activeCount()).toBe(1);
  });

  it('never activates a model that is training or failed, and races resolve to one active model', async () => {
    const base = { checkpointPath: SHIPPED_CHECKPOINT, config: {} };
    const training = await registerModelVersion(prisma, { ...base, name: 'training-1', status: 'TRAINING' });
    await expect(promoteModelVersion(prisma, training.id)).rejects.toThrow(/TRAINING; only a CANDIDATE/);
    await expect(registerModelVersion(prisma, { ...base, name: 'x', status: 'ACTIVE' })).rejects.toThrow(
      RegistryError,
    );
    const a = await registerModelVersion(prisma, { ...base, name: 'race-a', status: 'CANDIDATE' });
    const b = await registerModelVersion(prisma, { ...base, name: 'race-b', status: 'CANDIDATE' });
    await Promise.all([promoteModelVersion(prisma, a.id), promoteModelVersion(prisma, b.id)]);
    expect(await activeCount()).toBe(1);
    const active = (await activeModelVersion(prisma))!;
    expect([a.id, b.id]).toContain(active.id);
  });

  it('registers a companion on a database that predates it, once, and a retrained one beside the version it registered', async () => {
    // A companion checkpoint: the shipped one's files with other weights (one byte changed).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-companion-'));
    fs.cpSync(SHIPPED_CHECKPOINT, dir, { recursive: true });
    const weights = path.join(dir, 'weights.bin');
    const retrain = (byte: number) => {
      const bytes = fs.readFileSync(weights);
      bytes[byte] = bytes[byte]! ^ 0xff;
      fs.writeFileSync(weights, bytes);
      return createHash('sha256').update(bytes).digest('hex');
    };
    const storedWeights = async (id: number) =>
      (
        await prisma.modelFile.findUniqueOrThrow({
          where: { modelVersionId_name: { modelVersionId: id, name: 'weights.bin' } },
        })
      ).sha256;
    const companions = [{ checkpointPath: dir, name: 'companion-1' }];
    const active = (await activeModelVersion(prisma))!; // this database has had an active model all along
    const first = retrain(100);
    const lines: string[] = [];
    await ensureActiveModel({ pool, prisma }, { companions, log: (line) => lines.push(line) });
    const registered = await prisma.modelVersion.findUniqueOrThrow({ where: { name: 'companion-1' } });
    expect(registered.status).toBe('CANDIDATE');
    expect(await storedWeights(registered.id)).toBe(first);
    expect(parseModelHeads(registered.heads).id).toBe(readModelHeads(dir)!.id);
    // Started again with the same folder: nothing new.
    const versions = await prisma.modelVersion.count();
    await ensureActiveModel({ pool, prisma }, { companions });
    expect(await prisma.modelVersion.count()).toBe(versions);
    // The companion was retrained under the same folder: another candidate; the registered one keeps its files.
    const second = retrain(200);
    await ensureActiveModel({ pool, prisma }, { companions, log: (line) => lines.push(line) });
    const retrained = await prisma.modelVersion.findUniqueOrThrow({
      where: { name: `companion-1-${second.slice(0, 8)}` },
    });
    expect(retrained.status).toBe('CANDIDATE');
    expect(await storedWeights(retrained.id)).toBe(second);
    expect(await storedWeights(registered.id)).toBe(first);
    expect(lines.join('\n')).toMatch(/not the one this database registered as version \d+ "companion-1"/);
    expect(await prisma.modelVersion.count()).toBe(versions + 1);
    expect((await activeModelVersion(prisma))!.id).toBe(active.id);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('gives a registered companion the panel head sets its heads.json gained, and leaves heads refitted since', async () => {
    const file = readModelHeads(TCGA_33_CHECKPOINT)!;
    expect(file.panels?.map((p) => [p.name, p.genes.length])).toEqual([['rsem', 100]]);
    const { id } = await prisma.modelVersion.findUniqueOrThrow({ where: { name: TCGA_33_MODEL_NAME } });
    const storeAs = (heads: object) =>
      pool.query('UPDATE "ModelVersion" SET heads = $2::jsonb WHERE id = $1', [id, JSON.stringify(heads)]);
    const storedId = async () =>
      parseModelHeads((await prisma.modelVersion.findUniqueOrThrow({ where: { id } })).heads).id;
    // Registered before heads.json stored panels: the same heads without them.
    // (its id is the one its fit computed: the shipped 6,000-step heads were e641e9c8e860 before panels, while
    // the hash of the same content recomputed now differs, so ids are not compared)
    const before = withoutPanels(file);
    expect(before.id).not.toBe(file.id);
    await storeAs({ ...toStored(before), id: 'e641e9c8e860' });
    const lines: string[] = [];
    await ensureActiveModel({ pool, prisma }, { log: (line) => lines.push(line) });
    expect(await storedId()).toBe(file.id);
    expect(lines.join('\n')).toMatch(/add the stored panel head sets rsem \(100 genes\)/);
    // Heads that differ in anything else (refitted on the database since) stay.
    const refitted = { ...toStored(before), metrics: { ...before.metrics, 'whole.accuracy': 0.5 } };
    await storeAs(refitted);
    await ensureActiveModel({ pool, prisma });
    expect(await storedId()).toBe(before.id);
    await storeAs(toStored(file));
  }, 120_000);
});
