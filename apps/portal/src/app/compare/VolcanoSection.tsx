// The comparison's volcano plot (every tested gene; the significant ones link to the gene).
import { PlotFrame } from '../../components/PlotFrame.tsx';
import { VolcanoPlot } from '../../components/plots/VolcanoPlot.tsx';
import type { CompareGroupsQuery } from '../../generated/graphql.ts';
import { geneHref } from '../../lib/comparison.ts';

type Comparison = CompareGroupsQuery['compareGroups'];

export function VolcanoSection(props: { comparison: Comparison; cohortId: string }) {
  const v = props.comparison.volcano;
  const fdr = props.comparison.summary?.fdr ?? 0.05;
  if (!v) return null;
  const points = v.ensemblIds.map((ensemblId, i) => ({
    ensemblId,
    symbol: v.symbols[i] ?? null,
    logFC: v.logFC[i]!,
    pValue: v.pValues[i] ?? null,
    adjPValue: v.adjPValues[i] ?? null,
  }));
  return (
    <section aria-labelledby="volcano">
      <h2 id="volcano">Volcano plot</h2>
      <PlotFrame
        title={`Volcano plot, ${props.comparison.method.toLowerCase()}`}
        testId="volcano-plot"
        caption={`${points.length.toLocaleString('en-US')} genes tested. Coloured: adjusted p (Benjamini-Hochberg) below ${fdr}; hover a point for the gene, click to open it. Dashed: the largest p-value still significant.`}
      >
        <VolcanoPlot
          points={points}
          fdr={fdr}
          label={`Volcano plot of ${points.length} genes: log2 fold change against −log10 p-value`}
          href={(id) => geneHref(props.cohortId, id)}
        />
      </PlotFrame>
    </section>
  );
}
