// Overall survival split by the gene's expression: Kaplan-Meier curves per group with 95% bands and the
// number at risk, the cut-offs, and the log-rank test the API computed (model/src/survival).
import { PlotFrame } from '../../../../../components/PlotFrame.tsx';
import { KaplanMeierPlot } from '../../../../../components/plots/KaplanMeierPlot.tsx';
import type { GeneAcrossCohortQuery } from '../../../../../generated/graphql.ts';
import { formatPValue } from '../../../../../lib/format.ts';
import type { Split } from '../../../../../lib/genePage.ts';

type Survival = NonNullable<GeneAcrossCohortQuery['cohort']>['geneSurvival'];

const SPLIT_TEXT: Record<Split, string> = {
  median: 'at the median',
  quartiles: 'at the quartiles',
  cutoff: 'at the chosen cut-off',
};

export function GeneSurvivalSection(props: {
  survival: Survival;
  gene: string;
  unitLabel: string;
  split: Split;
}) {
  const { groups, logRank, missing, cutoffs } = props.survival;
  const title = `Overall survival by ${props.gene} ${props.unitLabel}, split ${SPLIT_TEXT[props.split]}`;
  return (
    <section aria-labelledby="gene-survival">
      <h2 id="gene-survival">Survival by {props.gene} expression</h2>
      {groups.length === 0 ? (
        <p className="empty">No patient with a value of {props.gene} has a usable survival time.</p>
      ) : (
        <PlotFrame
          title={title}
          testId="gene-km-plot"
          caption={
            <>
              A patient's value is the mean of its samples'. Cut-off
              {cutoffs.length === 1 ? '' : 's'} ({props.unitLabel}):{' '}
              <span data-testid="gene-cutoffs">{cutoffs.map((c) => c.toPrecision(4)).join(', ')}</span>; a
              value above a cut-off is in the higher group. Groups:{' '}
              {groups.map((g) => `${g.name} ${g.patients} patients, ${g.events} deaths`).join('; ')}.{' '}
              {logRank ? (
                <>
                  Log-rank test: χ² = {logRank.statistic.toFixed(2)}, df = {logRank.df}, p ={' '}
                  <span data-testid="gene-logrank-p" data-value={String(logRank.pValue)}>
                    {formatPValue(logRank.pValue)}
                  </span>
                  .
                </>
              ) : (
                'Fewer than two groups (or no death): no log-rank test.'
              )}{' '}
              {missing > 0 &&
                `${missing} ${missing === 1 ? 'patient' : 'patients'} without a value or a usable survival time left out.`}
            </>
          }
        >
          <KaplanMeierPlot
            groups={groups}
            label={`${title}: Kaplan-Meier curves of ${groups.length} groups`}
          />
        </PlotFrame>
      )}
    </section>
  );
}
