// The cohort dashboard's sample table (the rest of the dashboard is the layout): its search, sort and page
// come from the URL's search parameters.
import { requireUser } from '../../../../lib/auth.ts';
import { recordIdOr404 } from '../../../../lib/recordId.ts';
import { parseSampleTableState } from '../../../../lib/sampleTable.ts';
import { SampleTableSection } from '../SampleTableSection.tsx';

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export default async function CohortSamplesPage({ params, searchParams }: Props) {
  const { id } = await params;
  await requireUser(`/cohorts/${encodeURIComponent(id)}`);
  recordIdOr404(id);
  return <SampleTableSection cohortId={id} state={parseSampleTableState(await searchParams)} />;
}
