// The dashboard's clinical part, loaded on its own: the filter the cohort was made from (with a rebuild
// button for curators) and its clinical attributes drawn.
import { CohortClinicalDocument } from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import { currentUser } from '../../../lib/auth.ts';
import { survivalCoverage } from '../../../lib/cohortFigures.ts';
import { formatTimestamp } from '../../../lib/format.ts';
import { hasRole } from '../../../lib/session.ts';
import { ClinicalSection } from './ClinicalSection.tsx';
import { loadCohortDashboard } from './CohortFigures.tsx';
import { RebuildButton } from './RebuildButton.tsx';

export async function ClinicalPanel(props: { cohortId: string }) {
  const [result, user, dashboard] = await Promise.all([
    attempt(async () => (await apiRequest(CohortClinicalDocument, { id: props.cohortId })).cohort),
    currentUser(),
    loadCohortDashboard(props.cohortId),
  ]);
  // the cohort's patients, with survival or not (what the attributes' coverage is out of)
  const patients = dashboard.ok && dashboard.data ? survivalCoverage(dashboard.data.survival).patients : 0;
  if (!result.ok)
    return (
      <p role="alert" className="error-text">
        Clinical attributes could not be loaded: {result.message}
      </p>
    );
  const cohort = result.data;
  if (!cohort) return null;
  return (
    <>
      {cohort.filter && (
        <section className="panel" aria-labelledby="cohort-filter" data-testid="cohort-filter">
          <h2 id="cohort-filter">Filter</h2>
          <p>
            Made from the filter{' '}
            <strong data-testid="cohort-filter-description">{cohort.filter.description}</strong>
            {cohort.filter.sampleIds.length
              ? ` plus ${cohort.filter.sampleIds.length} samples chosen by ID`
              : ''}
            ; members last chosen {cohort.builtAt ? formatTimestamp(cohort.builtAt) : 'never'}. Rebuilding
            chooses them again from the data stored now (samples added or removed by hand are replaced).
          </p>
          {user && hasRole(user.role, 'CURATOR') ? (
            <RebuildButton cohortId={cohort.id} />
          ) : (
            <p className="muted">Curators and admins can rebuild it.</p>
          )}
        </section>
      )}
      <ClinicalSection attributes={cohort.clinicalAttributes} patients={patients} />
    </>
  );
}
