'use server';
// The create-cohort form's server action: "Count" previews what the filters select; "Create" makes a cohort
// of the matching samples that remembers its filter (and can be rebuilt from it).
import { redirect } from 'next/navigation';
import { CohortFilterPreviewDocument, CreateCohortDocument } from '../../generated/graphql.ts';
import { apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireRole } from '../../lib/auth.ts';
import { filterFromForm } from '../../lib/cohortFilterForm.ts';

export interface CreateCohortState {
  error: string | null;
  /** What the filters select now (after "Count"). */
  preview: string | null;
}

export async function createCohort(_state: CreateCohortState, form: FormData): Promise<CreateCohortState> {
  await requireRole('CURATOR');
  const read = filterFromForm(form);
  if (!read.ok) return { error: read.error, preview: null };
  if (form.get('intent') === 'preview') {
    const result = await attempt(() => apiRequest(CohortFilterPreviewDocument, { filter: read.filter }));
    if (!result.ok) return { error: result.message, preview: null };
    const p = result.data.cohortFilterPreview;
    const leftOut = p.thresholds
      .filter((t) => t.withoutValue > 0)
      .map(
        (t) =>
          `${t.withoutValue} samples had no ${t.gene.symbol ?? t.gene.ensemblId} value in the unit and were left out`,
      );
    return {
      error: null,
      preview: `${p.sampleCount.toLocaleString('en-US')} samples of ${p.patientCount.toLocaleString('en-US')} patients match: ${p.description}.${leftOut.length ? ` ${leftOut.join('; ')}.` : ''}`,
    };
  }
  const name = String(form.get('name') ?? '').trim();
  if (!name) return { error: 'Give the cohort a name.', preview: null };
  const description = String(form.get('description') ?? '').trim() || null;
  const result = await attempt(() =>
    apiRequest(CreateCohortDocument, { input: { name, description, filter: read.filter } }),
  );
  if (!result.ok) return { error: result.message, preview: null };
  redirect(`/cohorts/${result.data.createCohort.id}`);
}
