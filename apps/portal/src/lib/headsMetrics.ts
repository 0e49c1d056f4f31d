// A model's heads' held-out figures (flat names from heads.json, e.g. whole.accuracy,
// panel64.1.novelty.auroc, intervals.coverage30) grouped into readable tables: the cancer-type head on the
// whole profile and on each 64-gene panel side by side, the restoration intervals by share of genes missing,
// and anything else as it is.

export interface HeadMetric {
  name: string;
  value: number;
}

export interface ScopedTable {
  /** Column headings, e.g. "Whole profile", "64-gene panel 1". */
  columns: string[];
  rows: { metric: string; label: string; values: (number | null)[] }[];
}

export interface HeadsMetricGroups {
  typeHead: ScopedTable;
  /** Measured coverage of the restoration intervals, by percent of genes missing (ascending). */
  intervals: { missingPercent: number; coverage: number }[];
  other: HeadMetric[];
}

const LABELS: Record<string, string> = {
  accuracy: 'Accuracy (cross-validated)',
  eceBefore: 'Calibration error (ECE) before temperature scaling',
  eceAfter: 'Calibration error (ECE) after temperature scaling',
  temperature: 'Temperature',
  'novelty.auroc': 'Novelty AUROC (held-out type vs known types)',
  'novelty.worstAuroc': 'Novelty AUROC, worst held-out type',
  'novelty.knownFlagged': 'Known-type samples flagged (false alarms)',
  'novelty.novelFlagged': 'Held-out-type samples flagged',
  'novelty.types': 'Types held out in turn',
};
const ORDER = Object.keys(LABELS);

/** The scope of a metric name ("whole", "panel64.1") and the rest, or null when it is neither. */
function scopeOf(name: string): { scope: string; metric: string } | null {
  const m = /^(whole|panel\d+\.\d+)\.(.+)$/.exec(name);
  return m ? { scope: m[1]!, metric: m[2]! } : null;
}

function scopeLabel(scope: string): string {
  if (scope === 'whole') return 'Whole profile';
  const m = /^panel(\d+)\.(\d+)$/.exec(scope)!;
  return `${m[1]}-gene panel ${m[2]}`;
}

export function headsMetricGroups(metrics: HeadMetric[]): HeadsMetricGroups {
  const scopes: string[] = [];
  const cells = new Map<string, Map<string, number>>();
  const intervals: HeadsMetricGroups['intervals'] = [];
  const other: HeadMetric[] = [];
  for (const m of metrics) {
    const scoped = scopeOf(m.name);
    const interval = /^intervals\.coverage(\d+)$/.exec(m.name);
    if (scoped) {
      if (!scopes.includes(scoped.scope)) scopes.push(scoped.scope);
      if (!cells.has(scoped.metric)) cells.set(scoped.metric, new Map());
      cells.get(scoped.metric)!.set(scoped.scope, m.value);
    } else if (interval) intervals.push({ missingPercent: Number(interval[1]), coverage: m.value });
    else other.push(m);
  }
  scopes.sort((a, b) =>
    a === 'whole' ? -1 : b === 'whole' ? 1 : a.localeCompare(b, 'en', { numeric: true }),
  );
  const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);
  const names = [...cells.keys()].sort((a, b) => rank(a) - rank(b));
  return {
    typeHead: {
      columns: scopes.map(scopeLabel),
      rows: names.map((metric) => ({
        metric,
        label: LABELS[metric] ?? metric,
        values: scopes.map((s) => cells.get(metric)!.get(s) ?? null),
      })),
    },
    intervals: intervals.sort((a, b) => a.missingPercent - b.missingPercent),
    other,
  };
}

/** A held-out figure for a table: counts as integers, others to three decimals. */
export function showMetric(metric: string, v: number | null): string {
  if (v === null) return '–';
  if (metric.endsWith('types') || Number.isInteger(v)) return String(v);
  return v.toFixed(3);
}
