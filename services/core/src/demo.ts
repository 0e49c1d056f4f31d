// Simulated cohorts on real gene IDs: `gexbert simulate`, and the demo cohort `npm start` seeds into an
// empty database (so a fresh clone works without ../shared). Both folders carry the simulator's SIMULATED
// marker (model/src/simulate/write.ts), so ingest stores the demo as simulated and it never reaches training
// unless a retraining asks for simulated samples (--include-simulated).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulateToDirectory, type WrittenCohort } from '@gexbert/model/simulate';
import type pg from 'pg';
import type { PrismaClient } from './db/prisma.ts';
import { geneReference } from './gene/reference.ts';
import { ingestClinical, ingestCounts } from './ingest/index.ts';

export const DEMO_COHORT = 'Demo (simulated)';
const DEMO = { samples: 240, genes: 2000, types: 4, seed: 7 };

export interface SimulateOptions {
  samples: number;
  genes: number;
  types: number;
  seed: number;
}

/**
 * The first `count` genes of GENCODE v36, protein-coding first (in Ensembl ID order), so simulated files
 * ingest like real ones; past the reference's size, synthetic IDs follow.
 */
export function simulatedGeneIds(count: number): string[] {
  const genes = [...geneReference().all()];
  const coding = genes.filter((g) => g.geneType === 'protein_coding');
  const rest = genes.filter((g) => g.geneType !== 'protein_coding');
  const ids = [...coding, ...rest].slice(0, count).map((g) => g.ensemblId);
  for (let i = ids.length; i < count; i++) ids.push(`GXSIMG${String(i + 1).padStart(8, '0')}`);
  return ids;
}

export async function writeSimulatedCohort(
  options: SimulateOptions,
  out: string,
  onProgress?: (done: number, total: number) => void,
): Promise<WrittenCohort> {
  const geneIds = simulatedGeneIds(options.genes);
  const symbols = new Map([...geneReference().all()].map((g) => [g.ensemblId, g.symbol ?? g.ensemblId]));
  const { written } = await simulateToDirectory(
    { ...options, geneIds, geneSymbols: geneIds.map((id) => symbols.get(id) ?? id) },
    out,
    { onProgress },
  );
  return written;
}

/** Seeds the demo cohort when the database holds no samples; returns what it seeded, or null. */
export async function seedDemoIfEmpty(
  { pool, prisma }: { pool: pg.Pool; prisma: PrismaClient },
  onProgress?: (done: number, total: number) => void,
): Promise<{ cohort: string; samples: number } | null> {
  if (await prisma.sample.findFirst({ select: { id: true } })) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-demo-'));
  try {
    const written = await writeSimulatedCohort(DEMO, dir);
    const results = await ingestCounts(pool, dir, { cohort: DEMO_COHORT, onProgress });
    const samples = results.reduce((n, r) => n + r.written, 0);
    await ingestClinical(pool, written.clinical);
    return { cohort: DEMO_COHORT, samples };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
