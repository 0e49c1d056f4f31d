// Figures derived from a cohort's composition and survival summary, as the API returns them.

export interface CompositionRow {
  cancerType: string | null;
  sampleType: string;
  count: number;
}

export const UNKNOWN_TYPE = 'unknown';

/** Samples per cancer type, largest first (ties by name). */
export function samplesByCancerType(
  rows: readonly CompositionRow[],
): { cancerType: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = row.cancerType ?? UNKNOWN_TYPE;
    counts.set(key, (counts.get(key) ?? 0) + row.count);
  }
  return [...counts]
    .map(([cancerType, count]) => ({ cancerType, count }))
    .sort((a, b) => b.count - a.count || a.cancerType.localeCompare(b.cancerType));
}

/** Samples per sample type (TUMOR, NORMAL, …). */
export function samplesBySampleType(rows: readonly CompositionRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.sampleType, (counts.get(row.sampleType) ?? 0) + row.count);
  return counts;
}

/** Patients with usable survival, and all patients of the cohort (with survival or missing). */
export function survivalCoverage(survival: { missing: number; groups: { patients: number }[] }): {
  withSurvival: number;
  patients: number;
} {
  const withSurvival = survival.groups.reduce((sum, g) => sum + g.patients, 0);
  return { withSurvival, patients: withSurvival + survival.missing };
}
