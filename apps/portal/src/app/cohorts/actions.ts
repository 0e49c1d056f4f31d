'use server';
// The create-cohort form's server action: the samples matching the chosen filters become a new cohort.
import { redirect } from 'next/navigation';
import { CreateCohortDocument, type SampleType } from '../../generated/graphql.ts';
import { apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireRole } from '../../lib/auth.ts';

export interface CreateCohortState {
  error: string | null;
}

const SAMPLE_TYPES: readonly SampleType[] = ['TUMOR', 'NORMAL', 'CONTROL', 'OTHER'];

/** Cancer types from the ticked boxes and the free-text field (comma or space separated), upper case. */
function chosenCancerTypes(form: FormData): string[] {
  const ticked = form.getAll('cancerType').map(String);
  const typed = String(form.get('otherCancerTypes') ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  return [...new Set([...ticked, ...typed].map((t) => t.trim().toUpperCase()))];
}

export async function createCohort(_state: CreateCohortState, form: FormData): Promise<CreateCohortState> {
  await requireRole('CURATOR');
  const name = String(form.get('name') ?? '').trim();
  if (!name) return { error: 'Give the cohort a name.' };
  const description = String(form.get('description') ?? '').trim() || null;
  const cancerTypes = chosenCancerTypes(form);
  const sampleTypes = form
    .getAll('sampleType')
    .map(String)
    .filter((t): t is SampleType => SAMPLE_TYPES.includes(t as SampleType));
  const result = await attempt(() =>
    apiRequest(CreateCohortDocument, {
      input: {
        name,
        description,
        filter: {
          cancerTypes: cancerTypes.length ? cancerTypes : null,
          sampleTypes: sampleTypes.length ? sampleTypes : null,
        },
      },
    }),
  );
  if (!result.ok) return { error: result.message };
  redirect(`/cohorts/${result.data.createCohort.id}`);
}
