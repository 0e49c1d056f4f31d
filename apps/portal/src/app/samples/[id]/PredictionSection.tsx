// What the model's heads say about a sample: the predicted cancer type with every type's calibrated
// probability and the novelty score, or an explicit unknown when the sample looks unlike every type the
// heads know (the closest type is then named as closest, never as the prediction); the survival-risk score
// with its percentile (when the reference has patients with survival) and what the risk head was fitted on.
// Every answer names the head version that gave it.
import { DataTable } from '../../../components/DataTable.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { BarChart } from '../../../components/plots/BarChart.tsx';
import type { SampleModelPanelsQuery } from '../../../generated/graphql.ts';
import {
  headsText,
  isUnknownType,
  knownTypeText,
  percent,
  riskFitText,
  unknownTypeText,
} from '../../../lib/prediction.ts';

type Panels = NonNullable<SampleModelPanelsQuery['sample']>;

export function PredictionSection(props: {
  barcode: string;
  recordedType: string | null;
  prediction: Panels['cancerTypePrediction'];
  risk: Panels['riskScore'];
  modelName: string | null;
}) {
  const { prediction, risk } = props;
  const unknown = prediction ? isUnknownType(prediction) : false;
  return (
    <section aria-labelledby="predictions">
      <h2 id="predictions">Model predictions{props.modelName ? ` (${props.modelName})` : ''}</h2>
      {!prediction || !risk ? (
        <p className="empty">This sample has no raw counts, so the model cannot embed it.</p>
      ) : (
        <>
          {unknown && (
            <div className="notice-warning" role="note" data-testid="unknown-type">
              <strong>Unknown type:</strong> {unknownTypeText(prediction, prediction.model.knownCancerTypes)}
            </div>
          )}
          <dl className="facts panel">
            <dt>Predicted cancer type</dt>
            <dd>
              <strong
                data-testid="predicted-type"
                data-ood={String(prediction.outOfDistribution)}
                data-probability={String(prediction.probability)}
                data-novelty={String(prediction.novelty)}
              >
                {unknown ? 'unknown' : prediction.cancerType}
              </strong>{' '}
              {unknown ? (
                <>
                  (flagged out of distribution: novelty {prediction.novelty.toFixed(2)}, above 1; closest
                  known type {prediction.closestType}, probability {percent(prediction.probability)}
                  {props.recordedType ? `; recorded ${props.recordedType}` : ''})
                </>
              ) : (
                <>
                  ({knownTypeText(prediction)}
                  {props.recordedType
                    ? `; recorded ${props.recordedType}, ${prediction.cancerType === props.recordedType ? 'agrees' : 'differs'}`
                    : ''}
                  )
                </>
              )}
            </dd>
            <dt>Type answered by</dt>
            <dd data-testid="type-heads" data-heads={prediction.heads.id}>
              {headsText(prediction.heads)}; known types{' '}
              {prediction.model.knownCancerTypes.join(', ') || 'none'}
            </dd>
            <dt>Survival-risk score</dt>
            <dd>
              <span data-testid="risk-score" data-value={String(risk.score)}>
                {risk.score.toFixed(3)}
              </span>{' '}
              (Cox linear predictor; higher = worse prognosis; {riskFitText(risk)})
            </dd>
            <dt>Risk percentile</dt>
            <dd>
              {risk.percentile === null ? (
                <>
                  <span data-testid="risk-percentile" data-value="null">
                    none
                  </span>
                  : {risk.referenceNote ?? `no patient of ${risk.reference} has overall survival`}.{' '}
                </>
              ) : (
                <>
                  <span data-testid="risk-percentile" data-value={String(risk.percentile)}>
                    {risk.percentile.toFixed(1)}
                  </span>{' '}
                  among {risk.referenceSize} patients with overall survival of {risk.reference};{' '}
                </>
              )}
              {risk.trainingPercentile.toFixed(1)} among the {risk.patients} patients the risk head was fitted
              on
            </dd>
            <dt>Risk answered by</dt>
            <dd data-testid="risk-heads" data-heads={risk.heads.id}>
              {headsText(risk.heads)}; <span data-testid="risk-fit">{riskFitText(risk)}</span>
            </dd>
          </dl>
          <div className="grid-2">
            <PlotFrame
              title={`${props.barcode} cancer-type probabilities`}
              testId="prediction-plot"
              caption={
                unknown
                  ? 'Calibrated probabilities among the known types only: the sample is flagged as unlike all of them, so none of these is a prediction.'
                  : 'Calibrated probabilities (temperature scaling) of every type the heads know.'
              }
            >
              <BarChart
                bars={prediction.probabilities.map((p) => ({
                  label: p.cancerType,
                  segments: [{ key: 'probability', value: p.probability }],
                }))}
                label={`${unknown ? 'Closest known' : 'Predicted'} cancer-type probabilities of ${props.barcode}`}
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
