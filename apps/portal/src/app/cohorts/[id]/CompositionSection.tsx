// Composition of a cohort: samples per cancer type, stacked by sample type; the same as a table.
import { DataTable } from '../../../components/DataTable.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { BarChart } from '../../../components/plots/BarChart.tsx';
import { type CompositionRow, samplesByCancerType, UNKNOWN_TYPE } from '../../../lib/cohortFigures.ts';
import { formatSampleType } from '../../../lib/format.ts';

export function CompositionSection(props: { rows: CompositionRow[] }) {
  const types = samplesByCancerType(props.rows);
  const bars = types.map(({ cancerType }) => ({
    label: cancerType,
    segments: props.rows
      .filter((r) => (r.cancerType ?? UNKNOWN_TYPE) === cancerType)
      .map((r) => ({ key: formatSampleType(r.sampleType), value: r.count })),
  }));
  return (
    <section aria-labelledby="composition">
      <h2 id="composition">Composition</h2>
      {props.rows.length === 0 ? (
        <p className="empty">This cohort has no samples.</p>
      ) : (
        <div className="grid-2">
          <PlotFrame title="Samples by cancer type and sample type" testId="composition-plot">
            <BarChart
              bars={bars}
              label="Samples by cancer type, stacked by sample type"
              axisLabel="Samples"
            />
          </PlotFrame>
          <DataTable
            title="Composition"
            columns={[
              { label: 'Cancer type' },
              { label: 'Sample type' },
              { label: 'Samples', numeric: true },
            ]}
            rows={props.rows.map((r) => ({
              key: `${r.cancerType}-${r.sampleType}`,
              cells: [
                { value: r.cancerType ?? UNKNOWN_TYPE },
                { value: formatSampleType(r.sampleType) },
                { value: r.count },
              ],
            }))}
            pageSize={10}
            emptyText="No samples."
          />
        </div>
      )}
    </section>
  );
}
