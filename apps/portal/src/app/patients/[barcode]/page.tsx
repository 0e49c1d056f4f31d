// A patient: cancer type, overall survival, clinical attributes and samples.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ApiFailure } from '../../../components/ApiFailure.tsx';
import { ClinicalFacts } from '../../../components/ClinicalFacts.tsx';
import { DataTable } from '../../../components/DataTable.tsx';
import { FactsPanel } from '../../../components/FactsPanel.tsx';
import { Link } from '../../../components/Link.tsx';
import { PatientDetailDocument } from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import { requireUser } from '../../../lib/auth.ts';
import { overallSurvival } from '../../../lib/clinical.ts';
import { formatSampleType } from '../../../lib/format.ts';

type Props = { params: Promise<{ barcode: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Patient ${decodeURIComponent((await params).barcode)}` };
}

export default async function PatientPage({ params }: Props) {
  const barcode = decodeURIComponent((await params).barcode);
  await requireUser(`/patients/${encodeURIComponent(barcode)}`);
  if (!/^[\w.-]{1,64}$/.test(barcode)) notFound();
  const result = await attempt(async () => (await apiRequest(PatientDetailDocument, { barcode })).patient);
  if (!result.ok)
    return <ApiFailure what="This patient" message={result.message} unreachable={result.unreachable} />;
  const patient = result.data;
  if (!patient) notFound();
  return (
    <>
      <p className="breadcrumb">
        <Link href="/cohorts">Cohorts</Link> / patient {patient.barcode}
      </p>
      <h1 data-testid="patient-barcode">{patient.barcode}</h1>
      <FactsPanel id="patient-facts" title="Patient facts">
        <dt>Cancer type</dt>
        <dd>{patient.cancerType ?? 'unknown'}</dd>
        <dt>Project</dt>
        <dd>{patient.projectId ?? '–'}</dd>
        <dt>Overall survival</dt>
        <dd>{overallSurvival(patient)}</dd>
      </FactsPanel>
      <ClinicalFacts patient={patient} />
      <DataTable
        title="Samples"
        columns={[{ label: 'Sample' }, { label: 'Sample type' }, { label: 'Code' }]}
        rows={patient.samples.map((s) => ({
          key: s.id,
          cells: [
            { value: s.barcode, href: `/samples/${s.id}` },
            { value: formatSampleType(s.sampleType) },
            { value: s.sampleTypeCode ?? '–' },
          ],
        }))}
        testId="patient-samples"
        emptyText="No samples."
      />
    </>
  );
}
