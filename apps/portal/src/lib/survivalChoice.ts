// Which cancer types a survival figure draws. Over MAX_BANDED_GROUPS types (a 33-type cohort) the curves
// cross into a tangle, so the dashboard draws the largest few and the cohort's survival page
// (/cohorts/<id>/survival?types=…, the choice in the URL) draws the types a reader picks.

/** Curves a dashboard draws of a cohort with more types than this: the largest, by patients. */
export const DRAWN_TYPES = 6;

/** The names of the `n` largest groups: most patients first, ties by name. */
export function largestGroups(groups: readonly { name: string; patients: number }[], n: number): string[] {
  return [...groups]
    .sort((a, b) => b.patients - a.patients || a.name.localeCompare(b.name))
    .slice(0, n)
    .map((g) => g.name);
}

type Params = Record<string, string | string[] | undefined>;

/** The chosen types from `types` (repeated, or separated by commas, spaces or +), repeats dropped; none: []. */
export function chosenTypes(params: Params): string[] {
  const values = params.types === undefined ? [] : [params.types].flat();
  return [...new Set(values.flatMap((v) => v.split(/[\s,+]+/)).filter(Boolean))];
}

/** The survival page of a cohort drawing `types` (none: every type). */
export function survivalHref(cohortId: string, types: readonly string[] = []): string {
  const query = types.map((t) => `types=${encodeURIComponent(t)}`).join('&');
  return `/cohorts/${encodeURIComponent(cohortId)}/survival${query ? `?${query}` : ''}`;
}
