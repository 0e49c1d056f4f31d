// Above a cohort's model panels: which model draws them, how many of the cohort's samples are of cancer types
// its head knows, and a link to the same panels through any other model that knows more of them (with that
// model's held-out figures, so a reader sees what the other answer is worth). lib/modelChoice.ts decides.
import { Link } from '../../../components/Link.tsx';
import { SectionFailure } from '../../../components/SectionFailure.tsx';
import { CohortModelChoiceDocument } from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import { formatInt } from '../../../lib/format.ts';
import {
  type ModelCoverage,
  modelCoverage,
  modelFigures,
  modelPanelsHref,
  modelStatus,
  modelsKnowingMore,
} from '../../../lib/modelChoice.ts';

const SHOWN_TYPES = 8;

function typeList(types: readonly string[]): string {
  const shown = types.slice(0, SHOWN_TYPES).join(', ');
  return types.length > SHOWN_TYPES ? `${shown} and ${types.length - SHOWN_TYPES} more` : shown;
}

function Shown(props: { shown: ModelCoverage; samples: number; types: number }) {
  const { shown } = props;
  const all = shown.unknownTypes.length === 0;
  return (
    <p data-testid="model-shown" data-model={shown.name} data-known-samples={shown.knownSamples}>
      The model panels below use <strong>{shown.name}</strong> ({modelStatus(shown)}). Its cancer-type head
      knows{' '}
      {all
        ? `all ${props.types} of this cohort's cancer types.`
        : `${shown.knownTypes.length} of this cohort's ${props.types} cancer types: ${formatInt(shown.knownSamples)} of ${formatInt(props.samples)} samples.`}
      {all
        ? null
        : ` The other ${formatInt(props.samples - shown.knownSamples)} (${typeList(shown.unknownTypes)}) cannot get their own type from it: it flags them out of distribution ("unknown") or names a type it knows, and places them on a map it learnt without them.`}
    </p>
  );
}

export async function ModelChoiceNote(props: { cohortId: string; modelId?: string }) {
  const result = await attempt(() => apiRequest(CohortModelChoiceDocument, { id: props.cohortId }));
  if (!result.ok)
    return <SectionFailure what="The models that can draw this cohort" message={result.message} />;
  const { activeModel, models, cohort } = result.data;
  if (!cohort) return null;
  const coverage = modelCoverage(models.nodes, activeModel?.id ?? null, cohort.composition);
  const shownId = props.modelId ?? activeModel?.id;
  const shown = coverage.find((c) => c.id === shownId);
  if (!shown) return null;
  const samples = cohort.composition.reduce((n, r) => n + (r.cancerType ? r.count : 0), 0);
  const types = new Set(cohort.composition.map((r) => r.cancerType).filter(Boolean)).size;
  const better = modelsKnowingMore(coverage, shown);
  const active = coverage.find((c) => c.active);
  return (
    <div className="panel" data-testid="model-choice">
      <Shown shown={shown} samples={samples} types={types} />
      {better.map((c) => (
        <p key={c.id} data-testid="model-knowing-more" data-model={c.name}>
          <strong>{c.name}</strong> ({modelStatus(c)}) knows{' '}
          {c.unknownTypes.length === 0 ? `all ${types}` : `${c.knownTypes.length}`} of them (
          {formatInt(c.knownSamples)} samples).{modelFigures(c)}{' '}
          <Link href={c.active ? `/cohorts/${props.cohortId}` : modelPanelsHref(props.cohortId, c.id)}>
            Draw this cohort through {c.name}
          </Link>
          .
        </p>
      ))}
      {!shown.active && active ? (
        <p>
          <Link href={`/cohorts/${props.cohortId}`}>Back to the dashboard</Link> (drawn through {active.name},
          the active model).
        </p>
      ) : null}
    </div>
  );
}
