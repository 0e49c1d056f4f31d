// Training runs, newest first, with their progress as the worker reports it (percent, epoch, step, loss,
// throughput, ETA) and how they ended. A run that has not finished gets a "Cancel" button (admins).
import { DataTable } from '../../components/DataTable.tsx';
import type { ModelsOverviewQuery } from '../../generated/graphql.ts';
import { formatTimestamp } from '../../lib/format.ts';
import { showNumber } from '../../lib/modelMetrics.ts';
import { CancelRunButton } from './CancelRunButton.tsx';

type Run = ModelsOverviewQuery['trainingRuns']['nodes'][number];

function progressText(r: Run): string {
  const parts = [r.percent === null ? null : `${r.percent.toFixed(1)}%`];
  if (r.epoch !== null) parts.push(`epoch ${r.epoch}${r.totalEpochs ? `/${r.totalEpochs}` : ''}`);
  if (r.step !== null) parts.push(`step ${r.step}${r.totalSteps ? `/${r.totalSteps}` : ''}`);
  if (r.status === 'RUNNING' && r.etaSeconds !== null) parts.push(`ETA ${Math.round(r.etaSeconds)} s`);
  return parts.filter(Boolean).join(', ') || '–';
}

const UNFINISHED = ['QUEUED', 'RUNNING', 'INTERRUPTED'];

function statusText(r: Run): string {
  return r.status === 'RUNNING' && r.cancelRequestedAt ? 'RUNNING (cancel requested)' : r.status;
}

/** `canCancel`: the signed-in user is an admin (others see no Cancel button; the action refuses them too). */
export function TrainingRunsSection(props: { runs: Run[]; canCancel: boolean }) {
  const unfinished = props.runs.filter((r) => UNFINISHED.includes(r.status));
  return (
    <>
      {unfinished.map((r) => (
        <div key={r.id} className="panel" data-testid={`run-progress-${r.id}`}>
          {r.status === 'RUNNING' ? (
            <p>
              Run {r.id}: <progress max={100} value={r.percent ?? 0} aria-label={`Run ${r.id} progress`} />{' '}
              {progressText(r)}; loss {showNumber(r.loss)}
              {r.samplesPerSec !== null ? `, ${r.samplesPerSec.toFixed(0)} samples/s` : ''}
              {r.heartbeatAt ? ` (reported ${formatTimestamp(r.heartbeatAt)})` : ''}
            </p>
          ) : (
            <p>
              Run {r.id}: {r.status.toLowerCase()}
              {r.status === 'INTERRUPTED' ? ' (resumes when a worker starts)' : ''}
            </p>
          )}
          {r.cancelRequestedAt ? (
            <p className="muted">
              Cancel requested by {r.cancelledBy ?? 'an admin'}; stopping at the next step.
            </p>
          ) : props.canCancel ? (
            <CancelRunButton runId={r.id} />
          ) : null}
        </div>
      ))}
      <DataTable
        title="Training runs"
        testId="run-table"
        columns={[
          { label: 'Run', numeric: true },
          { label: 'Status' },
          { label: 'Reason' },
          { label: 'Requested by' },
          { label: 'Progress' },
          { label: 'Loss', numeric: true },
          { label: 'Validation loss', numeric: true },
          { label: 'Model' },
          { label: 'Created' },
          { label: 'Finished' },
          { label: 'Error' },
        ]}
        rows={props.runs.map((r) => ({
          key: r.id,
          cells: [
            { value: Number(r.id), text: r.id },
            { value: statusText(r) },
            { value: r.reason },
            { value: r.requestedBy ?? '–' },
            { value: r.percent, text: progressText(r) },
            { value: r.loss, text: showNumber(r.loss) },
            { value: r.valLoss, text: showNumber(r.valLoss) },
            { value: r.modelVersion?.name ?? '–' },
            { value: r.createdAt, text: formatTimestamp(r.createdAt) },
            { value: r.finishedAt, text: r.finishedAt ? formatTimestamp(r.finishedAt) : '–' },
            { value: r.error ?? '' },
          ],
        }))}
        pageSize={10}
        emptyText="No training runs yet."
      />
    </>
  );
}
