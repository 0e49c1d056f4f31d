// Stored model answers go stale when a sample's model input changes: a sample stored with normalised
// values only (RSEM, TPM, ...) that later gains raw counts is read from its counts from then on. Its stored
// embeddings (SampleEmbedding), predictions (SamplePrediction), attributions (SampleAttribution) and
// precompute claims (PrecomputeSample), for every model version, are forgotten in the import's own
// transaction, so the next precompute plans it again and the API computes it anew. Values never change
// otherwise (a re-import with other values is refused).
// API processes also keep embeddings in memory: they drop them when a new import appears (newestImport).
import type pg from 'pg';
import type { PrismaClient } from '../db/prisma.ts';

/** Forgets every stored model answer of these samples; returns the rows deleted. */
export async function forgetStoredAnswers(
  client: pg.ClientBase,
  sampleIds: readonly number[],
): Promise<number> {
  if (sampleIds.length === 0) return 0;
  const ids = [...sampleIds];
  let deleted = 0;
  // raw SQL: runs in the import's pg transaction (beside its COPY), over any number of samples
  for (const table of ['SampleEmbedding', 'SamplePrediction', 'SampleAttribution', 'PrecomputeSample'])
    deleted +=
      (await client.query(`DELETE FROM "${table}" WHERE "sampleId" = ANY($1::int[])`, [ids])).rowCount ?? 0;
  return deleted;
}

/** The newest import's id (0 when none): stored answers change only when it does. */
export async function newestImport(prisma: PrismaClient): Promise<number> {
  const { _max } = await prisma.import.aggregate({ _max: { id: true } });
  return _max.id ?? 0;
}
