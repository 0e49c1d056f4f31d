// What the model's heads say about a sample: the predicted cancer type with every type's probability, and
// the survival-risk score with its percentiles.
import { DataTable } from '../../../components/DataTable.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { BarChart } from '../../../components/plots/BarChart.tsx';
import type { SampleModelPanelsQuery } from '../../../generated/graphql.ts';

type Panels = NonNullable<SampleModelPanelsQuery['sample']>;

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

export function PredictionSection(props: {
  barcode: string;
  recordedType: string | null;
  prediction: Panels['cancerTypePrediction'];
  risk: Panels['riskScore'];
  modelName: string | null;
}) {
  const { prediction, risk } = props;
  return (
    <section aria-labelledby="predictions">
      <h2 id="predictions">Model predictions{props.modelName ? ` (${props.modelName})` : ''}</h2>
      {!prediction || !risk ? (
        <p className="empty">This sample has no raw counts, so the model cannot embed it.</p>
      ) : (
        <>
          <dl className="facts panel">
            <dt>Predicted cancer type</dt>
            <dd>
              <strong data-testid="predicted-type" data-probability={String(prediction.probability)}>
                {prediction.cancerType}
              </strong>{' '}
              (probability {percent(prediction.probability)}
              {props.recordedType
                ? `; recorded ${props.recordedType}, ${prediction.cancerType === props.recordedType ? 'agrees' : 'differs'}`
                : ''}
              )
            </dd>
            <dt>Survival-risk score</dt>
            <dd>
              <span data-testid="risk-score" data-value={String(risk.score)}>
                {risk.score.toFixed(3)}
              </span>{' '}
              (Cox linear predictor; higher = worse prognosis)
            </dd>
            <dt>Risk percentile</dt>
            <dd>
              <span data-testid="risk-percentile" data-value={String(risk.percentile)}>
                {risk.percentile === null ? '–' : risk.percentile.toFixed(1)}
              </span>{' '}
              among {risk.referenceSize} samples of {risk.reference}; {risk.trainingPercentile.toFixed(1)}{' '}
              among the samples the risk head was fitted on
            </dd>
          </dl>
          <div className="grid-2">
            <PlotFrame title={`${props.barcode} cancer-type probabilities`} testId="prediction-plot">
              <BarChart
                bars={prediction.probabilities.map((p) => ({
                  label: p.cancerType,
                  segments: [{ key: 'probability', value: p.probability }],
                }))}
                label={`Predicted cancer-type probabilities of ${props.barcode}`}
                axisLabel="probability"
                valueFormat="real"
              />
            </PlotFrame>
            <DataTable
              title="Cancer-type probabilities"
              testId="prediction-table"
              columns={[{ label: 'Cancer type' }, { label: 'Probability', numeric: true }]}
              rows={prediction.probabilities.map((p) => ({
                key: p.cancerType,
                cells: [{ value: p.cancerType }, { value: p.probability, text: p.probability.toFixed(4) }],
              }))}
              pageSize={25}
              emptyText="No cancer-type head."
            />
          </div>
        </>
      )}
    </section>
  );
}
