/**
 * `@gexbert/model/training`: what the services and the CLI use to train a GexBERT checkpoint. The recipe
 * (`trainCheckpoint`, `RECIPE_DEFAULTS`) normalises a corpus, pretrains, and writes the checkpoint; the
 * configuration it takes is validated by `makeConfig` (`ConfigError`), the engine named by `EngineChoice`.
 */

export { ConfigError, type GexbertConfig, makeConfig } from '../architecture/config.ts';
export type { EngineChoice } from './engine.ts';
export { RECIPE_DEFAULTS, type RecipeOptions, TrainingStopped, trainCheckpoint } from './recipe.ts';
export type { EvalInfo, ProgressInfo, ResumeInfo } from './train.ts';
