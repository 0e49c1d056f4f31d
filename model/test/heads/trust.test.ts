// The shipped model's heads on the real TCGA samples of <shared>: they travel with the checkpoint, name
// real types, flag a type they were not fitted on, match panels with panel-fitted heads, and carry
// calibrated probabilities and intervals.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import { loadCountsDir, readSurvival } from '../../src/data/inputs.ts';
import { ready } from '../../src/engine/tf.ts';
import { loadCheckpoint } from '../../src/gexbert/inference/checkpoint.ts';
import { createOnnxPredictor, type OnnxPredictor } from '../../src/gexbert/inference/predictor.ts';
import { countsReference } from '../../src/heads/fitCheckpoint.ts';
import { leaveOneTypeOut } from '../../src/heads/heldOut.ts';
import { fitModelHeads, type ModelHeads, readModelHeads } from '../../src/heads/modelHeads.ts';
import { type HeadReference, referenceProfiles, referenceSubset } from '../../src/heads/reference.ts';
import { HeadServer } from '../../src/heads/serve.ts';

const CHECKPOINT = path.resolve(import.meta.dirname, '../../checkpoints/tcga-6types');
const data = loadCountsDir(path.join(sharedDir(), 'data', 'tcga', 'counts'));
const survival = readSurvival(path.join(sharedDir(), 'data', 'tcga', 'clinical', 'tcga_pancan_os.tsv.gz'));

let predictor: OnnxPredictor;
let stats: ReturnType<typeof loadCheckpoint>['stats'];
let reference: HeadReference;

beforeAll(async () => {
  await ready();
  const checkpoint = loadCheckpoint(CHECKPOINT);
  checkpoint.model.dispose();
  stats = checkpoint.stats;
  predictor = await createOnnxPredictor(checkpoint.config, checkpoint.weights);
  reference = countsReference(data, stats, survival);
});

describe('the shipped heads (heads.json in the checkpoint)', () => {
  let heads: ModelHeads;
  beforeAll(() => {
    heads = readModelHeads(CHECKPOINT)!;
  });

  it('are fitted on the 291 real samples of six types, with survival, intervals and held-out figures', () => {
    expect(heads.simulated).toBe(false);
    expect(heads.summary.samples).toBe(291);
    expect(Object.keys(heads.summary.cancerTypes).sort()).toEqual([
      'ACC',
      'CHOL',
      'DLBC',
      'KICH',
      'UCS',
      'UVM',
    ]);
    expect(heads.summary.events).toBeGreaterThanOrEqual(50);
    expect(heads.full.cancerType!.classes).toEqual(Object.keys(heads.summary.cancerTypes).sort());
    expect(heads.full.risk!.events).toBe(heads.summary.events);
    expect(heads.intervals!.coverage).toBe(0.9);
    expect(heads.metrics['whole.eceAfter']).toBeLessThanOrEqual(0.05);
    expect(heads.metrics['whole.novelty.auroc']).toBeGreaterThanOrEqual(0.99);
    expect(heads.metrics['whole.novelty.knownFlagged']).toBeLessThanOrEqual(0.05);
    for (const rate of [30, 70, 90]) {
      expect(heads.metrics[`intervals.coverage${rate}`]).toBeGreaterThanOrEqual(0.85);
      expect(heads.metrics[`intervals.coverage${rate}`]).toBeLessThanOrEqual(0.95);
    }
  });

  it('name every real sample with one of its six types, correctly for at least 95%', async () => {
    const server = new HeadServer(predictor, stats, heads);
    const answers = await server.predict(referenceProfiles(reference, stats));
    const known = new Set(heads.full.cancerType!.classes);
    let right = 0;
    answers.forEach((a, i) => {
      expect(known.has(a.cancerType!.closestType)).toBe(true);
      if (a.cancerType!.predictedType === data.labels[i]) right++;
      expect(a.heads).toEqual({ id: heads.id, inputGenes: stats.genes.length, panelMatched: false });
      expect(a.risk!.events).toBe(heads.summary.events);
    });
    expect(right / answers.length).toBeGreaterThanOrEqual(0.95);
  });
});

describe('a cancer type left out of the heads', () => {
  it.each(['UVM', 'KICH'])(
    'is flagged out of distribution with no type (%s), known types mostly not',
    async (left) => {
      const keptRows = data.labels.flatMap((l, i) => (l === left ? [] : [i]));
      // every other sample of the kept types is held out of the heads
      const fitRows = keptRows.filter((_, j) => j % 3 !== 0);
      const heldRows = keptRows.filter((_, j) => j % 3 === 0);
      const leftRows = data.labels.flatMap((l, i) => (l === left ? [i] : []));
      const heads = await fitModelHeads(predictor, stats, referenceSubset(reference, fitRows), {
        source: 'test',
        intervals: 'none',
      });
      const server = new HeadServer(predictor, stats, heads);
      const novel = await server.predict(referenceProfiles(referenceSubset(reference, leftRows), stats));
      const known = await server.predict(referenceProfiles(referenceSubset(reference, heldRows), stats));
      const flagged = (answers: typeof novel) =>
        answers.filter((a) => a.cancerType!.outOfDistribution).length / answers.length;
      expect(flagged(novel)).toBeGreaterThanOrEqual(0.8);
      // a reference of 2/3 of five types flags more known samples than the whole one (<= 5%, measured below)
      expect(flagged(known)).toBeLessThanOrEqual(0.15);
      for (const a of novel.filter((x) => x.cancerType!.outOfDistribution)) {
        expect(a.cancerType!.predictedType).toBeNull();
        expect(a.cancerType!.closestType).not.toBe(left);
        expect(a.cancerType!.novelty).toBeGreaterThan(1);
      }
    },
  );

  it('scores AUROC >= 0.95 from random 64-gene panels, flagging <= 5% of known types (leave-one-type-out)', () => {
    for (const panel of [0, 1]) {
      const genes = stats.genes
        .map((_, v) => v)
        .filter((v) => (v * 7 + panel * 13) % 15 === 0)
        .slice(0, 64);
      expect(genes).toHaveLength(64);
      const r = leaveOneTypeOut(reference, genes, panel);
      expect(r.auroc).toBeGreaterThanOrEqual(0.95);
      expect(r.knownFlagged).toBeLessThanOrEqual(0.05);
    }
  });
});

describe('a 64-gene panel', () => {
  it('is answered by heads fitted on the reference seen through the same genes, mostly correctly', async () => {
    const heads = readModelHeads(CHECKPOINT)!;
    const server = new HeadServer(predictor, stats, heads);
    const genes = new Set(stats.genes.filter((_, v) => v % 15 === 4).slice(0, 64));
    const profiles = referenceProfiles(reference, stats).map((p) => ({
      ...p,
      values: p.values.map((v, g) => (genes.has(p.genes[g]!) ? v : Number.NaN)),
    }));
    const answers = await server.predict(profiles);
    expect(answers[0]!.heads).toMatchObject({ id: heads.id, inputGenes: 64, panelMatched: true });
    const right = answers.filter((a, i) => a.cancerType!.predictedType === data.labels[i]).length;
    expect(right / answers.length).toBeGreaterThanOrEqual(0.85);
    const flagged = answers.filter((a) => a.cancerType!.outOfDistribution).length;
    expect(flagged / answers.length).toBeLessThanOrEqual(0.1);
  });
});
