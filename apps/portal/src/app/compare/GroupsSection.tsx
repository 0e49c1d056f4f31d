// The two groups side by side: overall survival (Kaplan-Meier of each, log-rank p) and their composition.
import { PlotFrame } from '../../components/PlotFrame.tsx';
import { BarChart } from '../../components/plots/BarChart.tsx';
import { KaplanMeierPlot } from '../../components/plots/KaplanMeierPlot.tsx';
import type { CompareGroupsQuery } from '../../generated/graphql.ts';
import { UNKNOWN_TYPE } from '../../lib/cohortFigures.ts';
import { formatPValue, formatSampleType } from '../../lib/format.ts';

type Comparison = CompareGroupsQuery['compareGroups'];

export function GroupsSection(props: { comparison: Comparison }) {
  const { survival, groups } = props.comparison;
  if (!survival || !groups) return null;
  const labelOf = new Map(groups.map((g) => [g.name, `${g.name}: ${g.label}`]));
  const logRank = survival.logRank;
  return (
    <section aria-labelledby="groups">
      <h2 id="groups">The two groups</h2>
      <div className="grid-2">
        <PlotFrame
          title="Overall survival of the two groups"
          testId="compare-km"
          caption={
            <>
              {logRank ? (
                <>
                  Log-rank test: χ² = {logRank.statistic.toFixed(2)}, df = {logRank.df}, p ={' '}
                  <span data-testid="compare-logrank-p" data-value={String(logRank.pValue)}>
                    {formatPValue(logRank.pValue)}
                  </span>
                  .
                </>
              ) : (
                'No log-rank test (a group has no patient with survival).'
              )}{' '}
              {survival.missing > 0 &&
                `${survival.missing} patients without a usable survival time left out.`}
            </>
          }
        >
          <KaplanMeierPlot
            groups={survival.groups.map((g) => ({ ...g, name: labelOf.get(g.name) ?? g.name }))}
            label="Kaplan-Meier curves of overall survival of groups A and B"
          />
        </PlotFrame>
        {groups.map((g) => (
          <PlotFrame
            key={g.name}
            title={`Composition of group ${g.name}`}
            testId={`compare-composition-${g.name.toLowerCase()}`}
            caption={g.label}
          >
            <BarChart
              bars={[...new Set(g.composition.map((r) => r.cancerType ?? UNKNOWN_TYPE))].map((type) => ({
                label: type,
                segments: g.composition
                  .filter((r) => (r.cancerType ?? UNKNOWN_TYPE) === type)
                  .map((r) => ({ key: formatSampleType(r.sampleType), value: r.count })),
              }))}
              label={`Samples of group ${g.name} by cancer type, stacked by sample type`}
              axisLabel="Samples"
            />
          </PlotFrame>
        ))}
      </div>
    </section>
  );
}
