// Clinical attributes arranged for the portal: an attribute's bars (histogram bins of a numeric one, the most
// frequent categories of another), hints for choosing one, and a patient's overall survival in words.
import type { Bar } from '../components/plots/BarChart.tsx';
import type { ClinicalAttributeSummaryFragment } from '../generated/graphql.ts';
import { formatDays } from './format.ts';

/** Categories drawn per attribute; the rest are one "other" bar. */
export const CATEGORIES_DRAWN = 12;

function formatNumber(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v)
    ? Math.round(v).toLocaleString('en-US')
    : v.toPrecision(3);
}

/** One bar per histogram bin (numeric) or per category, most frequent first, then "other". */
export function attributeBars(attribute: ClinicalAttributeSummaryFragment): Bar[] {
  if (attribute.type === 'NUMERIC')
    return attribute.histogram.map((bin) => ({
      label: `${formatNumber(bin.low)} – ${formatNumber(bin.high)}`,
      segments: [{ key: 'patients', value: bin.patients }],
    }));
  const shown = attribute.categories.slice(0, CATEGORIES_DRAWN);
  const rest = attribute.patients - shown.reduce((n, c) => n + c.patients, 0);
  const bars = shown.map((c) => ({ label: c.value, segments: [{ key: 'patients', value: c.patients }] }));
  if (rest > 0)
    bars.push({
      label: `other (${attribute.distinct - shown.length})`,
      segments: [{ key: 'patients', value: rest }],
    });
  return bars;
}

/** A line under an attribute's plot: its type, coverage and range. */
export function attributeCaption(attribute: ClinicalAttributeSummaryFragment, patients: number): string {
  const coverage = `${attribute.patients.toLocaleString('en-US')} of ${patients.toLocaleString('en-US')} patients`;
  if (attribute.type === 'NUMERIC' && attribute.min !== null && attribute.max !== null)
    return `Numeric; ${coverage}; ${formatNumber(attribute.min)} to ${formatNumber(attribute.max)}, mean ${formatNumber(attribute.mean ?? 0)}.`;
  return `${attribute.type === 'DATE' ? 'Date' : 'Categorical'}; ${coverage}; ${attribute.distinct} distinct values.`;
}

/** A short hint for choosing an attribute: "numeric 0 to 90" or "categorical: Alive, Dead". */
export function attributeHint(attribute: ClinicalAttributeSummaryFragment): string {
  if (attribute.type === 'NUMERIC' && attribute.min !== null && attribute.max !== null)
    return `numeric ${formatNumber(attribute.min)} to ${formatNumber(attribute.max)}`;
  const shown = attribute.categories.slice(0, 5).map((c) => c.value);
  const more = attribute.distinct > shown.length ? ', …' : '';
  return `${attribute.type === 'DATE' ? 'date' : 'categorical'}: ${shown.join(', ')}${more}`;
}

/** A patient's overall survival in words: "3.2 years, died" or "not recorded". */
export function overallSurvival(patient: { osDays: number | null; osEvent: number | null }): string {
  if (patient.osDays === null) return 'not recorded';
  return `${formatDays(patient.osDays)}, ${patient.osEvent ? 'died' : 'alive at last follow-up'}`;
}
