// The `config` argument of triggerRetraining, checked by the parser the worker itself uses
// (services/core/src/training/request.ts), so the API and the worker can never disagree about it.
import { parseRetrainingConfig } from '@gexbert/core/training/request';
import { badInput } from './errors.ts';

/** The config as given (an empty object for null); BAD_USER_INPUT with the parser's one-line message otherwise. */
export function retrainingOverrides(config: unknown): Record<string, unknown> {
  try {
    parseRetrainingConfig(config);
  } catch (error) {
    throw badInput(error instanceof Error ? error.message : String(error));
  }
  return (config ?? {}) as Record<string, unknown>;
}
