// Why the model says so: the sample's genes ranked by their occlusion attribution (Sample.attributions: the
// head's output with all genes minus with the gene given as missing) for the predicted type's probability, its
// log-odds or the risk score, chosen in the URL (?why=CANCER_TYPE_LOG_ODDS|RISK). Top genes as signed bars; the top 200 in a table with TSV
// download. Stored attributions are shown at once; otherwise the API starts computing them in the background
// (one occlusion per measured gene: 12-17 s for a whole profile on 2 idle cores) and the section says what the
// computation is doing (reading the values and loading the model; waiting for the model behind how many other
// computations; N of M genes done) and for how long (the progress stored in the database, the same from every
// API replica), refreshing until they are ready, so the rest of the page never waits for them.

import { DataTable } from '../../../components/DataTable.tsx';
import { Link } from '../../../components/Link.tsx';
import { PlotFrame } from '../../../components/PlotFrame.tsx';
import { SignedBarChart } from '../../../components/plots/SignedBarChart.tsx';
import { RefreshPoller } from '../../../components/RefreshPoller.tsx';
import {
  type AttributionStage,
  type AttributionTarget,
  SampleAttributionsDocument,
  SampleAttributionsReadyDocument,
} from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';

const BARS = 20;
const LISTED = 200;
/** How often the page asks again while the attributions are being computed. */
const POLL_MS = 2000;

const TARGETS: Record<AttributionTarget, { what: string; link: string; axis: string }> = {
  CANCER_TYPE: { what: 'the probability of', link: 'the probability', axis: 'Change in probability' },
  CANCER_TYPE_LOG_ODDS: {
    what: 'the log-odds of',
    link: 'the log-odds (not saturated near certainty)',
    axis: 'Change in log-odds',
  },
  RISK: { what: 'the survival-risk score', link: 'the risk score', axis: 'Change in risk score' },
};

export function attributionTarget(param: string | undefined): AttributionTarget {
  return param === 'RISK' || param === 'CANCER_TYPE_LOG_ODDS' ? param : 'CANCER_TYPE';
}

type Progress = {
  stage?: AttributionStage | null;
  computationsAhead?: number | null;
  secondsComputing?: number | null;
  genesDone?: number | null;
  genesTotal?: number | null;
};

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** What the computation is doing, as the API knows it (the progress row any API replica reads). */
export function computingNow(ready: Progress | null | undefined): string {
  const genes =
    ready?.genesTotal != null
      ? `${(ready.genesDone ?? 0).toLocaleString('en')} of ${plural(ready.genesTotal, 'gene', 'genes')} done`
      : null;
  const doing =
    ready?.stage === 'STARTING'
      ? "reading the sample's values and loading the model"
      : ready?.stage === 'WAITING'
        ? `waiting for the model, busy with ${plural(ready.computationsAhead ?? 1, 'other computation', 'other computations')} ahead of this one (other samples' attributions, embeddings or restored values)`
        : null;
  const seconds = ready?.secondsComputing != null ? `${Math.round(ready.secondsComputing)} s so far` : null;
  const parts = [doing, genes, seconds].filter((p) => p !== null);
  return parts.length > 0 ? `: ${parts.join('; ')}` : '';
}

export async function AttributionSection(props: { id: string; target: AttributionTarget }) {
  const readiness = await attempt(() => apiRequest(SampleAttributionsReadyDocument, { id: props.id }));
  const ready = readiness.ok ? readiness.data.sample?.attributionsReady : null;
  const waiting = ready && !ready.ready;
  const result = waiting
    ? null
    : await attempt(() =>
        apiRequest(SampleAttributionsDocument, { id: props.id, target: props.target, top: LISTED }),
      );
  const a = result?.ok ? result.data.sample?.attributions : null;
  const target = TARGETS[props.target];
  const what =
    props.target === 'RISK' ? target.what : `${target.what} ${a?.cancerType ?? 'the predicted type'}`;
  const others = (Object.keys(TARGETS) as AttributionTarget[]).filter((t) => t !== props.target);
  return (
    <section aria-labelledby="attributions" data-testid="attributions" data-target={props.target}>
      <h2 id="attributions">Why the model says so</h2>
      <p>
        Gene attributions for {what}: the model's output with all measured genes minus its output with the
        gene hidden (given to the model as missing). Positive (red) genes push towards{' '}
        {props.target === 'RISK' ? 'higher risk' : 'the predicted type'}. Explain instead:{' '}
        {others.map((t, i) => (
          <span key={t}>
            {i > 0 ? ', ' : ''}
            <Link href={`/samples/${encodeURIComponent(props.id)}?why=${t}#attributions`}>
              {TARGETS[t].link}
            </Link>
          </span>
        ))}
      </p>
      {!result ? (
        <RefreshPoller active everyMs={POLL_MS} testId="attributions-computing">
          Computing gene attributions (one model run per measured gene){computingNow(ready)}. This section
          fills in when they are ready; they are stored, so the next visit shows them at once.
        </RefreshPoller>
      ) : !result.ok ? (
        <p role="alert" className="error-text">
          The attributions could not be computed: {result.message}
        </p>
      ) : !a ? (
        <p className="empty">This sample has no raw counts, so the model cannot explain it.</p>
      ) : (
        <>
          <p className="muted" data-testid="attribution-baseline" data-baseline={String(a.baseline)}>
            {a.model.name}:{' '}
            {props.target === 'RISK'
              ? 'risk score'
              : props.target === 'CANCER_TYPE'
                ? `P(${a.cancerType})`
                : `log-odds of ${a.cancerType}`}{' '}
            {a.baseline.toFixed(4)} from {a.inputGenes} measured genes (heads fitted on {a.headInputGenes}{' '}
            genes).
          </p>
          <PlotFrame title={`Top ${BARS} genes for ${what}`} testId="attribution-plot">
            <SignedBarChart
              label={`Gene attributions for ${what}`}
              axisLabel={target.axis}
              bars={a.genes
                .slice(0, BARS)
                .map((g) => ({ label: g.gene?.symbol ?? g.ensemblId, value: g.attribution }))}
            />
          </PlotFrame>
          <DataTable
            title={`Gene attributions ${props.target === 'RISK' ? 'risk' : a.cancerType}`}
            urlKey="attributions"
            testId="attribution-table"
            pageSize={10}
            emptyText="No gene was measured."
            note={`The ${a.genes.length} genes of largest |attribution| of ${a.inputGenes}.`}
            columns={[
              { label: 'Rank', numeric: true },
              { label: 'Gene' },
              { label: 'Ensembl ID' },
              { label: 'Input log2(CPM+1)', numeric: true },
              { label: 'Attribution', numeric: true },
              { label: 'Output with gene hidden', numeric: true },
            ]}
            rows={a.genes.map((g) => ({
              key: g.ensemblId,
              cells: [
                { value: g.rank },
                { value: g.gene?.symbol ?? '' },
                { value: g.ensemblId },
                { value: Number(g.value.toFixed(4)) },
                { value: Number(g.attribution.toPrecision(4)) },
                { value: Number(g.occluded.toPrecision(6)) },
              ],
            }))}
          />
        </>
      )}
    </section>
  );
}
