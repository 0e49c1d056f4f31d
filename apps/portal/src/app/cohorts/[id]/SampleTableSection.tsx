// A cohort's samples: search, sort, pagination and TSV download; each barcode opens the sample.
import { DataTable } from '../../../components/DataTable.tsx';
import type { CohortSamplesQuery } from '../../../generated/graphql.ts';

type SampleNode = NonNullable<CohortSamplesQuery['cohort']>['samples']['nodes'][number];

const COLUMNS = [
  { label: 'Sample' },
  { label: 'Sample type' },
  { label: 'Cancer type' },
  { label: 'Patient' },
  { label: 'OS (days)', numeric: true },
  { label: 'Died', numeric: true },
];

export function SampleTableSection(props: { samples: SampleNode[]; totalCount: number; truncated: boolean }) {
  const rows = props.samples.map((s) => ({
    key: s.id,
    cells: [
      { value: s.barcode, href: `/samples/${s.id}` },
      { value: s.sampleType },
      { value: s.patient.cancerType },
      { value: s.patient.barcode },
      { value: s.patient.osDays === null ? null : Math.round(s.patient.osDays) },
      { value: s.patient.osEvent, text: s.patient.osEvent === null ? '–' : s.patient.osEvent ? 'yes' : 'no' },
    ],
  }));
  return (
    <section aria-labelledby="samples">
      <h2 id="samples">Samples</h2>
      <DataTable
        title="Samples"
        columns={COLUMNS}
        rows={rows}
        testId="sample-table"
        note={
          props.truncated
            ? `Showing the first ${props.samples.length} of ${props.totalCount} samples (GEXBERT_PORTAL_MAX_TABLE_ROWS).`
            : undefined
        }
        emptyText="This cohort has no samples."
      />
    </section>
  );
}
