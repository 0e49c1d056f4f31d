// Risk percentiles compare a sample's score with the stored risk scores of its cancer type's samples. That
// reference changes only when an import arrives (new samples, survival data, re-imports that forget stored
// answers) or the model or its heads change, so each API process keeps it in memory across requests, keyed by
// all four; the newest import is the model holder's, checked in the background every `modelCheckMs`.
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';

/** A reference set's label, and its sorted risk scores. */
export interface ReferenceRisks {
  label: string;
  scores: number[];
}

/** Most references kept (33 cancer types x a few model versions fit many times over). */
const KEPT = 256;

const kept = new Map<string, Promise<ReferenceRisks>>();

/**
 * The reference of `cancerType` under this model and heads: kept while `dataVersion` is unchanged, computed
 * once otherwise (a null data version, before the first check, is never kept).
 */
export function keptReferenceRisks(
  dataVersion: number | null,
  version: ModelVersion,
  headsId: string,
  cancerType: string | null,
  compute: () => Promise<ReferenceRisks>,
): Promise<ReferenceRisks> {
  if (dataVersion === null) return compute();
  const key = `${dataVersion}/${version.id}/${headsId}/${cancerType ?? ''}`;
  let risks = kept.get(key);
  if (!risks) {
    if (kept.size >= KEPT) kept.clear();
    risks = compute();
    risks.catch(() => kept.delete(key));
    kept.set(key, risks);
  }
  return risks;
}
