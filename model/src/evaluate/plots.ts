/**
 * The report's plots, drawn from the aggregated rows (and the pooled test risk groups): accuracy against
 * the number of genes, Kaplan-Meier curves of GexBERT risk groups with the log-rank p, and imputation
 * Pearson against the missing rate. Each is written as SVG and PNG.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expectedCalibrationError, reliabilityBins } from '../stats/metrics.ts';
import { kaplanMeierByGroup, logRankTest } from '../survival/index.ts';
import { svgToPng } from './png.ts';
import type { ReportRow } from './report.ts';
import { kaplanMeierPlot, linePlot, PALETTE, type PlotSeries, reliabilityPlot } from './svg.ts';
import type { RiskGroupMember } from './tasks/survival.ts';
import type { ReliabilityRecord } from './tasks/trust.ts';

function numberIn(setting: string, pattern: RegExp): number {
  return Number(pattern.exec(setting)?.[1] ?? Number.NaN);
}

/** Series of `metric` per method over the number parsed from each row's setting. */
function seriesBy(
  rows: ReportRow[],
  metric: string,
  x: (setting: string) => number,
  group?: (r: ReportRow) => string,
): PlotSeries[] {
  const chosen = rows.filter((r) => r.metric === metric && Number.isFinite(x(r.setting)));
  const names = [...new Set(chosen.map((r) => (group ? group(r) : r.method)))];
  return names.map((name) => {
    const points = chosen
      .filter((r) => (group ? group(r) : r.method) === name)
      .map((r) => [x(r.setting), r.value] as const)
      .sort((a, b) => a[0] - b[0]);
    return { name, x: points.map((p) => p[0]), y: points.map((p) => p[1]) };
  });
}

export function accuracyPlot(rows: ReportRow[]): string {
  const cls = rows.filter((r) => r.task === 'classification' && /^k=\d+ genes$/.test(r.setting));
  const series = seriesBy(cls, 'accuracy', (s) => numberIn(s, /^k=(\d+)/));
  // From a round 0.05 below the lowest accuracy up to 1, so differences of a point or two stay visible.
  const lowest = Math.min(1, ...series.flatMap((s) => Array.from(s.y).filter(Number.isFinite)));
  const floor = Math.max(0, Math.floor((lowest - 0.02) * 20) / 20);
  return linePlot(series, {
    title: 'Cancer-type accuracy vs number of genes (test samples)',
    xLabel: 'genes in the random panel',
    yLabel: 'accuracy',
    logX: true,
    yRange: [floor, 1],
  });
}

/** Dash patterns by gene-set size, smallest set solid. */
const DASHES = [undefined, '8 4', '2 3', '10 3 2 3'];

/** Imputation Pearson (or RMSE) of the masked test entries against the missing rate, per method and gene set. */
export function imputationPlot(rows: ReportRow[], metric: 'pearson' | 'rmse (z)' = 'pearson'): string {
  const imp = rows.filter((r) => r.task === 'imputation');
  const methods = [...new Set(imp.map((r) => r.method))];
  const sizes = [...new Set(imp.map((r) => numberIn(r.setting, /genes=(\d+)/)))].sort((a, b) => a - b);
  const series = seriesBy(
    imp,
    metric,
    (s) => numberIn(s, /missing=(\d+)%/),
    (r) => `${r.method}, ${numberIn(r.setting, /genes=(\d+)/)} genes`,
  ).map((s) => {
    const [method, genes] = s.name.split(', ') as [string, string];
    const dash = DASHES[sizes.indexOf(Number.parseInt(genes, 10)) % DASHES.length];
    return {
      ...s,
      color: PALETTE[methods.indexOf(method) % PALETTE.length]!,
      ...(dash ? { dash } : {}),
    };
  });
  return linePlot(series, {
    title:
      metric === 'pearson'
        ? 'Imputation Pearson (masked test entries) vs missing rate'
        : 'Imputation error: RMSE of masked test entries (per-gene z) vs missing rate',
    xLabel: 'missing rate (%)',
    yLabel: metric === 'pearson' ? 'Pearson r' : 'RMSE (z)',
  });
}

export function riskGroupPlot(members: RiskGroupMember[], title: string): string {
  const data = { time: members.map((m) => m.time), event: members.map((m) => m.event) };
  const group = members.map((m) => m.group);
  const km = kaplanMeierByGroup(data, group);
  const { pValue } = logRankTest(data, group);
  return kaplanMeierPlot(
    km.curves.map((c, i) => ({ name: `${String(km.groups[i])} risk`, time: c.time, surv: c.surv })),
    { title, pValue },
  );
}

/** Test probabilities of the same (method, setting) from several folds as one record. */
export function poolReliability(records: ReliabilityRecord[]): ReliabilityRecord[] {
  const pooled = new Map<string, ReliabilityRecord>();
  for (const r of records) {
    const key = `${r.method}\u0000${r.setting}`;
    const p = pooled.get(key);
    if (!p) pooled.set(key, { ...r, before: [...r.before], after: [...r.after], correct: [...r.correct] });
    else {
      p.before.push(...r.before);
      p.after.push(...r.after);
      p.correct.push(...r.correct);
    }
  }
  return [...pooled.values()];
}

/**
 * Reliability diagrams of the cancer-type probabilities on the test samples (pooled over folds and panel
 * draws): one row per (method, setting), before and after temperature scaling side by side.
 */
export function reliabilityDiagram(records: ReliabilityRecord[], folds: number): string {
  const panels = poolReliability(records).flatMap((r) =>
    (['before', 'after'] as const).map((when) => {
      const confidence = r[when];
      const ece = expectedCalibrationError(confidence, r.correct);
      return {
        title: `${r.method}, ${r.setting}\n${when} temperature scaling: ECE ${ece.toFixed(3)}, n ${confidence.length}`,
        bins: reliabilityBins(confidence, r.correct),
      };
    }),
  );
  return reliabilityPlot(panels, {
    title: `Cancer-type reliability, test samples${folds > 1 ? ` pooled over ${folds} folds` : ''}: before / after temperature scaling`,
    caption:
      'bars: accuracy per confidence bin (count above); red: mean confidence of the bin; dashed: perfect calibration',
    columns: 2,
    panelWidth: 380,
  });
}

/** Writes `<name>.svg` and `<name>.png` into `dir`; returns both paths. */
export async function writePlot(dir: string, name: string, svg: string): Promise<string[]> {
  const svgFile = path.join(dir, `${name}.svg`);
  const pngFile = path.join(dir, `${name}.png`);
  await writeFile(svgFile, svg);
  await writeFile(pngFile, svgToPng(svg));
  return [svgFile, pngFile];
}
