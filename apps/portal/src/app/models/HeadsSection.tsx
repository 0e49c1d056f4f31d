// A model version's heads: their version, when and on what they were fitted (samples, real or simulated, the
// known cancer types with counts, survival patients and deaths), the restoration intervals' coverage, and the
// held-out figures measured when they were fitted, grouped as the cancer-type head on the whole profile and
// on 64-gene panels, and the intervals by share of genes missing.
import type { ModelsOverviewQuery } from '../../generated/graphql.ts';
import { formatTimestamp } from '../../lib/format.ts';
import { headsMetricGroups, showMetric } from '../../lib/headsMetrics.ts';

type Version = ModelsOverviewQuery['models']['nodes'][number];

export function HeadsSection(props: { version: Version }) {
  const v = props.version;
  const h = v.headsInfo;
  if (!h)
    return (
      <p className="muted" data-testid={`heads-${v.id}`} data-heads="none">
        No heads: predicts no type or risk.
      </p>
    );
  const groups = headsMetricGroups(h.metrics);
  const { typeHead } = groups;
  return (
    <div data-testid={`heads-${v.id}`} data-heads={h.id}>
      <dl className="facts">
        <dt>Head version</dt>
        <dd>
          <code>{h.id}</code>, fitted {formatTimestamp(h.fittedAt)}
        </dd>
        <dt>Fitted on</dt>
        <dd>
          <span data-testid={`heads-samples-${v.id}`}>{h.samples.toLocaleString('en-US')}</span>{' '}
          {h.simulated ? (
            <strong>simulated samples (for demos only: do not trust these heads on real samples)</strong>
          ) : (
            'real samples'
          )}{' '}
          from {h.source}
        </dd>
        <dt>Known cancer types</dt>
        <dd data-testid={`heads-types-${v.id}`}>
          {h.cancerTypes.length === 0
            ? 'none (no cancer-type head)'
            : h.cancerTypes.map((t) => `${t.cancerType} (${t.samples})`).join(', ')}
          {h.cancerTypes.length > 0 && '; any other type is flagged as unknown'}
        </dd>
        <dt>Risk head</dt>
        <dd data-testid={`heads-survival-${v.id}`}>
          {h.survivalPatients === 0
            ? 'none (no patient with overall survival)'
            : `${h.survivalPatients.toLocaleString('en-US')} patients with overall survival, ${h.events.toLocaleString('en-US')} deaths`}
        </dd>
        <dt>Restoration intervals</dt>
        <dd>
          {h.intervalCoverage === null
            ? 'not calibrated (restored values have no interval)'
            : `${Math.round(h.intervalCoverage * 100)}% nominal coverage`}
        </dd>
      </dl>
      {typeHead.rows.length > 0 && (
        <table className="compact" data-testid={`heads-metrics-${v.id}`}>
          <caption>
            Cancer-type head and novelty flag, held out when the heads were fitted: on the whole profile and
            on 64-gene panels
          </caption>
          <thead>
            <tr>
              <th scope="col">Held-out figure</th>
              {typeHead.columns.map((c) => (
                <th key={c} scope="col" className="num">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {typeHead.rows.map((r) => (
              <tr key={r.metric} data-metric={r.metric}>
                <th scope="row" title={r.metric}>
                  {r.label}
                </th>
                {r.values.map((value, i) => (
                  <td key={typeHead.columns[i]} className="num">
                    {showMetric(r.metric, value)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {groups.intervals.length > 0 && (
        <table className="compact" data-testid={`heads-intervals-${v.id}`}>
          <caption>
            Measured coverage of the{' '}
            {h.intervalCoverage === null ? '' : `${Math.round(h.intervalCoverage * 100)}% `}restoration
            intervals on held-out samples
          </caption>
          <thead>
            <tr>
              <th scope="col">Genes missing</th>
              <th scope="col" className="num">
                Share of intervals holding the true value
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.intervals.map((r) => (
              <tr key={r.missingPercent}>
                <th scope="row">{r.missingPercent}%</th>
                <td className="num">{r.coverage.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {groups.other.length > 0 && (
        <dl className="facts">
          {groups.other.map((m) => (
            <div key={m.name} style={{ display: 'contents' }}>
              <dt>{m.name}</dt>
              <dd>{showMetric(m.name, m.value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
