// The gene's values across the cohort: violins and box plots by cancer type or sample type (n per group),
// and the values table (sample, patient, type, value, survival group and time) with its TSV download.
import { DataTable } from '../../../../../components/DataTable.tsx';
import { PlotFrame } from '../../../../../components/PlotFrame.tsx';
import { BoxPlot } from '../../../../../components/plots/BoxPlot.tsx';
import type { Grouping } from '../../../../../lib/genePage.ts';
import { type GeneValueRow, geneValueTable, valuesBy } from '../../../../../lib/geneValuesTable.ts';

const BY_TEXT: Record<Grouping, string> = { cancerType: 'cancer type', sampleType: 'sample type' };

export function GeneDistributionSection(props: {
  rows: readonly GeneValueRow[];
  gene: string;
  unitLabel: string;
  by: Grouping;
}) {
  const groups = valuesBy(props.rows, props.by);
  const title = `${props.gene} ${props.unitLabel} by ${BY_TEXT[props.by]}`;
  const table = geneValueTable(props.rows);
  return (
    <section aria-labelledby="gene-values">
      <h2 id="gene-values">{props.gene} across the cohort</h2>
      <PlotFrame
        title={title}
        testId="gene-box-plot"
        caption={`${props.rows.length} samples in ${groups.length} groups. Violins: kernel density (Gaussian, R's default bandwidth) over each group's range; boxes: quartiles and median; whiskers: the furthest values within 1.5 × IQR; dots: values beyond them.`}
      >
        <BoxPlot groups={groups} label={`Box and violin plots of ${title}`} axisLabel={props.unitLabel} />
      </PlotFrame>
      <DataTable
        title={`${props.gene} values`}
        urlKey="values"
        columns={table.columns}
        rows={table.rows}
        pageSize={10}
        emptyText="No sample has a value."
        testId="gene-values-table"
      />
    </section>
  );
}
