'use client';
// "Cancel" on a queued, running or interrupted training run (admins; the API refuses anyone else).
import { useActionState } from 'react';
import { type CancelState, cancelTrainingRun } from './cancelAction.ts';

export function CancelRunButton(props: { runId: string }) {
  const [state, action, pending] = useActionState<CancelState, FormData>(cancelTrainingRun, {
    error: null,
    status: null,
  });
  return (
    <form action={action} data-testid={`cancel-run-${props.runId}`}>
      <input type="hidden" name="runId" value={props.runId} />
      <button type="submit" disabled={pending || state.status !== null}>
        {pending ? 'Cancelling…' : state.status === null ? 'Cancel' : 'Cancel requested'}
      </button>
      {state.error && (
        <span role="alert" className="error-text">
          {' '}
          {state.error}
        </span>
      )}
    </form>
  );
}
