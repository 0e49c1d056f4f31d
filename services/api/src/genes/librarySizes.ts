// Library sizes of stored raw-count profiles (CPM's denominator, as model/src/gexbert/normalise toLog2Cpm takes
// it: the sum of the whole profile's finite values), each read once per sample and database. A stored sample
// never changes, so its library size is remembered for the life of the process; a read under way is shared, so
// fields of one request (geneValues and geneSurvival) or concurrent requests read each profile once.
import { rawCountLibrarySizes } from '@gexbert/core/expression/store';
import type pg from 'pg';

/**
 * `${cacheKey}/${sampleId}` -> its library size, or undefined for a sample without raw counts (then forgotten
 * and asked again next time: it may get some).
 */
const known = new Map<string, Promise<number | undefined>>();
const BATCH = 100;

/** The library size of each sample with raw counts (samples without them are left out). */
export async function librarySizes(
  db: pg.Pool,
  sampleIds: readonly number[],
  cacheKey: string,
): Promise<Map<number, number>> {
  const key = (id: number) => `${cacheKey}/${id}`;
  const missing = sampleIds.filter((id) => !known.has(key(id)));
  for (let at = 0; at < missing.length; at += BATCH) {
    const batch = missing.slice(at, at + BATCH);
    const read = rawCountLibrarySizes(db, batch);
    for (const id of batch) {
      const size = read.then((sizes) => sizes.get(id));
      const forget = () => known.delete(key(id));
      size.then((v) => v === undefined && forget(), forget);
      known.set(key(id), size);
    }
  }
  const sizes = await Promise.all(sampleIds.map((id) => known.get(key(id))));
  const out = new Map<number, number>();
  sampleIds.forEach((id, i) => {
    if (sizes[i] !== undefined) out.set(id, sizes[i]);
  });
  return out;
}
