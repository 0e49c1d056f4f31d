// The model registry: every GexBERT version with its status, parent, metrics and promotion-gate record,
// the training runs with live progress, and a retrain button (admins only).
import type { Metadata } from 'next';
import { ApiFailure } from '../../components/ApiFailure.tsx';
import { Stats } from '../../components/Stats.tsx';
import { ModelsOverviewDocument } from '../../generated/graphql.ts';
import { apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireUser } from '../../lib/auth.ts';
import { hasRole } from '../../lib/session.ts';
import { ModelVersionsSection } from './ModelVersionsSection.tsx';
import { RetrainForm } from './RetrainForm.tsx';
import { RunPoller } from './RunPoller.tsx';
import { TrainingRunsSection } from './TrainingRunsSection.tsx';

export const metadata: Metadata = { title: 'Models' };

export default async function ModelsPage() {
  const user = await requireUser('/models');
  const result = await attempt(() => apiRequest(ModelsOverviewDocument, {}));
  if (!result.ok)
    return <ApiFailure what="The models" message={result.message} unreachable={result.unreachable} />;
  const { activeModel, models, trainingRuns } = result.data;
  const active = models.nodes.find((m) => m.id === activeModel?.id) ?? null;
  const inProgress = trainingRuns.nodes.some((r) => r.status === 'QUEUED' || r.status === 'RUNNING');
  return (
    <>
      <h1>Models</h1>
      <Stats
        label="Model figures"
        items={[
          { label: 'active model', value: active?.name ?? 'none', testId: 'active-model' },
          { label: 'model versions', value: String(models.totalCount) },
          { label: 'training runs', value: String(trainingRuns.totalCount) },
        ]}
      />
      <ModelVersionsSection models={models.nodes} />
      <section aria-labelledby="runs">
        <h2 id="runs">Training runs</h2>
        <RunPoller active={inProgress} />
        <TrainingRunsSection runs={trainingRuns.nodes} canCancel={hasRole(user.role, 'ADMIN')} />
      </section>
      <section aria-labelledby="retrain">
        <h2 id="retrain">Retrain</h2>
        {hasRole(user.role, 'ADMIN') ? (
          <RetrainForm />
        ) : (
          <p className="muted" data-testid="retrain-needs-admin">
            Admins can queue a retraining run here: sign in with an admin token.
          </p>
        )}
      </section>
    </>
  );
}
