import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultConfig,
  makeConfig,
  maskedCount,
  parameterCount,
  validateConfig,
} from '../../../src/gexbert/architecture/config.ts';
import { parameterSpecs } from '../../../src/gexbert/architecture/model.ts';

describe('config', () => {
  it('defaults are valid and follow the best reference run', () => {
    const c = makeConfig();
    expect(c).toEqual({ ...defaultConfig });
    expect([c.vocabSize, c.width, c.encoderLayers, c.inputGenes, c.queryGenes, c.lr]).toEqual([
      1000, 64, 2, 128, 64, 1e-3,
    ]);
    expect(maskedCount(c)).toBe(38);
  });

  it('lists every problem at once', () => {
    try {
      validateConfig({ ...defaultConfig, width: 30, heads: 4, dropout: 1, lr: 'x', extra: 1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toContain('unknown key "extra"');
      expect(problems.some((p) => p.startsWith('lr must be a finite number'))).toBe(true);
      expect(problems.some((p) => p.startsWith('dropout must be < 1'))).toBe(true);
    }
  });

  it('checks relations between fields', () => {
    expect(() => makeConfig({ width: 30, heads: 4 })).toThrow(/divisible by heads/);
    expect(() => makeConfig({ vocabSize: 100, inputGenes: 90, queryGenes: 20 })).toThrow(
      /must not exceed vocabSize/,
    );
    expect(() => makeConfig({ inputGenes: 2, maskFraction: 0.1 })).toThrow(/masks no gene/);
    expect(() => makeConfig({ activation: 'tanh' as never })).toThrow(/activation/);
    expect(() => makeConfig({ epochs: 1.5 })).toThrow(/epochs must be an integer/);
  });

  it('parameterCount matches the parameter specs', () => {
    for (const c of [makeConfig(), makeConfig({ width: 128, heads: 8, encoderLayers: 4, ffnWidth: 512 })]) {
      const n = parameterSpecs(c).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
      expect(parameterCount(c)).toBe(n);
    }
  });
});
