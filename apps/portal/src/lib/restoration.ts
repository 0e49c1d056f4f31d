// Comparing the model's restored expression with the measured one (both log2(CPM + 1)).
import { pearson } from '@gexbert/model/maths';
import type { MeasuredRestored } from '../components/plots/MeasuredRestoredPlot.tsx';

export interface RestoredRow {
  query: string;
  inVocabulary: boolean;
  value: number | null;
  /** The value's interval at the nominal `coverage` (null without calibrated intervals). */
  lower: number | null;
  upper: number | null;
  coverage: number | null;
  measuredValue: number | null;
  gene: { ensemblId: string; symbol: string | null } | null;
}

export const geneLabel = (r: RestoredRow) => r.gene?.symbol ?? r.gene?.ensemblId ?? r.query;

/** Genes with both a measured and a restored value. */
export function pairedValues(rows: RestoredRow[]): MeasuredRestored[] {
  return rows.flatMap((r) =>
    r.value !== null && r.measuredValue !== null
      ? [
          {
            gene: geneLabel(r),
            measured: r.measuredValue,
            restored: r.value,
            lower: r.lower,
            upper: r.upper,
          },
        ]
      : [],
  );
}

/**
 * Pearson correlation (the library's, @gexbert/model/maths: 0 when either side is constant) and mean absolute
 * difference of paired values; null with fewer than 3 pairs.
 */
export function agreement(points: MeasuredRestored[]): { r: number; mae: number } | null {
  const n = points.length;
  if (n < 3) return null;
  const r = pearson(
    points.map((p) => p.measured),
    points.map((p) => p.restored),
  );
  const mae = points.reduce((s, p) => s + Math.abs(p.measured - p.restored), 0) / n;
  return { r, mae };
}

/** The nominal coverage of the rows' intervals (e.g. 0.9), null when none has one. */
export function nominalCoverage(rows: RestoredRow[]): number | null {
  return rows.find((r) => r.coverage !== null && r.lower !== null && r.upper !== null)?.coverage ?? null;
}

/** How many paired genes have an interval, and how many of those hold the measured value. */
export function intervalHits(points: MeasuredRestored[]): { withInterval: number; inside: number } {
  const bounded = points.filter((p) => p.lower !== null && p.upper !== null);
  return {
    withInterval: bounded.length,
    inside: bounded.filter((p) => p.measured >= p.lower! && p.measured <= p.upper!).length,
  };
}
