'use client';
// Rebuild a filter cohort from its stored filter (curators), with what changed.
import { useActionState } from 'react';
import { type RebuildState, rebuildCohort } from './rebuildAction.ts';

export function RebuildButton(props: { cohortId: string }) {
  const [state, action, pending] = useActionState<RebuildState, FormData>(rebuildCohort, {
    error: null,
    done: null,
  });
  return (
    <form action={action} className="inline-form">
      <input type="hidden" name="cohortId" value={props.cohortId} />
      <button type="submit" disabled={pending} data-testid="rebuild-cohort">
        {pending ? 'Rebuilding…' : 'Rebuild from the filter'}
      </button>{' '}
      {state.done && (
        <span role="status" data-testid="rebuild-result">
          {state.done}
        </span>
      )}
      {state.error && (
        <span role="alert" className="error-text">
          {state.error}
        </span>
      )}
    </form>
  );
}
