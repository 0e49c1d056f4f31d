// One gene's values over a set of samples in a stored unit, read column-wise from the expression store's
// gene slices (services/core readGene): as stored, or (transform LOG2_CPM) from the raw counts and each
// sample's library size, by model/src/gexbert/normalise log2CpmValue (the one definition of log2(CPM + 1)).
import { readGene } from '@gexbert/core/expression/store';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import { log2CpmValue } from '@gexbert/model/inference';
import type pg from 'pg';
import { badInput } from '../errors.ts';
import type { ValueTransform } from '../generated/graphql.ts';
import { librarySizes } from './librarySizes.ts';

export interface ValueColumn {
  /** The samples (of those asked for, in their order) with a stored value in the unit. */
  sampleIds: number[];
  /** Their values; null where the profile lacks the gene. */
  values: (number | null)[];
}

/** The unit and transform asked for, checked: LOG2_CPM takes raw counts. */
export function checkTransform(unit: ExpressionUnit, transform: ValueTransform): void {
  if (transform === 'LOG2_CPM' && unit !== 'RAW_COUNT')
    throw badInput(`transform LOG2_CPM takes raw counts (unit RAW_COUNT), not ${unit}; use transform NONE`);
}

/** The gene's values over `members` in `unit` after `transform` (see the file comment). */
export async function readGeneColumn(
  db: pg.Pool,
  geneId: number,
  scale: { unit: ExpressionUnit; transform: ValueTransform },
  members: readonly number[],
  cacheKey: string,
): Promise<ValueColumn> {
  const stored = await readGene(db, geneId, scale.unit);
  const at = new Map(stored.sampleIds.map((id, k) => [id, k]));
  const sampleIds = members.filter((id) => at.has(id));
  const value = (id: number) => {
    const v = stored.values[at.get(id)!]!;
    return Number.isNaN(v) ? null : v;
  };
  if (scale.transform === 'NONE') return { sampleIds, values: sampleIds.map(value) };
  const library = await librarySizes(db, sampleIds, cacheKey);
  const log2cpm = log2CpmOf(
    sampleIds.map((id) => value(id) ?? Number.NaN),
    sampleIds.map((id) => library.get(id)!),
  );
  return { sampleIds, values: Array.from(log2cpm, (v) => (Number.isNaN(v) ? null : v)) };
}

/**
 * log2(CPM + 1) of raw counts (NaN = missing, kept) with each sample's library size (0: CPM 0), by
 * model/src/gexbert/normalise log2CpmValue, the function serving's toLog2Cpm applies to each count: the same
 * doubles rounded once to float32, so the values equal the model's input bit for bit.
 */
export function log2CpmOf(counts: ArrayLike<number>, sizes: ArrayLike<number>): Float32Array {
  return Float32Array.from({ length: counts.length }, (_, k) => log2CpmValue(counts[k]!, sizes[k]!));
}
