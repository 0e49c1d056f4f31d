// The cohort's model-backed panels (embedding map, survival by predicted risk), loaded on their own so the
// page streams its other sections first (embedding a cohort the first time takes a while) and so an API
// failure here (e.g. no active model) does not hide the rest of the page.
import { SectionFailure } from '../../../components/SectionFailure.tsx';
import { attempt } from '../../../lib/attempt.ts';
import { loadEmbeddingMap, loadRiskSurvival } from '../../../lib/cohortModelPanels.ts';
import { packMap } from '../../../lib/embeddingMap.ts';
import { EmbeddingMapSection } from './EmbeddingMapSection.tsx';
import { RiskSurvivalSection } from './RiskSurvivalSection.tsx';

export async function ModelPanels(props: { cohortId: string }) {
  // Both read what the workers stored (the API computes only what is missing), so they load together.
  const [map, risk] = await Promise.all([
    attempt(() => loadEmbeddingMap(props.cohortId)),
    attempt(() => loadRiskSurvival(props.cohortId)),
  ]);
  return (
    <>
      {map.ok ? (
        <EmbeddingMapSection
          packed={map.data ? packMap(map.data) : null}
          modelName={risk.ok ? (risk.data?.median.model?.name ?? null) : null}
        />
      ) : (
        <SectionFailure what="The embedding map" message={map.message} />
      )}
      {risk.ok ? (
        risk.data && <RiskSurvivalSection median={risk.data.median} tertiles={risk.data.tertiles} />
      ) : (
        <SectionFailure what="Survival by predicted risk" message={risk.message} />
      )}
    </>
  );
}
