// The gene page's choices as a GET form (unit, survival split and cut-off, box plot groups): submitting it
// puts every choice in the URL.
import { UnitSelect } from '../../../../../components/UnitSelect.tsx';
import type { GenePageState, Scale } from '../../../../../lib/genePage.ts';

export function GeneControls(props: { state: GenePageState; scales: readonly Scale[]; unit: string }) {
  return (
    <form method="get" className="panel inline-form" aria-label="Gene page choices">
      <UnitSelect scales={props.scales} defaultValue={props.unit} />{' '}
      <label>
        Survival split{' '}
        <select name="split" defaultValue={props.state.split}>
          <option value="median">at the median</option>
          <option value="quartiles">at the quartiles</option>
          <option value="cutoff">at a cut-off</option>
        </select>
      </label>{' '}
      <label>
        Cut-off{' '}
        <input
          type="text"
          inputMode="decimal"
          name="cutoff"
          size={8}
          defaultValue={props.state.cutoff ?? ''}
          placeholder="in the unit"
        />
      </label>{' '}
      <label>
        Box plots by{' '}
        <select name="by" defaultValue={props.state.by}>
          <option value="cancerType">cancer type</option>
          <option value="sampleType">sample type</option>
        </select>
      </label>{' '}
      <button type="submit" className="primary">
        Show
      </button>
    </form>
  );
}
