'use server';
// The "Rebuild" button's server action (curators: anyone else gets 401/403 before anything is done): asks the
// API to choose a filter cohort's members again from its stored filter.
import { revalidatePath } from 'next/cache';
import { RebuildCohortDocument } from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import { requireRole } from '../../../lib/auth.ts';

export interface RebuildState {
  error: string | null;
  done: string | null;
}

export async function rebuildCohort(_state: RebuildState, form: FormData): Promise<RebuildState> {
  await requireRole('CURATOR');
  const id = String(form.get('cohortId') ?? '');
  if (!/^\d+$/.test(id)) return { error: 'No cohort given.', done: null };
  const result = await attempt(() => apiRequest(RebuildCohortDocument, { id }));
  if (!result.ok) return { error: result.message, done: null };
  revalidatePath(`/cohorts/${id}`, 'layout');
  const r = result.data.rebuildCohort;
  return {
    error: null,
    done: `Rebuilt: ${r.added} added, ${r.removed} removed, ${r.sampleCount} samples now.`,
  };
}
