// A sample's measured values for the chosen genes: a gene chooser (a GET form), a bar chart and a table.
import { DataTable } from '../../../components/DataTable.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { BarChart } from '../../../components/plots/BarChart.tsx';
import type { ExpressionUnit, SampleDetailQuery } from '../../../generated/graphql.ts';

type Value = NonNullable<SampleDetailQuery['sample']>['expression'][number];

const geneName = (v: Value) => v.gene.symbol ?? v.gene.ensemblId;

export function ExpressionSection(props: {
  barcode: string;
  values: Value[];
  unit: ExpressionUnit;
  units: readonly ExpressionUnit[];
  genesText: string;
  unknown: string[];
  /** A line above the values (e.g. why these genes are shown); null for none. */
  note?: string | null;
}) {
  const measured = props.values.filter((v) => v.value !== null);
  const logScale = props.unit.startsWith('LOG2');
  return (
    <section aria-labelledby="expression">
      <h2 id="expression">Measured expression</h2>
      <form method="get" className="panel stack">
        <label>
          Genes (HGNC symbols or Ensembl IDs, comma-separated){' '}
          <input type="text" name="genes" defaultValue={props.genesText} style={{ width: '100%' }} />
        </label>
        <label>
          Unit{' '}
          <select name="unit" defaultValue={props.unit}>
            {props.units.map((u) => (
              <option key={u} value={u}>
                {u.toLowerCase().replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <div>
          <button type="submit" className="primary">
            Show
          </button>
        </div>
      </form>
      {props.note ? (
        <p className="muted" data-testid="expression-note">
          {props.note}
        </p>
      ) : null}
      {props.unknown.length > 0 && (
        <p role="alert" className="error-text">
          Unknown genes (not in the gene reference): {props.unknown.join(', ')}.
        </p>
      )}
      {props.values.length === 0 ? (
        <p className="empty">
          This sample has no values stored as {props.unit.toLowerCase().replaceAll('_', ' ')}; choose another
          unit.
        </p>
      ) : (
        <div className="grid-2">
          {measured.length > 0 ? (
            <PlotFrame title={`${props.barcode} expression`} testId="expression-plot">
              <BarChart
                bars={measured.map((v) => ({
                  label: geneName(v),
                  segments: [{ key: props.unit, value: v.value! }],
                }))}
                label={`Measured expression of ${measured.length} genes in ${props.barcode}`}
                axisLabel={props.unit.toLowerCase().replaceAll('_', ' ')}
                valueFormat={props.unit === 'RAW_COUNT' ? 'int' : 'real'}
              />
            </PlotFrame>
          ) : (
            <p className="empty">None of these genes was measured in this sample.</p>
          )}
          <DataTable
            title={`${props.barcode} measured values`}
            urlKey="measured"
            columns={[
              { label: 'Gene' },
              { label: 'Ensembl ID' },
              { label: props.unit.toLowerCase().replaceAll('_', ' '), numeric: true },
              ...(logScale ? [] : [{ label: 'log2(value + 1)', numeric: true }]),
            ]}
            rows={props.values.map((v) => ({
              key: v.gene.ensemblId,
              cells: [
                { value: geneName(v) },
                { value: v.gene.ensemblId },
                { value: v.value, text: v.value === null ? 'not measured' : undefined },
                ...(logScale
                  ? []
                  : [{ value: v.value === null ? null : Number(Math.log2(v.value + 1).toFixed(3)) }]),
              ],
            }))}
            pageSize={25}
            testId="expression-table"
            emptyText="No genes chosen."
          />
        </div>
      )}
    </section>
  );
}
