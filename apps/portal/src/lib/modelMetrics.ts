// Reading a model version's metrics and promotion-gate record (JSON from the API) into rows to show.

export interface GateRow {
  metric: string;
  candidate: number | null;
  active: number | null;
  worse: boolean;
}

export interface GateSummary {
  decision: string;
  reason: string;
  comparedWith: string | null;
  validationSamples: number | null;
  rows: GateRow[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The gate record's decision and candidate-vs-active numbers; null when the model was never gated. */
export function gateSummary(gate: unknown): GateSummary | null {
  if (gate === null || gate === undefined) return null;
  const g = record(gate);
  const candidate = record(g.candidate);
  const active = record(g.active);
  const checks = Array.isArray(g.checks) ? g.checks.map(record) : [];
  const metrics = [...new Set([...Object.keys(candidate), ...Object.keys(active)])];
  const rows = metrics.map((metric): GateRow => {
    const check = checks.find((c) => c.metric === metric);
    return {
      metric,
      candidate: num(candidate[metric]),
      active: num(active[metric]),
      worse: check?.worse === true,
    };
  });
  const compared = record(g.comparedWith);
  return {
    decision: typeof g.decision === 'string' ? g.decision : 'unknown',
    reason: typeof g.reason === 'string' ? g.reason : '',
    comparedWith: typeof compared.name === 'string' ? compared.name : null,
    validationSamples: num(g.validationSamples),
    rows,
  };
}

/** Numeric top-level metrics as [name, value] pairs, in the JSON's order. */
export function numericMetrics(metrics: unknown): [string, number][] {
  return Object.entries(record(metrics)).flatMap(([k, v]) => (num(v) === null ? [] : [[k, v as number]]));
}

/** A number for a table: integers as they are, others to 4 significant digits. */
export function showNumber(v: number | null): string {
  if (v === null) return '–';
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4);
}
