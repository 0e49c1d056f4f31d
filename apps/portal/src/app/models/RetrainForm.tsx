'use client';
// "Retrain the model" (shown to admins only): optional recipe overrides; queues a run through the server
// action as the signed-in admin.
import { useActionState } from 'react';
import { type RetrainState, triggerRetraining } from './actions.ts';

export function RetrainForm() {
  const [state, action, pending] = useActionState<RetrainState, FormData>(triggerRetraining, {
    error: null,
    queued: null,
  });
  return (
    <form action={action} className="stack panel" aria-describedby="retrain-help">
      <p id="retrain-help" className="muted">
        Queues a retraining run on every real sample in the database (simulated samples, such as the demo
        cohort, only when the box below is ticked); the worker trains it and the promotion gate decides
        whether it replaces the active model. The run is requested in your name.
      </p>
      <label>
        Recipe overrides (optional JSON, e.g. {'{"maxSteps": 200}'}){' '}
        <input type="text" name="overrides" style={{ width: '100%' }} />
      </label>
      <label>
        <input type="checkbox" name="includeSimulated" /> Include simulated samples (the model will be marked
        as trained on simulated data)
      </label>
      <div>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Queueing…' : 'Retrain'}
        </button>
      </div>
      {state.error && (
        <p role="alert" className="error-text" data-testid="retrain-error">
          {state.error}
        </p>
      )}
      {state.queued && (
        <p role="status" data-testid="retrain-queued">
          Training run {state.queued.id} is {state.queued.status.toLowerCase()}.
        </p>
      )}
    </form>
  );
}
