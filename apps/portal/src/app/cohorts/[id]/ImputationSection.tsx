// Imputation quality: how well the model restores the cohort's held-out genes from only the 64-gene panel,
// per gene (histogram of Pearson r across samples) and overall (RMSE against predicting the training mean).
import { DataTable } from '../../../components/DataTable.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { BarChart } from '../../../components/plots/BarChart.tsx';
import { type ImputationQuality, pearsonHistogram } from '../../../lib/imputation.ts';

const show = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined ? '–' : v.toFixed(digits);

/** The scale the API compared values on, as the page names it. */
const SCALE_NAME = { LOG2_CPM: 'log2(CPM + 1)', LOG2_RSEM: 'log2(RSEM + 1)' } as const;

export function ImputationSection(props: { quality: ImputationQuality }) {
  const q = props.quality;
  const r = q.restored.medianGenePearson;
  const scale = SCALE_NAME[q.scale];
  return (
    <section aria-labelledby="imputation">
      <h2 id="imputation">Imputation quality</h2>
      <p className="muted">
        {q.model.name} restores the next {q.genes.length} vocabulary genes of {q.sampleCount} of the cohort's
        samples (evenly spaced) from only their {q.panelSize} most variable vocabulary genes
        {q.scale === 'LOG2_RSEM' ? ' among those it reads from RSEM' : ''}, compared with the measured{' '}
        <span data-testid="imputation-scale">{scale}</span>. The baseline predicts every gene's training mean.
      </p>
      <dl className="facts" data-testid="imputation-summary">
        <dt>Median per-gene Pearson r</dt>
        <dd data-testid="imputation-median-r" data-value={r ?? ''}>
          {show(r)}
        </dd>
        <dt>Overall Pearson r (all genes and samples)</dt>
        <dd>{show(q.restored.overallPearson)}</dd>
        <dt>RMSE, restored</dt>
        <dd data-testid="imputation-rmse" data-value={q.restored.rmse}>
          {show(q.restored.rmse)}
        </dd>
        <dt>RMSE, training-mean baseline</dt>
        <dd data-testid="imputation-baseline-rmse" data-value={q.baseline.rmse}>
          {show(q.baseline.rmse)}
        </dd>
        <dt>Samples</dt>
        <dd>{q.sampleCount}</dd>
      </dl>
      <div className="grid-2">
        <PlotFrame
          title="Per-gene Pearson r of restored against measured expression"
          testId="imputation-histogram"
          caption={`Genes per bin of Pearson r across ${q.sampleCount} samples.`}
        >
          <BarChart
            bars={pearsonHistogram(q.genes.map((g) => g.pearson))}
            label="Histogram of per-gene Pearson correlations between restored and measured expression"
            axisLabel="Genes"
          />
        </PlotFrame>
        <PlotFrame
          title="RMSE of restored expression against the training-mean baseline"
          testId="imputation-rmse-plot"
          caption={`Root mean squared error over all held-out genes and samples, ${scale}; lower is better.`}
        >
          <BarChart
            bars={[
              {
                label: `GexBERT (${q.panelSize} genes)`,
                segments: [{ key: 'RMSE', value: q.restored.rmse }],
              },
              { label: 'training mean', segments: [{ key: 'RMSE', value: q.baseline.rmse }] },
            ]}
            label="RMSE of the model's restored values and of the training-mean baseline"
            axisLabel={`RMSE, ${scale}`}
            valueFormat="real"
          />
        </PlotFrame>
      </div>
      <DataTable
        title="Imputation quality per gene"
        testId="imputation-table"
        columns={[
          { label: 'Rank', numeric: true },
          { label: 'Gene' },
          { label: 'Pearson r', numeric: true },
          { label: 'RMSE', numeric: true },
        ]}
        rows={q.genes.map((g) => ({
          key: g.gene.ensemblId,
          cells: [
            { value: g.gene.rank, text: String(g.gene.rank + 1) },
            { value: g.gene.symbol ?? g.gene.ensemblId },
            { value: g.pearson, text: show(g.pearson) },
            { value: g.rmse, text: show(g.rmse) },
          ],
        }))}
        note={
          q.scale === 'LOG2_RSEM'
            ? `Rank in the model's vocabulary (1 = most variable); the input is the first ${q.panelSize} of the genes it reads from RSEM.`
            : "Rank in the model's vocabulary (1 = most variable); genes 1 to the panel size are the input."
        }
        pageSize={10}
        emptyText="No genes."
      />
    </section>
  );
}
