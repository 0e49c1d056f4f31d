// Measured against GexBERT-restored expression, both log2(CPM + 1) of the raw counts: for the chosen genes
// (restored from all measured vocabulary genes), and the 64-gene panel view: the other vocabulary genes
// restored from only the 64 most variable ones (lib/panelGenes.ts). Every restored value carries its
// interval at the heads' nominal coverage (e.g. 90%), drawn as a bar and listed in the table.
import { DataTable } from '../../../components/DataTable.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { MeasuredRestoredPlot } from '../../../components/plots/MeasuredRestoredPlot.tsx';
import {
  agreement,
  geneLabel,
  intervalHits,
  nominalCoverage,
  pairedValues,
  type RestoredRow,
} from '../../../lib/restoration.ts';

const show = (v: number | null) => (v === null ? '–' : v.toFixed(3));

function Agreement(props: { rows: RestoredRow[]; what: string; testId: string }) {
  const points = pairedValues(props.rows);
  const a = agreement(points);
  const coverage = nominalCoverage(props.rows);
  const hits = intervalHits(points);
  const outside = props.rows.filter((r) => !r.inVocabulary).map(geneLabel);
  return (
    <>
      {points.length} {props.what} with a measured and a restored value
      {a && (
        <>
          : Pearson r = <span data-testid="restoration-r">{a.r.toFixed(3)}</span>, mean |measured − restored|
          = {a.mae.toFixed(3)}
        </>
      )}
      .
      {coverage !== null && hits.withInterval > 0 ? (
        <>
          {' '}
          The measured value lies inside the restored value's {Math.round(coverage * 100)}% interval for{' '}
          <span data-testid={props.testId} data-inside={hits.inside} data-of={hits.withInterval}>
            {hits.inside} of {hits.withInterval}
          </span>{' '}
          genes ({((100 * hits.inside) / hits.withInterval).toFixed(0)}%).
        </>
      ) : (
        ' No intervals: the model has no calibrated intervals.'
      )}
      {outside.length > 0 && ` Outside the model's vocabulary (not restored): ${outside.join(', ')}.`}
    </>
  );
}

export interface PanelInput {
  genes: { ensemblId: string }[];
  unknown: string[];
  outsideVocabulary: string[];
  unmeasured: string[];
}

function PanelInputNote(props: { input: PanelInput | null }) {
  const left = [...(props.input?.unmeasured ?? []), ...(props.input?.outsideVocabulary ?? [])];
  return (
    <>
      {' '}
      The model's input: {props.input?.genes.length ?? 0} measured panel genes
      {left.length > 0 && ` (left out, not measured or outside the vocabulary: ${left.join(', ')})`}.
    </>
  );
}

export function RestorationSection(props: {
  barcode: string;
  chosen: RestoredRow[];
  panel: RestoredRow[];
  panelInput: PanelInput | null;
}) {
  if (props.panel.length === 0 && props.chosen.length === 0)
    return (
      <section aria-labelledby="restoration">
        <h2 id="restoration">Restored expression</h2>
        <p className="empty">
          The model reads none of this sample's values (no raw counts, and no unit it has statistics for), so
          it cannot restore its expression.
        </p>
      </section>
    );
  if (![...props.chosen, ...props.panel].some((r) => r.measuredValue !== null))
    return <RestoredOnly barcode={props.barcode} rows={props.chosen.filter((r) => r.value !== null)} />;
  const chosenPoints = pairedValues(props.chosen);
  const coverage = nominalCoverage([...props.chosen, ...props.panel]);
  const band = coverage === null ? 'interval' : `${Math.round(coverage * 100)}% interval`;
  return (
    <section aria-labelledby="restoration">
      <h2 id="restoration">Restored expression</h2>
      <p className="muted">
        Chosen genes: the model restores them from all the sample's measured vocabulary genes (the gene itself
        included when measured). 64-gene panel view: only the 64 most variable vocabulary genes are the
        model's input, and every other vocabulary gene is restored from them (none of them is seen). Both axes
        are log2(CPM + 1) with the library size of the whole raw-count profile, so the values are directly
        comparable. Each restored value has a {band}
        {coverage === null
          ? ' (none here: the model has no calibrated intervals)'
          : ` (vertical bars): on held-out samples, ${Math.round(coverage * 100)} in 100 such intervals hold the true value`}
        .
      </p>
      <div className="grid-2">
        <PlotFrame
          title={`${props.barcode} measured vs restored (chosen genes)`}
          testId="restored-chosen-plot"
          caption={<Agreement rows={props.chosen} what="chosen genes" testId="chosen-inside" />}
        >
          <MeasuredRestoredPlot
            points={chosenPoints}
            label={`Measured against restored expression of ${chosenPoints.length} chosen genes`}
            showNames
            coverage={coverage}
          />
        </PlotFrame>
        <PlotFrame
          title={`${props.barcode} held-out genes restored from the 64-gene panel`}
          testId="restored-panel-plot"
          caption={
            <>
              <Agreement rows={props.panel} what="held-out vocabulary genes" testId="panel-inside" />
              <PanelInputNote input={props.panelInput} />
            </>
          }
        >
          <MeasuredRestoredPlot
            points={pairedValues(props.panel)}
            label="Measured against restored expression of the held-out vocabulary genes, restored from only the 64-gene panel"
            coverage={coverage}
          />
        </PlotFrame>
      </div>
      <DataTable
        title="Measured and restored expression"
        testId="restored-table"
        columns={[
          { label: 'Gene' },
          { label: 'In vocabulary' },
          { label: 'Measured log2(CPM+1)', numeric: true },
          { label: 'Restored log2(CPM+1)', numeric: true },
          { label: `Lower (${band})`, numeric: true },
          { label: `Upper (${band})`, numeric: true },
          { label: 'Measured inside' },
          { label: 'Restored − measured', numeric: true },
        ]}
        rows={[...props.chosen, ...props.panel].map((r, i) => {
          const diff = r.value !== null && r.measuredValue !== null ? r.value - r.measuredValue : null;
          const inside =
            r.lower === null || r.upper === null || r.measuredValue === null
              ? '–'
              : r.measuredValue >= r.lower && r.measuredValue <= r.upper
                ? 'yes'
                : 'no';
          return {
            key: `${i}-${r.query}`,
            cells: [
              { value: geneLabel(r) },
              { value: r.inVocabulary ? 'yes' : 'no' },
              { value: r.measuredValue, text: show(r.measuredValue) },
              { value: r.value, text: show(r.value) },
              { value: r.lower, text: show(r.lower) },
              { value: r.upper, text: show(r.upper) },
              { value: inside },
              { value: diff, text: show(diff) },
            ],
          };
        })}
        note="The chosen genes (restored from all measured genes) first, then the held-out genes restored from the 64-gene panel."
        pageSize={10}
        emptyText="No genes."
      />
    </section>
  );
}

/**
 * A sample without raw counts (e.g. RSEM values) restored through a model that reads its unit: the restored
 * values are on the model's log2(CPM + 1) count scale, which its measured values are not, so nothing is
 * compared; the chosen genes' restored values and intervals are listed.
 */
function RestoredOnly(props: { barcode: string; rows: RestoredRow[] }) {
  const coverage = nominalCoverage(props.rows);
  const band = coverage === null ? 'interval' : `${Math.round(coverage * 100)}% interval`;
  return (
    <section aria-labelledby="restoration" data-testid="restored-only">
      <h2 id="restoration">Restored expression</h2>
      <p className="muted">
        This sample has no raw counts: the model restores it from the values it reads in the sample's own unit
        (normalised with the model's statistics for that unit). Restored values are on the model's log2(CPM +
        1) count scale, which the measured values above are not, so the two are not compared here.
      </p>
      <DataTable
        title={`${props.barcode} restored expression`}
        testId="restored-only-table"
        columns={[
          { label: 'Gene' },
          { label: 'Restored log2(CPM+1)', numeric: true },
          { label: `Lower (${band})`, numeric: true },
          { label: `Upper (${band})`, numeric: true },
        ]}
        rows={props.rows.map((r, i) => ({
          key: `${i}-${r.query}`,
          cells: [
            { value: geneLabel(r) },
            { value: r.value, text: show(r.value) },
            { value: r.lower, text: show(r.lower) },
            { value: r.upper, text: show(r.upper) },
          ],
        }))}
        note="Each gene restored from all the sample's measured genes that the model reads (the gene itself included when measured)."
        pageSize={10}
        emptyText="None of these genes is in the model's vocabulary."
      />
    </section>
  );
}
