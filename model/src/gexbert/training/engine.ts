/**
 * Which training engine computes loss and gradients, and what happens when it cannot start.
 *
 *   onnxruntime  the hand-written ONNX training graph on onnxruntime's CPU kernels (engine-ort.ts)
 *   tfjs         TensorFlow.js on the backend engine/tf.ts chose (engine-tfjs.ts), about 7x slower
 *   auto         onnxruntime; if it cannot start, tfjs with one warning naming the cause and the cost
 *
 * An engine asked for by name never falls back: its failure is an error naming the cause. Both engines
 * take the trainer's dropout masks, so a fallback costs time, not a different model (the same masks and
 * data; the losses differ by float rounding only).
 */

import type { GexbertModel } from '../architecture/model.ts';
import { TfjsEngine, type TrainingEngine } from './engine-tfjs.ts';

/** Builds the engine that computes loss and gradients. */
export type EngineFactory = (model: GexbertModel) => TrainingEngine | Promise<TrainingEngine>;

export type EngineChoice = 'auto' | 'tfjs' | 'onnxruntime';

/** The platform setting that picks the engine (services/core config.ts reads it and passes the choice). */
export const ENGINE_VARIABLE = 'GEXBERT_TRAIN_ENGINE';

export interface EngineOptions {
  /** onnxruntime intra-op threads (default: onnxruntime's choice, all cores). */
  threads?: number;
  /** Told once when `auto` falls back to tfjs. */
  warn: (message: string) => void;
  /** How each engine is built (tests inject a failing one). */
  loaders?: Partial<Record<'onnxruntime' | 'tfjs', EngineFactory>>;
}

/** The engine factory for a choice: a named engine or its error; `auto` onnxruntime, else tfjs with a warning. */
export function resolveEngine(choice: EngineChoice | EngineFactory, opts: EngineOptions): EngineFactory {
  if (typeof choice === 'function') return choice;
  const tfjs = opts.loaders?.tfjs ?? ((m: GexbertModel) => new TfjsEngine(m));
  if (choice === 'tfjs') return tfjs;
  const onnxruntime = opts.loaders?.onnxruntime ?? ortLoader(opts.threads);
  return async (m) => {
    try {
      return await onnxruntime(m);
    } catch (err) {
      const cause = causeOf(err);
      if (choice === 'onnxruntime')
        throw new Error(
          `the onnxruntime training engine failed to start: ${cause} (asked for by name, so there is no fallback; choose tfjs, about 7x slower, or auto to fall back to it)`,
          { cause: err },
        );
      opts.warn(
        `the onnxruntime training engine failed to start (${cause}); training with tfjs instead, about 7x slower (the same model up to float rounding). Set ${ENGINE_VARIABLE}=tfjs to choose it, or onnxruntime to make this an error`,
      );
      return tfjs(m);
    }
  };
}

function ortLoader(threads: number | undefined): EngineFactory {
  return async (m) => {
    const { createOrtEngine } = await import('./engine-ort.ts');
    return createOrtEngine(m, threads === undefined ? {} : { intraOpThreads: threads });
  };
}

function causeOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0]!.trim();
}
