// A sample's attributions are computed by one process only: the progress row is a claim its holder keeps
// alive with a heartbeat for as long as it lives, also while it waits for its turn on the model far longer than
// the dead-row threshold (GEXBERT_ATTRIBUTION_STALE_SECONDS, shortened here to 2 s). Two callers on two
// connection pools (two processes' worth) ask for the same real CHOL sample's attributions by the shipped
// model: the second never computes and gets the first's stored answer. A row whose heartbeat stopped (a dead
// process) is taken over.
import path from 'node:path';
import type { Profile } from '@gexbert/model/inference';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.ts';
import { attributeProfile, type ProfileAttributions } from '../../src/inference/attribution.ts';
import { genesProgress, readAttributionProgress } from '../../src/inference/attributionProgress.ts';
import { loadModelRuntime, type ModelRuntime, sampleProfiles } from '../../src/inference/modelRuntime.ts';
import { storedSampleAttributions } from '../../src/inference/storedAttributions.ts';
import { ingestCounts } from '../../src/ingest/index.ts';
import { defaultCheckpointCache } from '../../src/registry/checkpointStore.ts';
import { ensureActiveModel, type ModelVersion } from '../../src/registry/modelVersion.ts';
import { createTestDatabase } from '../../test-support/database.ts';
import { sharedDir } from '../../test-support/shared.ts';

const STALE_SECONDS = 2;
process.env.GEXBERT_ATTRIBUTION_STALE_SECONDS = String(STALE_SECONDS); // read by attributionProgress.ts
const CHOL = path.join(sharedDir(), 'data/tcga/counts/TCGA_CHOL_Counts.exp.gz');
/** Measured genes of the panel attributed (a whole profile takes minutes on a loaded 2-core machine). */
const PANEL = 24;

describe('attribution claim', () => {
  let first: pg.Pool;
  let second: pg.Pool;
  let prisma: PrismaClient;
  let version: ModelVersion;
  let runtime: ModelRuntime;
  let samples: number[];

  beforeAll(async () => {
    const url = await createTestDatabase('claim');
    first = new pg.Pool({ connectionString: url, max: 3 });
    second = new pg.Pool({ connectionString: url, max: 3 });
    prisma = createPrisma(url);
    await ingestCounts(first, CHOL);
    version = await ensureActiveModel({ pool: first, prisma });
    runtime = await loadModelRuntime({ pool: first, cacheDir: defaultCheckpointCache() }, version);
    const { rows } = await first.query<{ id: number }>(`SELECT id FROM "Sample" ORDER BY id LIMIT 2`);
    samples = rows.map((r) => r.id);
  }, 300_000);
  afterAll(async () => {
    await runtime?.close();
    await prisma?.$disconnect();
    await first?.end();
    await second?.end();
  });

  const headsId = () => runtime.headServer!.heads.id;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The sample's first PANEL measured vocabulary genes, as the model reads them. */
  async function panelOf(sampleId: number): Promise<Profile> {
    const [profile] = await sampleProfiles(first, runtime.stats, [sampleId]);
    const keep = profile!.genes
      .flatMap((_, i) => (Number.isFinite(profile!.values[i]!) ? [i] : []))
      .slice(0, PANEL);
    return {
      ...profile!,
      genes: keep.map((i) => profile!.genes[i]!),
      values: Float32Array.from(keep.map((i) => profile!.values[i]!)),
    };
  }

  it('keeps the row alive while its holder waits longer than the dead-row threshold; the other caller waits for its answer', async () => {
    const sampleId = samples[0]!;
    const panel = await panelOf(sampleId);
    let released!: () => void;
    const queue = new Promise<void>((resolve) => {
      released = resolve;
    });
    let claimedBy: string[] = [];
    const computeAs =
      (who: string, waitFirst: Promise<void> | null) =>
      async (progress: Parameters<Parameters<typeof storedSampleAttributions>[5]>[0]) => {
        claimedBy.push(who);
        if (waitFirst) {
          progress.waiting(3); // as the API's model holder says while its pass is queued
          await waitFirst;
          progress.waiting(0);
        }
        const model = { predictor: runtime.predictor, stats: runtime.stats, server: runtime.headServer! };
        return attributeProfile(model, panel, { onProgress: genesProgress(progress) });
      };
    const key = { sampleId, modelVersionId: version.id, headsId: headsId() };
    const holder = storedSampleAttributions(
      first,
      prisma,
      version.id,
      headsId(),
      sampleId,
      computeAs('first', queue),
    );
    while (!(await readAttributionProgress(second, key))) await sleep(100);
    const other = storedSampleAttributions(
      second,
      prisma,
      version.id,
      headsId(),
      sampleId,
      computeAs('second', null),
    );
    // the holder waits three thresholds for its turn; its row stays alive and says it waits
    await sleep(3 * STALE_SECONDS * 1000);
    const waiting = await readAttributionProgress(second, key);
    expect(waiting).toMatchObject({ stage: 'WAITING', computationsAhead: 3, genesDone: 0 });
    expect(claimedBy).toEqual(['first']);
    released();
    const [a, b] = (await Promise.all([holder, other])) as [ProfileAttributions, ProfileAttributions];
    expect(claimedBy).toEqual(['first']); // the second caller never computed
    expect(a.inputGenes).toBe(PANEL);
    expect(b).toEqual(a);
    const rows = await first.query(
      `SELECT (SELECT count(*)::int FROM "SampleAttribution" WHERE "sampleId" = $1) AS stored,
              (SELECT count(*)::int FROM "SampleAttributionProgress" WHERE "sampleId" = $1) AS progress`,
      [sampleId],
    );
    expect(rows.rows[0]).toEqual({ stored: 1, progress: 0 });
    claimedBy = [];
  }, 300_000);

  it('takes over a row whose heartbeat stopped (its process died)', async () => {
    const sampleId = samples[1]!;
    const panel = await panelOf(sampleId);
    // a process claimed it and died: its row was last written an hour ago
    await first.query(
      `INSERT INTO "SampleAttributionProgress" ("sampleId", "modelVersionId", "headsId", owner, stage, "genesDone", "genesTotal", "updatedAt")
       VALUES ($1, $2, $3, 'dead process', 'RUNNING', 5, $4, now() - interval '1 hour')`,
      [sampleId, version.id, headsId(), PANEL],
    );
    expect(
      await readAttributionProgress(second, { sampleId, modelVersionId: version.id, headsId: headsId() }),
    ).toBeNull();
    let computed = 0;
    const answer = await storedSampleAttributions(
      second,
      prisma,
      version.id,
      headsId(),
      sampleId,
      async (progress) => {
        computed++;
        const model = { predictor: runtime.predictor, stats: runtime.stats, server: runtime.headServer! };
        return attributeProfile(model, panel, { onProgress: genesProgress(progress) });
      },
    );
    expect(computed).toBe(1);
    expect(answer?.inputGenes).toBe(PANEL);
    const left = await first.query(`SELECT 1 FROM "SampleAttributionProgress" WHERE "sampleId" = $1`, [
      sampleId,
    ]);
    expect(left.rows).toHaveLength(0);
  }, 300_000);
});
