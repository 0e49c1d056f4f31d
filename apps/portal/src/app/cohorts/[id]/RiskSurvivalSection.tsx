// Overall survival by the model's predicted risk groups (median split and tertiles of the cohort's risk
// scores): Kaplan-Meier curves with 95% bands and the number at risk, and the API's log-rank test.
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { KaplanMeierPlot } from '../../../components/plots/KaplanMeierPlot.tsx';
import type { RiskSurvivalFragment } from '../../../generated/graphql.ts';
import { formatPValue } from '../../../lib/format.ts';

function RiskPlot(props: { survival: RiskSurvivalFragment; kind: 'median' | 'tertiles' }) {
  const { groups, logRank, missing, cutoffs } = props.survival;
  const title =
    props.kind === 'median'
      ? 'Overall survival by predicted risk (median split)'
      : 'Overall survival by predicted risk (tertiles)';
  if (groups.length === 0)
    return (
      <p className="empty">{title}: no patient of this cohort has both a survival time and raw counts.</p>
    );
  return (
    <PlotFrame
      title={title}
      testId={`risk-km-${props.kind}`}
      caption={
        <>
          Risk-score cut-offs: {cutoffs.map((c) => c.toFixed(3)).join(', ')} (a patient's risk is the mean of
          its samples' scores). Shaded: 95% confidence bands.{' '}
          {logRank ? (
            <>
              Log-rank test: χ² = {logRank.statistic.toFixed(2)}, df = {logRank.df}, p ={' '}
              <span data-testid={`risk-logrank-p-${props.kind}`} data-value={String(logRank.pValue)}>
                {formatPValue(logRank.pValue)}
              </span>
              .
            </>
          ) : (
            'One group only: no log-rank test.'
          )}{' '}
          {missing > 0 && `${missing} patients without a survival time or raw counts left out.`}
        </>
      }
    >
      <KaplanMeierPlot groups={groups} label={`${title}: Kaplan-Meier curves of ${groups.length} groups`} />
    </PlotFrame>
  );
}

export function RiskSurvivalSection(props: { median: RiskSurvivalFragment; tertiles: RiskSurvivalFragment }) {
  const model = props.median.model;
  return (
    <section aria-labelledby="risk-survival">
      <h2 id="risk-survival">Survival by predicted risk{model ? ` (${model.name})` : ''}</h2>
      <div className="grid-2">
        <RiskPlot survival={props.median} kind="median" />
        <RiskPlot survival={props.tertiles} kind="tertiles" />
      </div>
    </section>
  );
}
