// The platform configuration: GEXBERT_TRAIN_ENGINE is read here, once, and passed to the model library.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('GEXBERT_TRAIN_ENGINE', () => {
  it('is auto when unset, names an engine, and refuses a name that is no engine', () => {
    expect(loadConfig({}).trainEngine).toBe('auto');
    expect(loadConfig({ GEXBERT_TRAIN_ENGINE: 'tfjs' }).trainEngine).toBe('tfjs');
    expect(loadConfig({ GEXBERT_TRAIN_ENGINE: ' onnxruntime ' }).trainEngine).toBe('onnxruntime');
    expect(() => loadConfig({ GEXBERT_TRAIN_ENGINE: 'onnx' })).toThrow(
      /^Invalid configuration: GEXBERT_TRAIN_ENGINE: .*"auto".*"tfjs".*"onnxruntime"/,
    );
  });
});
