// The unit choice of a GET form (name "unit"): a cohort's scales (lib/genePage.ts scalesOf), labelled.
import type { Scale } from '../lib/genePage.ts';

export function UnitSelect(props: { scales: readonly Scale[]; defaultValue: string; testId?: string }) {
  return (
    <label>
      Unit{' '}
      <select name="unit" defaultValue={props.defaultValue} data-testid={props.testId}>
        {props.scales.map((s) => (
          <option key={s.param} value={s.param}>
            {s.label}
          </option>
        ))}
      </select>
    </label>
  );
}
