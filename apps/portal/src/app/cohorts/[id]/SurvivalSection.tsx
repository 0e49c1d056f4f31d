// Overall survival of a cohort's patients by cancer type: Kaplan-Meier curves with 95% bands and the
// number at risk, the log-rank test the API computed, and medians per group. Of a cohort with more types than
// DRAWN_TYPES the dashboard draws the largest (the table lists all); its survival page draws a chosen few.
import type { ReactNode } from 'react';
import { DataTable } from '../../../components/DataTable.tsx';
import { Link } from '../../../components/Link.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { KaplanMeierPlot, MAX_BANDED_GROUPS } from '../../../components/plots/KaplanMeierPlot.tsx';
import type { CohortDashboardQuery } from '../../../generated/graphql.ts';
import { formatDays, formatInt, formatPValue } from '../../../lib/format.ts';
import { DRAWN_TYPES, largestGroups, survivalHref } from '../../../lib/survivalChoice.ts';

export type Survival = NonNullable<CohortDashboardQuery['cohort']>['survival'];
type Group = Survival['groups'][number];

function median(g: Group): string {
  if (g.medianDays === null) return 'not reached';
  const bound = (days: number | null) => (days === null ? 'not reached' : formatInt(Math.round(days)));
  return `${formatDays(g.medianDays)}; 95% CI ${bound(g.medianLowerDays)} to ${bound(g.medianUpperDays)} d`;
}

/** The log-rank sentence of a caption: across which groups, and its p. */
function logRankText(logRank: Survival['logRank'], across: string, groups: number): ReactNode {
  if (!logRank)
    return groups < 2 ? 'One group only: no log-rank test.' : 'No log-rank test: no deaths to compare.';
  return (
    <>
      Log-rank test across {across}: χ² = {logRank.statistic.toFixed(2)}, df = {logRank.df}, p ={' '}
      <span data-testid="logrank-p" data-value={String(logRank.pValue)}>
        {formatPValue(logRank.pValue)}
      </span>
      .
    </>
  );
}

/**
 * The Kaplan-Meier figure of `drawn` groups; `logRank` is the test the caption reports (`across` says over
 * which groups), `note` says what is drawn.
 */
export function SurvivalFigure(props: {
  drawn: readonly Group[];
  logRank: Survival['logRank'];
  across: string;
  missing: number;
  note?: ReactNode;
}) {
  const { drawn, missing } = props;
  return (
    <PlotFrame
      title="Kaplan-Meier overall survival by cancer type"
      testId="km-plot"
      caption={
        <>
          {props.note}{' '}
          {drawn.length <= MAX_BANDED_GROUPS
            ? 'Shaded: pointwise 95% confidence bands (Greenwood, log scale).'
            : `No confidence bands: ${drawn.length} groups' bands would hide the curves (draw a few types to see theirs).`}{' '}
          Ticks: censored patients. {logRankText(props.logRank, props.across, drawn.length)}{' '}
          {missing > 0 &&
            `${missing} ${missing === 1 ? 'patient' : 'patients'} without a usable survival time left out.`}
        </>
      }
    >
      <KaplanMeierPlot
        groups={[...drawn]}
        label={`Kaplan-Meier curves of overall survival for ${drawn.length} cancer types`}
      />
    </PlotFrame>
  );
}

/** Patients, deaths and median survival of each group. */
export function SurvivalTable(props: { groups: readonly Group[] }) {
  return (
    <DataTable
      title="Survival by cancer type"
      columns={[
        { label: 'Group' },
        { label: 'Patients', numeric: true },
        { label: 'Deaths', numeric: true },
        { label: 'Median survival (days)' },
      ]}
      rows={props.groups.map((g) => ({
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
  );
}

export function SurvivalSection(props: { cohortId: string; survival: Survival }) {
  const { groups, logRank, missing } = props.survival;
  const names = groups.map((g) => g.name);
  const drawnNames = new Set(groups.length > DRAWN_TYPES ? largestGroups(groups, DRAWN_TYPES) : names);
  const drawn = groups.filter((g) => drawnNames.has(g.name));
  const choose = (
    <Link href={survivalHref(props.cohortId)} data-testid="survival-choose-link">
      choose the types to draw
    </Link>
  );
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
          <SurvivalFigure
            drawn={drawn}
            logRank={logRank}
            across={`all ${groups.length} groups`}
            missing={missing}
            note={
              drawn.length < groups.length ? (
                <span data-testid="survival-drawn-note">
                  Drawn: the {drawn.length} largest of {groups.length} cancer types (the table lists all);{' '}
                  {choose}.
                </span>
              ) : (
                <>Each type on its own, or a few of them: {choose}.</>
              )
            }
          />
          <SurvivalTable groups={groups} />
        </>
      )}
    </section>
  );
}
