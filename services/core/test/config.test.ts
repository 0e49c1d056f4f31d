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

describe('GEXBERT_GENE_IMPORTANCE', () => {
  it('is on when unset, off when told, and refuses a word that is no switch', () => {
    expect(loadConfig({}).geneImportance).toBe(true);
    expect(loadConfig({ GEXBERT_GENE_IMPORTANCE: 'off' }).geneImportance).toBe(false);
    expect(loadConfig({ GEXBERT_GENE_IMPORTANCE: ' ON ' }).geneImportance).toBe(true);
    expect(() => loadConfig({ GEXBERT_GENE_IMPORTANCE: 'later' })).toThrow(
      /^Invalid configuration: GEXBERT_GENE_IMPORTANCE: /,
    );
  });
});
