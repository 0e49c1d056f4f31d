'use server';
// The "Cancel" button's server action: asks the API to cancel a training run (the API allows admins only
// and answers anyone else with its refusal, which the button shows).
import { revalidatePath } from 'next/cache';
import { CancelTrainingRunDocument } from '../../generated/graphql.ts';
import { apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';

export interface CancelState {
  error: string | null;
  status: string | null;
}

export async function cancelTrainingRun(_state: CancelState, form: FormData): Promise<CancelState> {
  const id = String(form.get('runId') ?? '');
  if (!/^\d+$/.test(id)) return { error: 'No training run given.', status: null };
  const result = await attempt(() => apiRequest(CancelTrainingRunDocument, { id }));
  if (!result.ok) return { error: result.message, status: null };
  revalidatePath('/models');
  return { error: null, status: result.data.cancelTrainingRun.status };
}
