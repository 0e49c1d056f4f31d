/**
 * Minimal dependency-free SVG plots: line plots (accuracy vs number of genes, imputation error vs
 * missing rate) and step plots (Kaplan-Meier curves). Each function returns the SVG document as a string.
 */

/** One curve: points (x[i], y[i]) in order. */
export interface PlotSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Line colour (default: the palette by position) and SVG dash pattern (default solid). */
  color?: string;
  dash?: string;
}

/** Options shared by the plots. */
export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Width and height in pixels (default 640 x 420). */
  width?: number;
  height?: number;
  /** Logarithmic x axis (base 2 ticks), e.g. for 16..1024 genes. */
  logX?: boolean;
  /** Fixed y range (default: the data range, padded). */
  yRange?: [number, number];
}

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
];

/** Escapes text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function formatTick(t: number): string {
  return Math.abs(t) >= 1e4 || (Math.abs(t) < 1e-3 && t !== 0) ? t.toExponential(1) : String(t);
}

function range(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  return [lo, hi];
}

function renderPlot(series: PlotSeries[], options: PlotOptions, step: boolean): string {
  // The legend column is as wide as the longest series name (about 7 px per character at 12 px).
  const legendWidth = Math.max(150, 44 + 7 * Math.max(0, ...series.map((s) => s.name.length)));
  const width = options.width ?? 490 + legendWidth;
  const height = Math.max(options.height ?? 420, 40 + 18 * series.length + 52);
  const margin = { left: 64, right: legendWidth, top: 40, bottom: 52 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const logX = options.logX ?? false;
  const tx = (x: number): number => (logX ? Math.log2(x) : x);
  const allX = series.flatMap((s) => Array.from(s.x, tx));
  const allY = series.flatMap((s) => Array.from(s.y));
  const [x0, x1] = range(allX);
  let [y0, y1] = options.yRange ?? range(allY);
  if (!options.yRange) {
    const pad = (y1 - y0) * 0.05;
    y0 -= pad;
    y1 += pad;
  }
  const px = (x: number): number => margin.left + ((tx(x) - x0) / (x1 - x0)) * plotW;
  const py = (y: number): number => margin.top + (1 - (y - y0) / (y1 - y0)) * plotH;
  const f = (v: number): string => v.toFixed(2);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${f(margin.left + plotW / 2)}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  ];
  const xTicks = logX
    ? Array.from({ length: Math.floor(x1) - Math.ceil(x0) + 1 }, (_, i) => 2 ** (Math.ceil(x0) + i))
    : niceTicks(x0, x1);
  for (const t of xTicks) {
    const x = px(t);
    parts.push(
      `<line x1="${f(x)}" y1="${margin.top + plotH}" x2="${f(x)}" y2="${margin.top + plotH + 5}" stroke="#333"/>`,
      `<text x="${f(x)}" y="${margin.top + plotH + 18}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`,
    );
  }
  for (const t of niceTicks(y0, y1)) {
    const y = py(t);
    parts.push(
      `<line x1="${margin.left - 5}" y1="${f(y)}" x2="${margin.left}" y2="${f(y)}" stroke="#333"/>`,
      `<text x="${margin.left - 8}" y="${f(y + 4)}" text-anchor="end">${escapeXml(formatTick(t))}</text>`,
    );
  }
  parts.push(
    `<text x="${f(margin.left + plotW / 2)}" y="${height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text x="16" y="${f(margin.top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${f(margin.top + plotH / 2)})">${escapeXml(options.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    const points: string[] = [];
    for (let q = 0; q < s.x.length; q++) {
      const x = s.x[q]!;
      const y = s.y[q]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (step && points.length > 0) points.push(`${f(px(x))},${points[points.length - 1]!.split(',')[1]}`);
      points.push(`${f(px(x))},${f(py(y))}`);
    }
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.join(' ')}"/>`,
    );
    if (!step)
      for (const pt of points) {
        const [cx, cy] = pt.split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`);
      }
    const ly = margin.top + 12 + i * 18;
    const lx = margin.left + plotW + 12;
    parts.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 20}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 26}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** A line plot with markers, one polyline per series. */
export function linePlot(series: PlotSeries[], options: PlotOptions): string {
  return renderPlot(series, options, false);
}

/** A right-continuous step plot (value held until the next x), e.g. survival curves. */
export function stepPlot(series: PlotSeries[], options: PlotOptions): string {
  return renderPlot(series, options, true);
}

/** Kaplan-Meier curves (starting at S(0) = 1) with the log-rank p-value in the title. */
export function kaplanMeierPlot(
  curves: { name: string; time: ArrayLike<number>; surv: ArrayLike<number> }[],
  options: { title: string; pValue?: number; xLabel?: string; width?: number; height?: number },
): string {
  const p = options.pValue;
  const title =
    p === undefined
      ? options.title
      : `${options.title} (log-rank p = ${p < 1e-4 ? p.toExponential(2) : p.toFixed(4)})`;
  return stepPlot(
    curves.map((c) => ({ name: c.name, x: [0, ...Array.from(c.time)], y: [1, ...Array.from(c.surv)] })),
    {
      title,
      xLabel: options.xLabel ?? 'time (days)',
      yLabel: 'survival probability',
      yRange: [0, 1],
      ...(options.width === undefined ? {} : { width: options.width }),
      ...(options.height === undefined ? {} : { height: options.height }),
    },
  );
}

/** One panel of a reliability diagram: equal-width confidence bins (see metrics.ts `reliabilityBins`). */
export interface ReliabilityPanel {
  /** One or more lines (separated by a newline). */
  title: string;
  bins: { lower: number; upper: number; count: number; confidence: number; accuracy: number }[];
}

/**
 * Reliability diagrams in a grid (`columns` panels per row): per confidence bin a bar up to the bin's
 * accuracy with its count above, a tick at the bin's mean confidence, and the diagonal of perfect calibration.
 */
export function reliabilityPlot(
  panels: ReliabilityPanel[],
  options: {
    title: string;
    /** A line under the grid (e.g. what bars and marks mean). */
    caption?: string;
    columns?: number;
    panelWidth?: number;
    panelHeight?: number;
  },
): string {
  const columns = Math.max(1, options.columns ?? 2);
  const rowsN = Math.max(1, Math.ceil(panels.length / columns));
  const pw = options.panelWidth ?? 300;
  const ph = options.panelHeight ?? 250;
  const m = { left: 56, right: 16, top: 50, bottom: 44 };
  const cellW = m.left + pw + m.right;
  const cellH = m.top + ph + m.bottom;
  const width = columns * cellW;
  const height = 40 + rowsN * cellH + (options.caption ? 20 : 0);
  const f = (v: number): string => v.toFixed(2);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${f(width / 2)}" y="24" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
  ];
  panels.forEach((panel, p) => {
    const ox = (p % columns) * cellW + m.left;
    const oy = 40 + Math.floor(p / columns) * cellH + m.top;
    const px = (x: number) => ox + x * pw;
    const py = (y: number) => oy + (1 - y) * ph;
    const lines = panel.title.split('\n');
    parts.push(
      ...lines.map(
        (line, l) =>
          `<text x="${f(ox + pw / 2)}" y="${f(oy - 8 - 15 * (lines.length - 1 - l))}" text-anchor="middle" font-size="12">${escapeXml(line)}</text>`,
      ),
      `<rect x="${f(ox)}" y="${f(oy)}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    );
    for (const t of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
      parts.push(
        `<line x1="${f(px(t))}" y1="${f(oy + ph)}" x2="${f(px(t))}" y2="${f(oy + ph + 4)}" stroke="#333"/>`,
        `<text x="${f(px(t))}" y="${f(oy + ph + 16)}" text-anchor="middle" font-size="10">${t}</text>`,
        `<line x1="${f(ox - 4)}" y1="${f(py(t))}" x2="${f(ox)}" y2="${f(py(t))}" stroke="#333"/>`,
        `<text x="${f(ox - 6)}" y="${f(py(t) + 3)}" text-anchor="end" font-size="10">${t}</text>`,
      );
    }
    parts.push(
      `<text x="${f(ox + pw / 2)}" y="${f(oy + ph + 32)}" text-anchor="middle" font-size="11">confidence (top probability)</text>`,
      `<text x="${f(ox - 38)}" y="${f(oy + ph / 2)}" text-anchor="middle" font-size="11" transform="rotate(-90 ${f(ox - 38)} ${f(oy + ph / 2)})">accuracy</text>`,
    );
    for (const b of panel.bins) {
      if (b.count === 0 || !Number.isFinite(b.accuracy)) continue;
      const x0 = px(b.lower) + 1;
      const w = px(b.upper) - px(b.lower) - 2;
      const top = py(b.accuracy);
      parts.push(
        `<rect class="bar" x="${f(x0)}" y="${f(top)}" width="${f(w)}" height="${f(oy + ph - top)}" fill="#1f77b4" fill-opacity="0.7" stroke="#1f77b4"/>`,
        `<text x="${f(x0 + w / 2)}" y="${f(Math.max(oy + 10, top - 3))}" text-anchor="middle" font-size="9">${b.count}</text>`,
        `<line x1="${f(x0)}" y1="${f(py(b.confidence))}" x2="${f(x0 + w)}" y2="${f(py(b.confidence))}" stroke="#d62728" stroke-width="2"/>`,
      );
    }
    parts.push(
      `<path d="M ${f(px(0))} ${f(py(0))} L ${f(px(1))} ${f(py(1))}" stroke="#555" stroke-dasharray="4 3" fill="none"/>`,
    );
  });
  if (options.caption)
    parts.push(
      `<text x="${f(width / 2)}" y="${height - 8}" text-anchor="middle" font-size="11">${escapeXml(options.caption)}</text>`,
    );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
