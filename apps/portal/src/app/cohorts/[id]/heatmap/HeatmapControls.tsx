// The heatmap's choices as a GET form (genes, unit, tracks, clustering, distance, colouring): submitting it
// puts every choice in the URL.
import { UnitSelect } from '../../../../components/UnitSelect.tsx';
import type { Scale } from '../../../../lib/genePage.ts';
import type { HeatmapState } from '../../../../lib/heatmapPage.ts';

const BUILT_IN = [
  { name: 'cancerType', label: 'cancer type' },
  { name: 'predictedType', label: 'predicted type' },
  { name: 'riskGroup', label: 'risk group' },
];

const CHOICES = [
  {
    name: 'cluster',
    label: 'Cluster',
    options: [
      ['both', 'genes and samples'],
      ['rows', 'genes only'],
      ['columns', 'samples only'],
      ['none', 'nothing'],
    ],
  },
  {
    name: 'distance',
    label: 'Distance',
    options: [
      ['pearson', '1 − Pearson'],
      ['euclidean', 'Euclidean'],
    ],
  },
  {
    name: 'colour',
    label: 'Colour',
    options: [
      ['z', 'row z-score'],
      ['value', 'value'],
    ],
  },
] as const;

export function HeatmapControls(props: {
  state: HeatmapState;
  genes: string[];
  scales: readonly Scale[];
  unit: string;
  attributes: string[];
}) {
  const { state } = props;
  return (
    <form method="get" className="panel" aria-label="Heatmap choices">
      <label>
        Genes (symbols, aliases, Ensembl or Entrez IDs; typed or pasted){' '}
        <textarea
          name="genes"
          rows={3}
          cols={80}
          defaultValue={props.genes.join(' ')}
          data-testid="heatmap-genes"
        />
      </label>
      <p className="inline-form">
        <UnitSelect scales={props.scales} defaultValue={props.unit} />{' '}
        {CHOICES.map((choice) => (
          <label key={choice.name}>
            {choice.label}{' '}
            <select name={choice.name} defaultValue={state[choice.name]}>
              {choice.options.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>{' '}
          </label>
        ))}
      </p>
      <fieldset>
        <legend>Tracks above the samples</legend>
        <input type="hidden" name="tracks" value="" />
        {[...BUILT_IN, ...props.attributes.map((name) => ({ name, label: name }))].map((t) => (
          <label key={t.name}>
            <input
              type="checkbox"
              name="tracks"
              value={t.name}
              defaultChecked={state.tracks.includes(t.name)}
            />{' '}
            {t.label}{' '}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary">
        Show
      </button>
    </form>
  );
}
