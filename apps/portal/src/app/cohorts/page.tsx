// Cohorts: every cohort with its sample count, cancer types and survival coverage; a form to create one.
import type { Metadata } from 'next';
import { ApiFailure } from '../../components/ApiFailure.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import type { TableRow } from '../../components/tableModel.ts';
import { ClinicalCatalogueDocument, CohortListDocument } from '../../generated/graphql.ts';
import { allPages, apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireUser } from '../../lib/auth.ts';
import { attributeHint } from '../../lib/clinical.ts';
import { samplesByCancerType, samplesBySampleType, survivalCoverage } from '../../lib/cohortFigures.ts';
import { formatPercent, formatTimestamp } from '../../lib/format.ts';
import { hasRole } from '../../lib/session.ts';
import { CreateCohortForm } from './CreateCohortForm.tsx';

export const metadata: Metadata = { title: 'Cohorts' };

const COLUMNS = [
  { label: 'Cohort' },
  { label: 'Samples', numeric: true },
  { label: 'Cancer types' },
  { label: 'Tumour', numeric: true },
  { label: 'Normal', numeric: true },
  { label: 'Patients with survival', numeric: true },
  { label: 'Survival coverage', numeric: true },
  { label: 'Created' },
];

/** The stored clinical attributes for the form (none when they cannot be read: the form says so). */
async function attributeChoices() {
  const result = await attempt(() => apiRequest(ClinicalCatalogueDocument, {}));
  if (!result.ok) return [];
  return result.data.clinicalAttributes.map((a) => ({ name: a.name, type: a.type, hint: attributeHint(a) }));
}

export default async function CohortsPage() {
  const user = await requireUser('/cohorts');
  const result = await attempt(() =>
    allPages(async (first, after) => (await apiRequest(CohortListDocument, { first, after })).cohorts),
  );
  if (!result.ok)
    return <ApiFailure what="The cohorts" message={result.message} unreachable={result.unreachable} />;
  const cohorts = result.data.nodes;
  const rows: TableRow[] = cohorts.map((c) => {
    const types = samplesByCancerType(c.composition);
    const bySampleType = samplesBySampleType(c.composition);
    const coverage = survivalCoverage(c.survival);
    return {
      key: c.id,
      cells: [
        { value: c.name, href: `/cohorts/${c.id}`, ...(c.simulated ? { badge: 'simulated' } : {}) },
        { value: c.sampleCount, text: c.sampleCount.toLocaleString('en-US') },
        { value: types.map((t) => `${t.cancerType} ${t.count}`).join(', ') },
        { value: bySampleType.get('TUMOR') ?? 0 },
        { value: bySampleType.get('NORMAL') ?? 0 },
        { value: coverage.withSurvival, text: `${coverage.withSurvival} of ${coverage.patients}` },
        {
          value: coverage.patients ? coverage.withSurvival / coverage.patients : null,
          text: formatPercent(coverage.withSurvival, coverage.patients),
        },
        { value: c.createdAt, text: formatTimestamp(c.createdAt) },
      ],
    };
  });
  const cancerTypes = [
    ...new Set(cohorts.flatMap((c) => c.composition.map((row) => row.cancerType).filter((t) => t !== null))),
  ].sort();
  return (
    <>
      <h1>Cohorts</h1>
      <p className="muted">
        {cohorts.length} {cohorts.length === 1 ? 'cohort' : 'cohorts'}. Open one for its composition, survival
        curves and samples.
      </p>
      <DataTable
        title="Cohorts"
        columns={COLUMNS}
        rows={rows}
        testId="cohort-table"
        emptyText="No cohorts yet. Import samples with `gexbert ingest counts <files> --cohort NAME`, or create one below from the samples already stored."
      />
      {hasRole(user.role, 'CURATOR') ? (
        <>
          <h2 id="create">Create a cohort from filters</h2>
          <CreateCohortForm cancerTypes={cancerTypes} attributes={await attributeChoices()} />
        </>
      ) : (
        <p className="muted" data-testid="create-needs-curator">
          Curators and admins can create cohorts here: sign in with a curator token.
        </p>
      )}
    </>
  );
}
