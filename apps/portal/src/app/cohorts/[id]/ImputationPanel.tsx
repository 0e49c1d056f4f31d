// The cohort's imputation-quality section, loaded on its own (restoring a cohort's samples takes a moment)
// so the rest of the dashboard streams first and an API failure here hides nothing else.
import { attempt } from '../../../lib/attempt.ts';
import { loadImputationQuality } from '../../../lib/imputation.ts';
import { ImputationSection } from './ImputationSection.tsx';

export async function ImputationPanel(props: { cohortId: string; model?: string }) {
  const quality = await attempt(() => loadImputationQuality(props.cohortId, props.model));
  if (!quality.ok)
    return (
      <p role="alert" className="error-text">
        Imputation quality could not be loaded: {quality.message}
      </p>
    );
  return quality.data && <ImputationSection quality={quality.data} />;
}
