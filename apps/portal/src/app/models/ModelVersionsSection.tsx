// The model versions: a table (status, parent, heads, training samples, dates) and, per version, its
// metrics and promotion-gate record (the candidate's numbers against the then-active model's).
import { DataTable } from '../../components/DataTable.tsx';
import { PlotFrame } from '../../components/PlotFrame.tsx';
import { LossCurvePlot } from '../../components/plots/LossCurvePlot.tsx';
import { SimulatedBadge } from '../../components/SimulatedBadge.tsx';
import type { ModelsOverviewQuery } from '../../generated/graphql.ts';
import { formatTimestamp } from '../../lib/format.ts';
import { gateSummary, numericMetrics, showNumber } from '../../lib/modelMetrics.ts';
import { EvaluationSection } from './EvaluationSection.tsx';
import { HeadsSection } from './HeadsSection.tsx';

type Version = ModelsOverviewQuery['models']['nodes'][number];

function GateRecord(props: { gate: unknown }) {
  const gate = gateSummary(props.gate);
  if (!gate) return <p className="muted">Never gated (the shipped or first model).</p>;
  return (
    <>
      <p>
        Gate decision: <strong>{gate.decision}</strong>
        {gate.comparedWith ? ` against ${gate.comparedWith}` : ''}
        {gate.validationSamples !== null ? ` on ${gate.validationSamples} validation samples` : ''}.{' '}
        {gate.reason}
      </p>
      {gate.rows.length > 0 && (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                Candidate
              </th>
              <th scope="col" className="num">
                Active
              </th>
              <th scope="col">Worse?</th>
            </tr>
          </thead>
          <tbody>
            {gate.rows.map((r) => (
              <tr key={r.metric}>
                <td>{r.metric}</td>
                <td className="num">{showNumber(r.candidate)}</td>
                <td className="num">{showNumber(r.active)}</td>
                <td>{r.worse ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function TrainingCurve(props: { version: Version }) {
  const v = props.version;
  const points = v.trainingCurve;
  if (points.length === 0) return <p className="muted">No training log in the checkpoint folder.</p>;
  const last = points.at(-1)!;
  return (
    <PlotFrame
      title={`Training loss of ${v.name}`}
      testId={`loss-curve-${v.id}`}
      caption={`${points.length} evaluations up to epoch ${last.epoch} (step ${last.step}); last training loss ${last.trainLoss.toFixed(4)}${last.valLoss === null ? '' : `, validation loss ${last.valLoss.toFixed(4)}`}.`}
    >
      <LossCurvePlot points={points} label={`Training and validation loss of ${v.name} by epoch`} />
    </PlotFrame>
  );
}

function VersionDetails(props: { version: Version }) {
  const v = props.version;
  const metrics = numericMetrics(v.metrics);
  return (
    <details className="panel" data-testid={`model-${v.id}`} open={v.isActive}>
      <summary>
        {v.name} ({v.status.toLowerCase()}): heads, metrics, gate record, loss curve and evaluation
        {v.trainedOnSimulated ? (
          <>
            {' '}
            <SimulatedBadge text="trained on simulated data" testId={`model-simulated-${v.id}`} />
          </>
        ) : null}
      </summary>
      {v.trainedOnSimulated ? (
        <p className="muted">
          This model was trained on simulated samples too (a retraining that asked for them with
          --include-simulated / includeSimulated): do not use it for real samples.
        </p>
      ) : null}
      <h4>Heads</h4>
      <HeadsSection version={v} />
      <h4>Metrics</h4>
      {metrics.length === 0 ? (
        <p className="muted">No numeric metrics recorded.</p>
      ) : (
        <dl className="facts">
          {metrics.map(([k, value]) => (
            <div key={k} style={{ display: 'contents' }}>
              <dt>{k}</dt>
              <dd>{showNumber(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      <h4>Promotion gate</h4>
      <GateRecord gate={v.gate} />
      <h4>Training loss</h4>
      <TrainingCurve version={v} />
      <h4>Against the baselines of gexbert evaluate</h4>
      <EvaluationSection rows={v.evaluation} versionId={v.id} />
    </details>
  );
}

export function ModelVersionsSection(props: { models: Version[] }) {
  return (
    <section aria-labelledby="versions">
      <h2 id="versions">Model versions</h2>
      <DataTable
        title="Model versions"
        testId="model-table"
        columns={[
          { label: 'Name' },
          { label: 'Status' },
          { label: 'Parent' },
          { label: 'Training samples', numeric: true },
          { label: 'Heads' },
          { label: 'Created' },
          { label: 'Activated' },
        ]}
        rows={props.models.map((m) => ({
          key: m.id,
          cells: [
            { value: m.name, ...(m.trainedOnSimulated ? { badge: 'trained on simulated data' } : {}) },
            { value: m.status },
            { value: m.parent?.name ?? '–' },
            { value: m.trainingSampleCount },
            {
              value: m.headsInfo
                ? `${m.headsInfo.id}: ${m.knownCancerTypes.length ? `cancer type (${m.knownCancerTypes.join(', ')})` : 'no cancer-type head'}; ${m.heads.risk ? 'risk' : 'no risk head'}`
                : 'no heads: predicts no type or risk',
            },
            { value: m.createdAt, text: formatTimestamp(m.createdAt) },
            { value: m.activatedAt, text: m.activatedAt ? formatTimestamp(m.activatedAt) : '–' },
          ],
        }))}
        pageSize={10}
        emptyText="No model versions: `gexbert start` activates the shipped model."
      />
      {props.models.map((m) => (
        <VersionDetails key={m.id} version={m} />
      ))}
    </section>
  );
}
