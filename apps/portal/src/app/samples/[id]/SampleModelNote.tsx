// Above a sample's model panels: when they are drawn through a model other than the active one (?model=), says
// so with a link back; when the model drawing them does not know the sample's recorded cancer type and
// another model with heads does (a BRCA sample beside the active six-type model), links to the same page
// through that model, with its held-out figures. lib/modelChoice.ts decides.
import { Link } from '../../../components/Link.tsx';
import { AnsweringModelsDocument } from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import { modelCoverage, modelFigures, modelStatus, modelsKnowingMore } from '../../../lib/modelChoice.ts';

/** The sample page's URL with ?model= set to `model` (null: removed), its other parameters kept. */
export function sampleHref(
  id: string,
  params: Readonly<Record<string, string | undefined>>,
  model: string | null,
): string {
  const next = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && k !== 'model') next.set(k, v);
  if (model !== null) next.set('model', model);
  const query = next.toString();
  return `/samples/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;
}

export async function SampleModelNote(props: {
  id: string;
  params: Readonly<Record<string, string | undefined>>;
  recordedType: string | null;
  shownModelId: string;
}) {
  const result = await attempt(() => apiRequest(AnsweringModelsDocument, {}));
  if (!result.ok) return null;
  const { activeModel, models } = result.data;
  const coverage = modelCoverage(
    models.nodes,
    activeModel?.id ?? null,
    props.recordedType ? [{ cancerType: props.recordedType, count: 1 }] : [],
  );
  const shown = coverage.find((c) => c.id === props.shownModelId);
  const active = coverage.find((c) => c.active);
  if (!shown) return null;
  const better = props.recordedType ? modelsKnowingMore(coverage, shown) : [];
  if (shown.active && better.length === 0) return null;
  return (
    <div className="panel" data-testid="sample-model-choice">
      {shown.active ? null : (
        <p data-testid="sample-model-shown" data-model={shown.name}>
          The predictions and restored values below are <strong>{shown.name}</strong>'s ({modelStatus(shown)}
          ), not the active model's.{' '}
          {active ? (
            <Link href={sampleHref(props.id, props.params, null)}>
              Back to {active.name}, the active model
            </Link>
          ) : null}
          .
        </p>
      )}
      {better.map((c) => (
        <p key={c.id} data-testid="sample-model-knowing" data-model={c.name}>
          {shown.name} was not fitted on {props.recordedType}, this sample's recorded type;{' '}
          <strong>{c.name}</strong> ({modelStatus(c)}) was.{modelFigures(c)}{' '}
          <Link
            href={
              c.active ? sampleHref(props.id, props.params, null) : sampleHref(props.id, props.params, c.id)
            }
          >
            See this sample through {c.name}
          </Link>
          .
        </p>
      ))}
    </div>
  );
}
