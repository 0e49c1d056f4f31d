// Overall survival of a cohort's patients by cancer type: Kaplan-Meier curves with 95% bands and the
// number at risk, the log-rank test the API computed, and medians per group.
import { DataTable } from '../../../components/DataTable.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { KaplanMeierPlot, MAX_BANDED_GROUPS } from '../../../components/plots/KaplanMeierPlot.tsx';
import type { CohortDashboardQuery } from '../../../generated/graphql.ts';
import { formatDays, formatInt, formatPValue } from '../../../lib/format.ts';

type Survival = NonNullable<CohortDashboardQuery['cohort']>['survival'];

function median(g: Survival['groups'][number]): string {
  if (g.medianDays === null) return 'not reached';
  const bound = (days: number | null) => (days === null ? 'not reached' : formatInt(Math.round(days)));
  return `${formatDays(g.medianDays)}; 95% CI ${bound(g.medianLowerDays)} to ${bound(g.medianUpperDays)} d`;
}

export function SurvivalSection(props: { survival: Survival }) {
  const { groups, logRank, missing } = props.survival;
  return (
    <section aria-labelledby="survival">
      <h2 id="survival">Overall survival by cancer type</h2>
      {groups.length === 0 ? (
        <p className="empty">
          No patient of this cohort has a survival time. Import one with `gexbert ingest clinical
          &lt;file&gt;`.
        </p>
      ) : (
        <>
          <PlotFrame
            title="Kaplan-Meier overall survival by cancer type"
            testId="km-plot"
            caption={
              <>
                {groups.length <= MAX_BANDED_GROUPS
                  ? 'Shaded: pointwise 95% confidence bands (Greenwood, log scale).'
                  : `No confidence bands: ${groups.length} groups' bands would hide the curves (compare a few types to see theirs).`}{' '}
                Ticks: censored patients.{' '}
                {logRank ? (
                  <>
                    Log-rank test across {groups.length} groups: χ² = {logRank.statistic.toFixed(2)}, df ={' '}
                    {logRank.df}, p ={' '}
                    <span data-testid="logrank-p" data-value={String(logRank.pValue)}>
                      {formatPValue(logRank.pValue)}
                    </span>
                    .
                  </>
                ) : (
                  'One group only: no log-rank test.'
                )}{' '}
                {missing > 0 &&
                  `${missing} ${missing === 1 ? 'patient' : 'patients'} without a usable survival time left out.`}
              </>
            }
          >
            <KaplanMeierPlot
              groups={groups}
              label={`Kaplan-Meier curves of overall survival for ${groups.length} cancer types`}
            />
          </PlotFrame>
          <DataTable
            title="Survival by cancer type"
            columns={[
              { label: 'Group' },
              { label: 'Patients', numeric: true },
              { label: 'Deaths', numeric: true },
              { label: 'Median survival (days)' },
            ]}
            rows={groups.map((g) => ({
              key: g.name,
              cells: [
                { value: g.name },
                { value: g.patients },
                { value: g.events },
                { value: g.medianDays, text: median(g) },
              ],
            }))}
            pageSize={10}
            emptyText="No groups."
          />
        </>
      )}
    </section>
  );
}
