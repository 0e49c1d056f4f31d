// The model registry: every GexBERT version with its status, parent, metrics and promotion-gate record,
// the training runs with live progress, and a retrain button (admins only).
import type { Metadata } from 'next';
import { ApiFailure } from '../../components/ApiFailure.tsx';
import { Stats } from '../../components/Stats.tsx';
import { ModelsOverviewDocument, type ModelsOverviewQuery } from '../../generated/graphql.ts';
import { apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireUser } from '../../lib/auth.ts';
import { hasRole } from '../../lib/session.ts';
import { ModelVersionsSection } from './ModelVersionsSection.tsx';
import { RetrainForm } from './RetrainForm.tsx';
import { RunPoller } from './RunPoller.tsx';
import { TrainingRunsSection } from './TrainingRunsSection.tsx';

export const metadata: Metadata = { title: 'Models' };

type Precompute = NonNullable<ModelsOverviewQuery['activeModel']>['precompute'];

/** How far the workers have got storing the active model's embeddings and predictions for every sample. */
function PrecomputeLine(props: { progress: Precompute }) {
  const p = props.progress;
  const count = (n: number) => n.toLocaleString('en-US');
  const pending = p.queuedBatches + p.runningBatches;
  return (
    <p className="muted" data-testid="precompute-progress">
      Active model precomputed for {count(p.done)} / {count(p.total)} samples
      {pending > 0 ? ` (${pending} batch${pending === 1 ? '' : 'es'} queued or running)` : ''}
      {p.failedBatches > 0 ? `; ${p.failedBatches} failed batch${p.failedBatches === 1 ? '' : 'es'}` : ''}
      {p.done < p.total && pending === 0 && p.failedBatches === 0
        ? ' — the worker queues the rest (is `gexbert worker` running?)'
        : ''}
      .
    </p>
  );
}

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
      {activeModel ? <PrecomputeLine progress={activeModel.precompute} /> : null}
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
