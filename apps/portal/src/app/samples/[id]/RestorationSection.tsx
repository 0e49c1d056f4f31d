// Measured against GexBERT-restored expression, both log2(CPM + 1) of the raw counts: for the chosen genes
// (restored from all measured vocabulary genes), and the 64-gene panel view: the other vocabulary genes
// restored from only the 64 most variable ones (lib/panelGenes.ts).
import { DataTable } from '../../../components/DataTable.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { MeasuredRestoredPlot } from '../../../components/plots/MeasuredRestoredPlot.tsx';
import { agreement, geneLabel, pairedValues, type RestoredRow } from '../../../lib/restoration.ts';

const show = (v: number | null) => (v === null ? '–' : v.toFixed(3));

function Agreement(props: { rows: RestoredRow[]; what: string }) {
  const points = pairedValues(props.rows);
  const a = agreement(points);
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
      .{outside.length > 0 && ` Outside the model's vocabulary (not restored): ${outside.join(', ')}.`}
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
        <p className="empty">This sample has no raw counts, so the model cannot restore its expression.</p>
      </section>
    );
  const chosenPoints = pairedValues(props.chosen);
  return (
    <section aria-labelledby="restoration">
      <h2 id="restoration">Restored expression</h2>
      <p className="muted">
        Chosen genes: the model restores them from all the sample's measured vocabulary genes (the gene itself
        included when measured). 64-gene panel view: only the 64 most variable vocabulary genes are the
        model's input, and every other vocabulary gene is restored from them (none of them is seen). Both axes
        are log2(CPM + 1) with the library size of the whole raw-count profile, so the values are directly
        comparable.
      </p>
      <div className="grid-2">
        <PlotFrame
          title={`${props.barcode} measured vs restored (chosen genes)`}
          testId="restored-chosen-plot"
          caption={<Agreement rows={props.chosen} what="chosen genes" />}
        >
          <MeasuredRestoredPlot
            points={chosenPoints}
            label={`Measured against restored expression of ${chosenPoints.length} chosen genes`}
            showNames
          />
        </PlotFrame>
        <PlotFrame
          title={`${props.barcode} held-out genes restored from the 64-gene panel`}
          testId="restored-panel-plot"
          caption={
            <>
              <Agreement rows={props.panel} what="held-out vocabulary genes" />
              <PanelInputNote input={props.panelInput} />
            </>
          }
        >
          <MeasuredRestoredPlot
            points={pairedValues(props.panel)}
            label="Measured against restored expression of the held-out vocabulary genes, restored from only the 64-gene panel"
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
          { label: 'Restored − measured', numeric: true },
        ]}
        rows={[...props.chosen, ...props.panel].map((r, i) => {
          const diff = r.value !== null && r.measuredValue !== null ? r.value - r.measuredValue : null;
          return {
            key: `${i}-${r.query}`,
            cells: [
              { value: geneLabel(r) },
              { value: r.inVocabulary ? 'yes' : 'no' },
              { value: r.measuredValue, text: show(r.measuredValue) },
              { value: r.value, text: show(r.value) },
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
