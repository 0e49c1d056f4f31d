// A cohort's imputation quality as the API reports it (held-out genes restored from the 64-gene panel),
// arranged for the dashboard: a histogram of the per-gene Pearson correlations.
import type { Bar } from '../components/plots/BarChart.tsx';
import { CohortImputationDocument, type CohortImputationQuery } from '../generated/graphql.ts';
import { apiRequest } from './api.ts';

export type ImputationQuality = NonNullable<CohortImputationQuery['cohort']>['imputationQuality'];

export async function loadImputationQuality(
  cohortId: string,
  model?: string,
): Promise<ImputationQuality | null> {
  const { cohort } = await apiRequest(CohortImputationDocument, { id: cohortId, model: model ?? null });
  return cohort?.imputationQuality ?? null;
}

/** Histogram bars of per-gene Pearson r in bins of 0.1, from the lowest bin with a gene up to 1 (highest first). */
export function pearsonHistogram(values: readonly (number | null)[]): Bar[] {
  const defined = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (defined.length === 0) return [];
  const bin = (v: number) => Math.min(9, Math.floor(v * 10 + 1e-9)); // r = 1 goes to the top bin
  const low = Math.min(...defined.map(bin));
  const bars: Bar[] = [];
  for (let b = 9; b >= low; b--) {
    const count = defined.filter((v) => bin(v) === b).length;
    bars.push({
      label: `${(b / 10).toFixed(1)} to ${((b + 1) / 10).toFixed(1)}`,
      segments: [{ key: 'genes', value: count }],
    });
  }
  return bars;
}
