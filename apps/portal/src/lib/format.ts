// Number and date formatting shared by the pages (deterministic: the same on server and client).

/** A p-value as researchers write it: 3 significant digits, scientific below 0.001. */
export function formatPValue(p: number): string {
  if (p < 0.001) return p.toExponential(2);
  return p.toPrecision(3);
}

export function formatInt(n: number): string {
  return n.toLocaleString('en-US');
}

/** A fraction as a percentage with one decimal. */
export function formatPercent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–';
}

/** An ISO timestamp as "YYYY-MM-DD HH:MM UTC". */
export function formatTimestamp(iso: string): string {
  const date = new Date(Number.isNaN(Number(iso)) ? iso : Number(iso));
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Days as days and years, e.g. "1,234 d (3.4 y)". */
export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined) return '–';
  return `${formatInt(Math.round(days))} d (${(days / 365.25).toFixed(1)} y)`;
}

/** A sample type as every page shows it: the API's enum in lower case (TUMOR -> tumor, NORMAL -> normal). */
export function formatSampleType(sampleType: string): string {
  return sampleType.toLowerCase();
}
