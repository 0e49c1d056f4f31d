'use client';
// The form behind "Create a cohort from filters": name, cancer types, sample types, clinical conditions and
// gene expression thresholds; "Count" previews what they select, "Create" makes the cohort.
import { type FormEvent, useActionState, useTransition } from 'react';
import type { ClinicalAttributeType } from '../../generated/graphql.ts';
import {
  CLINICAL_OPERATORS,
  CLINICAL_ROWS,
  COMPARISONS,
  EXPRESSION_ROWS,
} from '../../lib/cohortFilterForm.ts';
import { UNITS } from '../../lib/genes.ts';
import { type CreateCohortState, createCohort } from './actions.ts';

const SAMPLE_TYPES = [
  { value: 'TUMOR', label: 'Tumour' },
  { value: 'NORMAL', label: 'Normal' },
  { value: 'CONTROL', label: 'Control' },
  { value: 'OTHER', label: 'Other' },
];

const UNIT_CHOICES = UNITS.map((u) => ({ value: u, label: u === 'RAW_COUNT' ? 'log2 CPM (raw counts)' : u }));

/** A select of fixed options. */
function Choices(props: {
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <select name={props.name} aria-label={props.label}>
      {props.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** A text field labelled for screen readers. */
function Text(props: { name: string; label: string; placeholder: string; size?: number }) {
  return (
    <input
      type="text"
      name={props.name}
      aria-label={props.label}
      placeholder={props.placeholder}
      size={props.size}
    />
  );
}

/** An attribute as the form offers it: its name and a hint (type, categories or range). */
export interface AttributeChoice {
  name: string;
  type: ClinicalAttributeType;
  hint: string;
}

export function CreateCohortForm(props: { cancerTypes: string[]; attributes: AttributeChoice[] }) {
  const [state, action, pending] = useActionState<CreateCohortState, FormData>(createCohort, {
    error: null,
    preview: null,
  });
  const [, startTransition] = useTransition();
  // Submitted by hand, not through <form action>: React resets a form after its action, and the filters stay
  // as they were after "Count" so that they can be refined and then created.
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    startTransition(() => action(data));
  };
  return (
    <form
      onSubmit={submit}
      className="stack panel"
      aria-describedby="create-help"
      data-testid="create-cohort-form"
    >
      <p id="create-help" className="muted">
        The new cohort holds every stored sample that matches all the filters (leave a filter empty to not
        filter on it) and remembers them: it can be rebuilt from them as data arrive.
      </p>
      <label>
        Name <input type="text" name="name" maxLength={200} style={{ width: '100%' }} />
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
      <fieldset>
        <legend>Clinical attributes</legend>
        {props.attributes.length === 0 ? (
          <p className="muted">No clinical attributes are stored yet (gexbert ingest clinical).</p>
        ) : (
          <>
            <p className="muted">
              A patient without the attribute never matches. Categories are comma-separated; comparisons take
              a number and numeric attributes only.
            </p>
            {Array.from({ length: CLINICAL_ROWS }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fixed rows, named by position
              <div key={i} className="inline-form">
                <select
                  name={`attribute${i}`}
                  aria-label={`Clinical condition ${i + 1}: attribute`}
                  defaultValue=""
                  style={{ maxWidth: '22em' }}
                >
                  <option value="">—</option>
                  {props.attributes.map((a) => (
                    <option key={a.name} value={a.name}>
                      {a.name} ({a.hint})
                    </option>
                  ))}
                </select>{' '}
                <Choices
                  name={`attributeOp${i}`}
                  label={`Clinical condition ${i + 1}: operator`}
                  options={CLINICAL_OPERATORS}
                />{' '}
                <Text
                  name={`attributeValue${i}`}
                  label={`Clinical condition ${i + 1}: value`}
                  placeholder="e.g. Stage_I, Stage_II or 60"
                />
              </div>
            ))}
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>Gene expression thresholds</legend>
        <p className="muted">
          Raw counts are compared as log2(CPM + 1), e.g. ESR1 &gt; 10; samples with no value of the gene in
          the chosen unit (e.g. stored only as RSEM or log2 values) do not match — choose their unit to filter
          them.
        </p>
        {Array.from({ length: EXPRESSION_ROWS }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed rows, named by position
          <div key={i} className="inline-form">
            <Text
              name={`gene${i}`}
              label={`Expression threshold ${i + 1}: gene`}
              placeholder="gene, e.g. ESR1"
              size={12}
            />{' '}
            <Choices
              name={`geneOp${i}`}
              label={`Expression threshold ${i + 1}: operator`}
              options={COMPARISONS}
            />{' '}
            <Text
              name={`geneValue${i}`}
              label={`Expression threshold ${i + 1}: value`}
              placeholder="10"
              size={8}
            />{' '}
            <Choices
              name={`geneUnit${i}`}
              label={`Expression threshold ${i + 1}: unit`}
              options={UNIT_CHOICES}
            />
          </div>
        ))}
      </fieldset>
      {state.preview && (
        <p role="status" data-testid="filter-preview">
          {state.preview}
        </p>
      )}
      {state.error && (
        <p role="alert" className="error-text">
          {state.error}
        </p>
      )}
      <div>
        <button type="submit" name="intent" value="preview" disabled={pending}>
          Count matching samples
        </button>{' '}
        <button type="submit" name="intent" value="create" className="primary" disabled={pending}>
          {pending ? 'Working…' : 'Create cohort'}
        </button>
      </div>
    </form>
  );
}
