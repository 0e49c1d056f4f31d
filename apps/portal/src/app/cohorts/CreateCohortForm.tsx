'use client';
// The form behind "Create a cohort from filters": name, cancer types and sample types.
import { useActionState } from 'react';
import { type CreateCohortState, createCohort } from './actions.ts';

const SAMPLE_TYPES = [
  { value: 'TUMOR', label: 'Tumour' },
  { value: 'NORMAL', label: 'Normal' },
  { value: 'CONTROL', label: 'Control' },
  { value: 'OTHER', label: 'Other' },
];

export function CreateCohortForm(props: { cancerTypes: string[] }) {
  const [state, action, pending] = useActionState<CreateCohortState, FormData>(createCohort, { error: null });
  return (
    <form action={action} className="stack panel" aria-describedby="create-help">
      <p id="create-help" className="muted">
        The new cohort holds every stored sample that matches all the filters; leave a filter empty to not
        filter on it.
      </p>
      <label>
        Name <input type="text" name="name" required maxLength={200} style={{ width: '100%' }} />
      </label>
      <label>
        Description (optional){' '}
        <input type="text" name="description" maxLength={1000} style={{ width: '100%' }} />
      </label>
      <fieldset>
        <legend>Cancer types</legend>
        <div className="checks">
          {props.cancerTypes.map((type) => (
            <label key={type}>
              <input type="checkbox" name="cancerType" value={type} /> {type}
            </label>
          ))}
        </div>
        <label>
          Other cancer types (comma-separated){' '}
          <input type="text" name="otherCancerTypes" placeholder="e.g. BRCA, LUAD" />
        </label>
      </fieldset>
      <fieldset>
        <legend>Sample types</legend>
        <div className="checks">
          {SAMPLE_TYPES.map((type) => (
            <label key={type.value}>
              <input type="checkbox" name="sampleType" value={type.value} /> {type.label}
            </label>
          ))}
        </div>
      </fieldset>
      {state.error && (
        <p role="alert" className="error-text">
          {state.error}
        </p>
      )}
      <div>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create cohort'}
        </button>
      </div>
    </form>
  );
}
