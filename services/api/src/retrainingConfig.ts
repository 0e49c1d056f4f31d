// The `config` argument of triggerRetraining: GexBERT config overrides (checked with the model library's
// makeConfig, whose defaults are the training recipe's) plus training options, refused with one clear message.
import { ConfigError, defaultConfig, type GexbertConfig, makeConfig } from '@gexbert/model/gexbert/config';
import { badInput } from './errors.ts';

/** Options of the training run itself (not of the model), with the check each value must pass. */
const TRAINING_OPTIONS = {
  /** Stop after this many optimiser steps. */
  maxSteps: (v: unknown) => Number.isInteger(v) && (v as number) >= 1,
  /** Stop after this many seconds (the best weights so far are kept). */
  timeLimitSeconds: (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  /** Genes in the vocabulary (the most variable ones); sets the config's vocabSize. */
  vocabularySize: (v: unknown) => Number.isInteger(v) && (v as number) >= 1,
} as const;
type TrainingOption = keyof typeof TRAINING_OPTIONS;

export type RetrainingOverrides = Partial<GexbertConfig> & Partial<Record<TrainingOption, number>>;

/** The recipe's vocabulary size when `vocabularySize` is not given (model/src/gexbert/recipe.ts). */
const DEFAULT_VOCABULARY = 1000;
// vocabSize follows from the vocabulary the run selects, so it is set through vocabularySize instead.
const CONFIG_KEYS = Object.keys(defaultConfig).filter((key) => key !== 'vocabSize');
const OPTION_KEYS = Object.keys(TRAINING_OPTIONS) as TrainingOption[];

function refuse(problem: string): never {
  throw badInput(`invalid retraining config: ${problem}`);
}

/**
 * The validated overrides (an empty object for null); BAD_USER_INPUT naming the first bad key otherwise.
 * Model keys are validated as a whole config: the defaults overridden by `config`, with vocabSize = vocabularySize.
 */
export function retrainingOverrides(config: unknown): RetrainingOverrides {
  if (config === null || config === undefined) return {};
  if (typeof config !== 'object' || Array.isArray(config))
    refuse(`config must be a JSON object such as {"epochs": 20}, got ${JSON.stringify(config)}`);
  const entries = Object.entries(config as Record<string, unknown>);
  if (entries.some(([key]) => key === 'vocabSize'))
    refuse('vocabSize follows from the vocabulary; set vocabularySize (the number of genes) instead');
  const unknown = entries.find(
    ([key]) => !CONFIG_KEYS.includes(key) && !Object.hasOwn(TRAINING_OPTIONS, key),
  );
  if (unknown)
    refuse(
      `unknown key "${unknown[0]}"; allowed are the GexBERT config keys (${CONFIG_KEYS.join(', ')}) and the training options ${OPTION_KEYS.join(', ')}`,
    );
  const options: Partial<Record<TrainingOption, number>> = {};
  const model: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if (Object.hasOwn(TRAINING_OPTIONS, key)) {
      const option = key as TrainingOption;
      if (!TRAINING_OPTIONS[option](value))
        refuse(
          `${key} must be a positive ${option === 'timeLimitSeconds' ? 'number' : 'integer'} (got ${JSON.stringify(value)})`,
        );
      options[option] = value as number;
    } else model[key] = value;
  }
  try {
    makeConfig({
      ...model,
      vocabSize: options.vocabularySize ?? DEFAULT_VOCABULARY,
    } as Partial<GexbertConfig>);
  } catch (error) {
    if (error instanceof ConfigError) refuse(error.problems.join('; '));
    throw error;
  }
  return { ...(model as Partial<GexbertConfig>), ...options };
}
