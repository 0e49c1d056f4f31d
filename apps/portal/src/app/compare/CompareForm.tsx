// The two groups and the method, as a GET form: submitting puts every choice in the URL.
import Form from 'next/form';
import type { CompareChoicesQuery } from '../../generated/graphql.ts';
import { type CompareState, type GroupChoice, METHODS, SAMPLE_TYPES } from '../../lib/comparison.ts';

type Cohort = CompareChoicesQuery['cohorts']['nodes'][number];

function GroupFields(props: { name: 'a' | 'b'; choice: GroupChoice; cohorts: Cohort[]; types: string[] }) {
  const { name, choice } = props;
  const title = name.toUpperCase();
  return (
    <fieldset>
      <legend>Group {title}</legend>
      <label htmlFor={`${name}-cohort`}>Cohort</label>
      <select id={`${name}-cohort`} name={name} defaultValue={choice.cohort ?? ''} required>
        <option value="">choose a cohort</option>
        {props.cohorts.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name} ({c.sampleCount})
          </option>
        ))}
      </select>
      <label htmlFor={`${name}-type`}>Cancer type</label>
      <select id={`${name}-type`} name={`${name}type`} defaultValue={choice.cancerType ?? ''}>
        <option value="">any</option>
        {props.types.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <label htmlFor={`${name}-sample`}>Sample type</label>
      <select id={`${name}-sample`} name={`${name}sample`} defaultValue={choice.sampleType ?? ''}>
        <option value="">any</option>
        {SAMPLE_TYPES.map((t) => (
          <option key={t} value={t}>
            {t.toLowerCase()}
          </option>
        ))}
      </select>
    </fieldset>
  );
}

export function CompareForm(props: { state: CompareState; cohorts: Cohort[] }) {
  const types = [
    ...new Set(
      props.cohorts.flatMap((c) => c.composition.flatMap((r) => (r.cancerType ? [r.cancerType] : []))),
    ),
  ].sort();
  return (
    <Form action="/compare" className="compare-form" aria-label="Groups to compare">
      <div className="grid-2">
        <GroupFields name="a" choice={props.state.a} cohorts={props.cohorts} types={types} />
        <GroupFields name="b" choice={props.state.b} cohorts={props.cohorts} types={types} />
      </div>
      <label htmlFor="compare-method">Method</label>
      <select id="compare-method" name="method" defaultValue={props.state.method}>
        {METHODS.map((m) => (
          <option key={m.param} value={m.param}>
            {m.label}
          </option>
        ))}
      </select>{' '}
      <button type="submit">Compare</button>
      <p className="muted">
        Group A is the reference: a positive log2 fold change is higher in B. Groups must not share samples.
      </p>
    </Form>
  );
}
