import type { GroupLabel, SurvivalData } from './types.ts';

/** Checks lengths, finite times and 0/1 events; returns the number of subjects. Internal. */
export function checkSurvivalData(data: SurvivalData): number {
  const n = data.time.length;
  if (data.event.length !== n) {
    throw new RangeError(`time has ${n} entries but event has ${data.event.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(data.time[i])) throw new RangeError(`time[${i}] is not a finite number`);
    const e = data.event[i];
    if (e !== 0 && e !== 1) throw new RangeError(`event[${i}] must be 0 or 1, got ${String(e)}`);
  }
  return n;
}

/** Checks that a per-subject vector has n entries. Internal. */
export function checkLength(name: string, values: ArrayLike<unknown>, n: number): void {
  if (values.length !== n) throw new RangeError(`${name} has ${values.length} entries, expected ${n}`);
}

/** Checks that every value is a finite number. Internal. */
export function checkFinite(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${name}[${i}] is not a finite number`);
  }
}

/** True when a group label is missing (null, undefined or NaN). Internal. */
export function isMissingLabel(label: GroupLabel | null | undefined): label is null | undefined {
  return label === null || label === undefined || (typeof label === 'number' && Number.isNaN(label));
}

/**
 * Distinct non-missing labels in R's factor order: numbers ascending, strings in code-unit order
 * (R's C-locale sort; an English locale may order mixed-case labels differently). Numbers sort
 * before strings. Internal.
 */
export function sortedLevels(labels: ArrayLike<GroupLabel | null | undefined>): GroupLabel[] {
  const seen = new Set<GroupLabel>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!isMissingLabel(label)) seen.add(label);
  }
  return [...seen].sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Codes labels as 0..k-1 indices into `levels` (-1 for a missing label). Internal.
 */
export function codeLabels(
  labels: ArrayLike<GroupLabel | null | undefined>,
  levels: GroupLabel[],
): Int32Array {
  const index = new Map<GroupLabel, number>();
  levels.forEach((level, k) => {
    index.set(level, k);
  });
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    codes[i] = isMissingLabel(label) ? -1 : (index.get(label) ?? -1);
  }
  return codes;
}
