// Compare two groups: two cohorts, or one cohort split by cancer type or sample type, gene by gene (the API's
// compareGroups), with every choice in the URL. Shows the volcano plot, the sorted gene table with its TSV,
// the two groups' overall survival and composition side by side; a comparison the API runs as a job shows
// its progress and the page refreshes until it is done.
import type { Metadata } from 'next';
import { Link } from '../../components/Link.tsx';
import { RefreshPoller } from '../../components/RefreshPoller.tsx';
import { Stats } from '../../components/Stats.tsx';
import { CompareChoicesDocument, CompareGroupsDocument } from '../../generated/graphql.ts';
import { apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireUser } from '../../lib/auth.ts';
import { compareArgs, compareQuery, isComplete, parseCompareState } from '../../lib/comparison.ts';
import { formatInt } from '../../lib/format.ts';
import { heatmapHref } from '../../lib/heatmapPage.ts';
import { CompareForm } from './CompareForm.tsx';
import { GeneTableSection } from './GeneTableSection.tsx';
import { GroupsSection } from './GroupsSection.tsx';
import { VolcanoSection } from './VolcanoSection.tsx';

export const metadata: Metadata = { title: 'Compare groups' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ComparePage({ searchParams }: Props) {
  const state = parseCompareState(await searchParams);
  await requireUser(isComplete(state) ? `/compare${compareQuery(state)}` : '/compare');
  const choices = await attempt(async () => (await apiRequest(CompareChoicesDocument, {})).cohorts.nodes);
  const cohortName = (id: string) =>
    (choices.ok ? choices.data.find((c) => c.id === id)?.name : null) ?? `cohort ${id}`;
  const result = isComplete(state)
    ? await attempt(async () => (await apiRequest(CompareGroupsDocument, compareArgs(state))).compareGroups)
    : null;
  return (
    <>
      <h1>Compare two groups</h1>
      <CompareForm state={state} cohorts={choices.ok ? choices.data : []} />
      {result && !result.ok && (
        <p className="error-text" role="alert" data-testid="compare-error">
          The comparison could not be made: {result.message}
        </p>
      )}
      {result?.ok && result.data.state !== 'DONE' && (
        <section aria-labelledby="progress" data-testid="compare-progress">
          <h2 id="progress">Comparison {result.data.state.toLowerCase()}</h2>
          {result.data.state === 'FAILED' ? (
            <p className="error-text" role="alert">
              {result.data.error}
            </p>
          ) : (
            <>
              <progress max={1} value={result.data.progress} aria-label="Comparison progress" />{' '}
              {Math.round(result.data.progress * 100)}% — {result.data.stage ?? 'queued'}
              <RefreshPoller active everyMs={2000}>
                Running as a job: this page refreshes every 2 s.
              </RefreshPoller>
            </>
          )}
        </section>
      )}
      {result?.ok && result.data.state === 'DONE' && result.data.summary && (
        <>
          <Stats
            label="Comparison figures"
            items={[
              ...(result.data.groups ?? []).map((g) => ({
                label: `group ${g.name}: ${g.label}`,
                value: formatInt(g.compared ?? g.sampleCount),
                testId: `group-${g.name.toLowerCase()}-count`,
              })),
              {
                label: 'genes tested',
                value: formatInt(result.data.summary.genesTested),
                testId: 'genes-tested',
              },
              {
                label: `significant at FDR ${result.data.summary.fdr}`,
                value: formatInt(result.data.summary.significant),
                testId: 'genes-significant',
              },
            ]}
          />
          <VolcanoSection comparison={result.data} cohortId={state.a.cohort!} />
          <p>
            Heatmap of the top 50 genes (by adjusted p-value) in{' '}
            {[...new Set([state.a.cohort!, state.b.cohort ?? state.a.cohort!])].map((cohort, k) => (
              <span key={cohort}>
                {k > 0 && ' or '}
                <Link
                  href={heatmapHref(cohort, { comparison: result.data.id, top: 50 })}
                  data-testid={`heatmap-link-${k === 0 ? 'a' : 'b'}`}
                >
                  {cohortName(cohort)}
                </Link>
              </span>
            ))}
          </p>
          <GeneTableSection comparison={result.data} state={state} />
          <GroupsSection comparison={result.data} />
        </>
      )}
    </>
  );
}
