'use server';
// The retrain form's server action: queues a retraining run as the signed-in admin (their own token).
import { revalidatePath } from 'next/cache';
import { TriggerRetrainingDocument } from '../../generated/graphql.ts';
import { apiRequest } from '../../lib/api.ts';
import { attempt } from '../../lib/attempt.ts';
import { requireRole } from '../../lib/auth.ts';

export interface RetrainState {
  error: string | null;
  queued: { id: string; status: string } | null;
}

/** The form's optional recipe overrides: a JSON object, or an error naming the problem. */
function parseOverrides(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: null };
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { ok: false, error: 'Overrides must be a JSON object, e.g. {"maxSteps": 50}.' };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: `Overrides are not valid JSON (${(error as Error).message}).` };
  }
}

export async function triggerRetraining(_state: RetrainState, form: FormData): Promise<RetrainState> {
  await requireRole('ADMIN');
  const overrides = parseOverrides(String(form.get('overrides') ?? ''));
  if (!overrides.ok) return { error: overrides.error, queued: null };
  const result = await attempt(() =>
    apiRequest(
      TriggerRetrainingDocument,
      // simulated samples only when the box was ticked
      { config: overrides.value, includeSimulated: form.get('includeSimulated') === 'on' },
    ),
  );
  if (!result.ok) return { error: result.message, queued: null };
  revalidatePath('/models');
  return { error: null, queued: result.data.triggerRetraining };
}
