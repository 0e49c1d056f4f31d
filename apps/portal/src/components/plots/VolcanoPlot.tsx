// A volcano plot as SVG: log2 fold change (x) against -log10 p-value (y), one point per tested gene. Genes
// significant at the FDR are coloured (higher in B, lower in B) and are links to the gene with its name on
// hover (the most significant MAX_LINKED of them); the others are drawn as one grey path, one dot per pixel.
import { formatPValue } from '../../lib/format.ts';
import { categoryColour } from '../../lib/palette.ts';
import { niceTicks } from '../../lib/survivalBands.ts';

export interface VolcanoPoint {
  ensemblId: string;
  symbol: string | null;
  logFC: number;
  pValue: number | null;
  adjPValue: number | null;
}

const WIDTH = 640;
const HEIGHT = 440;
const MARGIN = { left: 56, right: 20, top: 16, bottom: 48 };
const MAX_LINKED = 1500;
const LABELLED = 10;
const UP = categoryColour(5);
const DOWN = categoryColour(0);

const minusLog10 = (p: number, floor: number) => -Math.log10(Math.max(p, floor));

export function VolcanoPlot(props: {
  points: VolcanoPoint[];
  fdr: number;
  label: string;
  href: (ensemblId: string) => string;
}) {
  const tested = props.points.filter((p) => p.pValue !== null && Number.isFinite(p.logFC));
  const positive = tested.map((p) => p.pValue!).filter((p) => p > 0);
  const floor = positive.length ? Math.min(...positive) : 1e-300;
  const xMax = niceTicks(Math.max(1, ...tested.map((p) => Math.abs(p.logFC))), 4).at(-1)!;
  const yTicks = niceTicks(Math.max(1, ...tested.map((p) => minusLog10(p.pValue!, floor))), 5);
  const yMax = yTicks.at(-1)!;
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (v: number) => MARGIN.left + (innerW * (v + xMax)) / (2 * xMax);
  const sy = (v: number) => MARGIN.top + innerH * (1 - v / yMax);
  const xTicks = niceTicks(xMax, 4).flatMap((t) => (t === 0 ? [0] : [-t, t]));
  const significant = (p: VolcanoPoint) => p.adjPValue !== null && p.adjPValue < props.fdr;
  const linked = tested.filter(significant).slice(0, MAX_LINKED);
  const linkedIds = new Set(linked.map((p) => p.ensemblId));
  const rest = new Set<string>();
  for (const p of tested)
    if (!linkedIds.has(p.ensemblId))
      rest.add(`${Math.round(sx(p.logFC))},${Math.round(sy(minusLog10(p.pValue!, floor)))}`);
  const restPath = [...rest].map((xy) => `M${xy}h1.5v1.5h-1.5z`).join('');
  const cutoff = Math.max(0, ...tested.filter(significant).map((p) => p.pValue!));
  const name = (p: VolcanoPoint) => p.symbol ?? p.ensemblId;
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={props.label}
      className="chart"
      fontFamily="Inter, Arial, sans-serif"
      fontSize="12"
      data-testid="volcano-svg"
    >
      <title>{props.label}</title>
      {xTicks.map((t) => (
        <g key={`x${t}`}>
          <line x1={sx(t)} x2={sx(t)} y1={sy(0)} y2={sy(yMax)} stroke={t === 0 ? '#bbb' : '#eee'} />
          <text x={sx(t)} y={sy(0) + 16} textAnchor="middle" fill="#333">
            {t}
          </text>
        </g>
      ))}
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line x1={sx(-xMax)} x2={sx(xMax)} y1={sy(t)} y2={sy(t)} stroke="#eee" />
          <text x={sx(-xMax) - 6} y={sy(t) + 4} textAnchor="end" fill="#333">
            {t}
          </text>
        </g>
      ))}
      <rect x={MARGIN.left} y={MARGIN.top} width={innerW} height={innerH} fill="none" stroke="#888" />
      {cutoff > 0 && (
        <line
          x1={sx(-xMax)}
          x2={sx(xMax)}
          y1={sy(minusLog10(cutoff, floor))}
          y2={sy(minusLog10(cutoff, floor))}
          stroke="#888"
          strokeDasharray="4 3"
        >
          <title>{`FDR ${props.fdr}: p ≤ ${formatPValue(cutoff)}`}</title>
        </line>
      )}
      <path d={restPath} fill="#999" fillOpacity="0.6" className="volcano-rest" />
      {linked.map((p) => (
        <a key={p.ensemblId} href={props.href(p.ensemblId)} className="volcano-link">
          <circle
            className="volcano-point"
            data-gene={p.ensemblId}
            cx={sx(p.logFC)}
            cy={sy(minusLog10(p.pValue!, floor))}
            r="3"
            fill={p.logFC > 0 ? UP : DOWN}
            fillOpacity="0.75"
          >
            <title>{`${name(p)} (${p.ensemblId}): log2 FC ${p.logFC.toFixed(2)}, p ${formatPValue(p.pValue!)}, adjusted p ${formatPValue(p.adjPValue!)}`}</title>
          </circle>
        </a>
      ))}
      {linked.slice(0, LABELLED).map((p) => (
        <text
          key={`l${p.ensemblId}`}
          x={sx(p.logFC) + (p.logFC > 0 ? 5 : -5)}
          y={sy(minusLog10(p.pValue!, floor)) + 4}
          textAnchor={p.logFC > 0 ? 'start' : 'end'}
          fontSize="11"
          fill="#222"
        >
          {name(p)}
        </text>
      ))}
      <text x={sx(0)} y={HEIGHT - 12} textAnchor="middle" fill="#333">
        log2 fold change (B − A)
      </text>
      <text transform={`translate(14 ${sy(yMax / 2)}) rotate(-90)`} textAnchor="middle" fill="#333">
        −log10 p-value
      </text>
      <g fontSize="11" transform={`translate(${MARGIN.left + 8} ${MARGIN.top + 14})`}>
        <circle cx="0" cy="-4" r="4" fill={UP} />
        <text x="8" y="0" fill="#222">{`higher in B (FDR < ${props.fdr})`}</text>
        <circle cx="0" cy="12" r="4" fill={DOWN} />
        <text x="8" y="16" fill="#222">{`lower in B (FDR < ${props.fdr})`}</text>
      </g>
    </svg>
  );
}
