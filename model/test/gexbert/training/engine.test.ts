// No silent fallbacks: an engine asked for by name that cannot start is an error naming the cause; `auto`
// falls back to tfjs with one warning naming the cause and the cost, and records the engine that trained.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../../../src/engine/tf.ts';
import type { GexbertModel } from '../../../src/gexbert/architecture/model.ts';
import { saveModel } from '../../../src/gexbert/inference/checkpoint.ts';
import { fitNormaliser, matrixToZ } from '../../../src/gexbert/inference/normalise.ts';
import { resolveEngine } from '../../../src/gexbert/training/engine.ts';
import type { TrainingEngine } from '../../../src/gexbert/training/engine-tfjs.ts';
import { type PretrainOptions, pretrain } from '../../../src/gexbert/training/train.ts';
import { simulate, tinyConfig } from '../helpers.ts';

const dirs: string[] = [];
beforeAll(async () => {
  await ready();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A stand-in engine that only carries a name (the decision is all these tests look at). */
const named = (name: string) => () => ({ name }) as unknown as TrainingEngine;
const failing = () => {
  throw new Error('libonnxruntime.so.1: cannot open shared object file\nsecond line');
};

describe('choosing the engine (injected loaders)', () => {
  const model = {} as GexbertModel;

  it('auto falls back to tfjs with one warning naming the cause and the cost', async () => {
    const warnings: string[] = [];
    const factory = resolveEngine('auto', {
      warn: (m) => warnings.push(m),
      loaders: { onnxruntime: failing, tfjs: named('tfjs') },
    });
    expect((await factory(model)).name).toBe('tfjs');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /onnxruntime training engine failed to start \(Error: libonnxruntime\.so\.1: cannot open shared object file\); training with tfjs instead, about 7x slower/,
    );
    expect(warnings[0]).not.toContain('second line');
  });

  it('an engine asked for by name fails with its cause and no fallback', async () => {
    const warnings: string[] = [];
    let tfjsBuilt = false;
    const factory = resolveEngine('onnxruntime', {
      warn: (m) => warnings.push(m),
      loaders: {
        onnxruntime: failing,
        tfjs: () => {
          tfjsBuilt = true;
          return named('tfjs')();
        },
      },
    });
    await expect(factory(model)).rejects.toThrow(
      /^the onnxruntime training engine failed to start: Error: libonnxruntime\.so\.1: cannot open shared object file \(asked for by name, so there is no fallback/,
    );
    expect(warnings).toEqual([]);
    expect(tfjsBuilt).toBe(false);
  });

  it('says nothing when onnxruntime starts, and tfjs by name never tries onnxruntime', async () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const loaders = { onnxruntime: named('onnxruntime-cpu'), tfjs: named('tfjs') };
    expect((await resolveEngine('auto', { warn, loaders })(model)).name).toBe('onnxruntime-cpu');
    expect(
      (await resolveEngine('tfjs', { warn, loaders: { ...loaders, onnxruntime: failing } })(model)).name,
    ).toBe('tfjs');
    expect(warnings).toEqual([]);
  });
});

describe('onnxruntime refusing its configuration (real onnxruntime, no stand-in)', () => {
  const sim = simulate({ nSamples: 20, nGenes: 24, factors: 2, noise: 0.3, seed: 9 });
  const matrix = { ...sim, unit: 'log2cpm' as const };
  const config = tinyConfig({ seed: 3, dropout: 0.1, validationFraction: 0.2, epochs: 1 });
  const stats = fitNormaliser(matrix, sim.genes, { levels: config.levels, zRange: config.zRange });
  // onnxruntime-node refuses a negative thread count when it creates the session: a real failure to start.
  const options = (over: Partial<PretrainOptions>): PretrainOptions => ({
    config,
    corpus: { z: matrixToZ(stats, matrix), nSamples: sim.nSamples },
    engineThreads: -1,
    ...over,
  });
  const cause = /RangeError: 'intraOpNumThreads' is invalid: -1/;

  it('asked for by name: the run fails, says why and leaves no log', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gexbert-engine-'));
    dirs.push(dir);
    const logFile = path.join(dir, 'train.jsonl');
    const warnings: string[] = [];
    const run = pretrain(options({ engine: 'onnxruntime', logFile, onWarning: (m) => warnings.push(m) }));
    await expect(run).rejects.toThrow(cause);
    await expect(run).rejects.toThrow(/^the onnxruntime training engine failed to start: /);
    expect(warnings).toEqual([]);
    expect(existsSync(logFile)).toBe(false);
  });

  it('auto: one warning, trained with tfjs, and the log and metrics say so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gexbert-engine-'));
    dirs.push(dir);
    const logFile = path.join(dir, 'train.jsonl');
    const warnings: string[] = [];
    const r = await pretrain(options({ engine: 'auto', logFile, onWarning: (m) => warnings.push(m) }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(cause);
    expect(warnings[0]).toMatch(/training with tfjs instead, about 7x slower/);
    expect(r.metrics.engine).toBe('tfjs');
    expect(r.metrics.engineWarning).toBe(warnings[0]);
    const records = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; engine?: string; engineWarning?: string });
    expect(records[0]).toMatchObject({ type: 'start', engine: 'tfjs' });
    expect(records.at(-1)).toMatchObject({ type: 'end', engine: 'tfjs', engineWarning: warnings[0] });
    saveModel(dir, r.model, stats, { metrics: { ...r.metrics } });
    expect(readFileSync(path.join(dir, 'MODEL_CARD.md'), 'utf8')).toContain(
      `- Engine: tfjs; steps: ${r.metrics.steps}`,
    );
    expect(readFileSync(path.join(dir, 'MODEL_CARD.md'), 'utf8')).toContain(
      `- Engine fallback: ${warnings[0]}.`,
    );
    r.model.dispose();
  });
});
