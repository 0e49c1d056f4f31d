// Answers about a whole cohort through the store every API process shares (core inference/cohortAnswers.ts):
// read when stored at the cohort's current fingerprint, otherwise computed once (concurrent requests of this
// process wait for the same computation) and stored for the next request, here or in another process.
import {
  cohortFingerprint,
  readCohortAnswer,
  storeCohortAnswer,
} from '@gexbert/core/inference/cohortAnswers';
import type { ModelVersion } from '@gexbert/core/registry/modelVersion';
import type { Context } from '../context.ts';

const computing = new Map<string, Promise<unknown>>();

/** The stored answer under `key`, or `compute()`'s, stored. */
export async function storedCohortAnswer<T>(
  context: Pick<Context, 'db'>,
  cohortId: number,
  key: string,
  compute: () => Promise<T>,
): Promise<T> {
  const fingerprint = await cohortFingerprint(context.db, cohortId);
  if (fingerprint === null) return compute(); // no such cohort: compute says so
  const stored = await readCohortAnswer<T>(context.db, cohortId, key, fingerprint);
  if (stored !== null) return stored;
  const id = `${cohortId}/${key}/${fingerprint}`;
  let answer = computing.get(id) as Promise<T> | undefined;
  if (!answer) {
    answer = (async () => {
      const value = await compute();
      if (value !== null) await storeCohortAnswer(context.db, cohortId, key, fingerprint, value);
      return value;
    })().finally(() => computing.delete(id));
    computing.set(id, answer);
  }
  return answer;
}

/**
 * The same for an answer that names its model version: stored without it (the key names the version) and
 * served with the version the request resolved.
 */
export async function storedModelAnswer<T>(
  context: Pick<Context, 'db'>,
  cohortId: number,
  key: string,
  version: ModelVersion,
  compute: () => Promise<T | null>,
): Promise<T | null> {
  const value = await storedCohortAnswer(context, cohortId, key, async () => {
    const answer = (await compute()) as { model?: unknown } | null;
    if (!answer) return null;
    const { model: _model, ...rest } = answer;
    return rest;
  });
  return value === null ? null : ({ ...value, model: version } as T);
}
