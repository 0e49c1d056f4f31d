// Provenance of simulated data: `gexbert simulate` writes a `SIMULATED` marker file beside its data files
// (model/src/simulate/write.ts). Every file ingested from a folder holding that marker is simulated: its
// import and its new samples are stored with simulated = true, and a cohort holding any simulated sample is
// simulated. Simulated samples never reach training, validation, model gates or reference sets unless a run
// asks for them explicitly (includeSimulated).
import fs from 'node:fs';
import path from 'node:path';
import { SIMULATED_MARKER } from '@gexbert/model/simulate';
import type pg from 'pg';

/** True when `target` (a file, or a directory) or any of `files` sits in a folder holding the SIMULATED marker. */
export function isSimulatedSource(target: string, files: readonly string[] = [target]): boolean {
  const folders = new Set<string>();
  for (const file of [target, ...files]) {
    const isDir = fs.existsSync(file) && fs.statSync(file).isDirectory();
    folders.add(path.resolve(isDir ? file : path.dirname(file)));
  }
  return [...folders].some((folder) => fs.existsSync(path.join(folder, SIMULATED_MARKER.fileName)));
}

/** Sets the cohort's simulated flag from its samples: simulated when any of them is. */
export async function refreshCohortSimulated(client: pg.ClientBase, cohortId: number): Promise<void> {
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  await client.query(
    `UPDATE "Cohort" c SET simulated = EXISTS (
       SELECT 1 FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId"
       WHERE cs."cohortId" = c.id AND s.simulated)
     WHERE c.id = $1`,
    [cohortId],
  );
}
