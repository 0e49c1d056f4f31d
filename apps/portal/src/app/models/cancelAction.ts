'use server';
// The "Cancel" button's server action (admins only: anyone else gets 401/403 before anything is done);
// asks the API to cancel a training run as the signed-in admin.
import { revalidatePath } from 'next/cache';
import { CancelTrainingRunDocument } from '../../generated/graphql.ts';
import { apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireRole } from '../../lib/auth.ts';

export interface CancelState {
  error: string | null;
  status: string | null;
}

export async function cancelTrainingRun(_state: CancelState, form: FormData): Promise<CancelState> {
  await requireRole('ADMIN');
  const id = String(form.get('runId') ?? '');
  if (!/^\d+$/.test(id)) return { error: 'No training run given.', status: null };
  const result = await attempt(() => apiRequest(CancelTrainingRunDocument, { id }));
  if (!result.ok) return { error: result.message, status: null };
  revalidatePath('/models');
  return { error: null, status: result.data.cancelTrainingRun.status };
}
