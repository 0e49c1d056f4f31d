// Survival by predicted risk groups, loaded on its own so the page streams its other sections first and so an
// API failure here (e.g. no active model) does not hide the rest of the page. (The embedding map is fetched
// by the browser: EmbeddingMapPanel.)
import { SectionFailure } from '../../../components/SectionFailure.tsx';
import { attempt } from '../../../lib/attempt.ts';
import { loadRiskSurvival } from '../../../lib/cohortModelPanels.ts';
import { RiskSurvivalSection } from './RiskSurvivalSection.tsx';

export async function RiskPanel(props: { cohortId: string; model?: string }) {
  const risk = await attempt(() => loadRiskSurvival(props.cohortId, props.model));
  if (!risk.ok) return <SectionFailure what="Survival by predicted risk" message={risk.message} />;
  return risk.data && <RiskSurvivalSection median={risk.data.median} tertiles={risk.data.tertiles} />;
}
