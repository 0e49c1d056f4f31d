// Stored panel head sets on the shipped 33-type model and its real reference (291 count samples of six types
// and the 604 pancan33 RSEM samples of ../shared): the stored rsem panel is exactly what a whole pancan33 sample
// measures, and answers it as the head set fitted at a request would (the same computation), without running
// the model on the reference. heads.json without panels (tcga-6types) parses as before.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Predictor } from '../../src/gexbert/inference/infer.ts';
import type { NormStats } from '../../src/gexbert/inference/normalise.ts';
import { type OnnxPredictor, openCheckpointPredictor } from '../../src/gexbert/inference/predictor.ts';
import {
  fitModelHeads,
  type ModelHeads,
  parseModelHeads,
  readModelHeads,
} from '../../src/heads/modelHeads.ts';
import { unitPanels } from '../../src/heads/panels.ts';
import { referenceProfiles, referenceRow, referenceSubset } from '../../src/heads/reference.ts';
import { HeadServer, type SamplePrediction } from '../../src/heads/serve.ts';

const CHECKPOINTS = path.resolve(import.meta.dirname, '../../checkpoints');
const T33 = path.join(CHECKPOINTS, 'tcga-33types');
const T6 = path.join(CHECKPOINTS, 'tcga-6types');
const rawHeads = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'heads.json'), 'utf8'));

let predictor: OnnxPredictor;
let stats: NormStats;
let heads: ModelHeads;

beforeAll(async () => {
  ({
    predictor,
    checkpoint: { stats },
  } = await openCheckpointPredictor(T33));
  heads = readModelHeads(T33)!;
});

afterAll(async () => {
  await predictor?.release();
});

/** The predictor, counting the reference-sized work: rows (samples) it is asked to embed. */
function counting(inner: Predictor): Predictor & { rows: number } {
  const counter = {
    name: inner.name,
    width: inner.width,
    rows: 0,
    run: (batch: Parameters<Predictor['run']>[0]) => {
      counter.rows += batch.B;
      return inner.run(batch);
    },
  };
  return counter;
}

/** The measured vocabulary positions of a z row (what HeadServer.answer keys its head set by). */
function measured(z: ArrayLike<number>): number[] {
  return Array.from(z, (x, v) => (Number.isFinite(x) ? v : -1)).filter((v) => v >= 0);
}

describe('the panels of a checkpoint', () => {
  it("are the genes of the normalisation's partial units: rsem, 100 genes for tcga-33types; none for tcga-6types", () => {
    const rsem = JSON.parse(readFileSync(path.join(T33, 'normalisation.json'), 'utf8')).rsem;
    const covered = (rsem.mean as (number | null)[]).flatMap((m, v) => (m === null ? [] : [v]));
    expect(covered).toHaveLength(100);
    expect(unitPanels(stats)).toEqual([{ name: 'rsem', genes: covered }]);
    const six = JSON.parse(readFileSync(path.join(T6, 'normalisation.json'), 'utf8'));
    expect(six.rsem).toBeUndefined();
  });

  it('are what every real pancan33 sample of the reference measures', () => {
    const ref = heads.reference;
    const rsemRows = ref.samples.flatMap((_, i) =>
      measured(referenceRow(ref, i)).length < ref.genes ? [i] : [],
    );
    expect(rsemRows).toHaveLength(604);
    const [panel] = unitPanels(stats);
    for (const i of rsemRows) expect(measured(referenceRow(ref, i))).toEqual(panel!.genes);
  });
});

describe('heads fitted on a reference', () => {
  it("store the checkpoint's rsem panel set beside the whole-profile set; its samples then need no fit", async () => {
    // every 6th real sample of the shipped reference (count and pancan33 ones), without intervals
    const rows = heads.reference.samples.flatMap((_, i) => (i % 6 === 0 ? [i] : []));
    const reference = referenceSubset(heads.reference, rows);
    const fitted = await fitModelHeads(predictor, stats, reference, { source: 'test', intervals: 'none' });
    expect(fitted.panels?.map((p) => [p.name, p.genes])).toEqual(
      unitPanels(stats).map((p) => [p.name, p.genes]),
    );
    expect(fitted.panels![0]!.set.inputGenes).toBe(100);
    const pancan = reference.samples.flatMap((_, i) =>
      measured(referenceRow(reference, i)).length === 100 ? [i] : [],
    );
    const p = counting(predictor);
    const [answer] = await new HeadServer(p, stats, fitted).predict([
      referenceProfiles(reference, stats)[pancan[0]!]!,
    ]);
    expect(p.rows).toBe(1);
    expect(answer!.heads).toEqual({ id: fitted.id, inputGenes: 100, panelMatched: true });
  }, 60_000);
});

describe('heads.json', () => {
  it('without panels parses as before (tcga-6types): no panels, the same id', () => {
    const raw = rawHeads(T6);
    expect(raw.panels).toBeUndefined();
    const parsed = parseModelHeads(raw);
    expect(parsed.panels).toBeUndefined();
    expect(parsed.id).toBe(raw.id);
  });

  it('of tcga-33types carries the rsem panel set, fitted from its 100 genes', () => {
    expect(heads.panels?.map((p) => [p.name, p.genes])).toEqual(
      unitPanels(stats).map((p) => [p.name, p.genes]),
    );
    const set = heads.panels![0]!.set;
    expect(set.inputGenes).toBe(100);
    expect(set.cancerType!.classes).toEqual(heads.full.cancerType!.classes);
    expect(set.novelty!.genes).toEqual(heads.panels![0]!.genes);
    expect(set.risk!.events).toBe(heads.full.risk!.events);
  });

  it('with a bad panel is refused, naming the field', () => {
    const raw = rawHeads(T33);
    const bad = (change: (p: Record<string, unknown>) => void) => {
      const copy = structuredClone(raw);
      change(copy.panels[0]);
      return () => parseModelHeads(copy);
    };
    expect(bad((p) => ((p.genes as number[])[0] = 5000))).toThrow(
      /panels\[0\]\.genes must be ascending vocabulary positions \(0 to 1087\)/,
    );
    expect(bad((p) => (p.genes as number[]).reverse())).toThrow(/panels\[0\]\.genes must be ascending/);
    expect(bad((p) => (p.genes as number[]).pop())).toThrow(
      /panels\[0\]\.set was fitted from 100 genes, not its 99/,
    );
    expect(bad((p) => ((p.set as { risk: { sd: number[] } }).risk.sd[0] = -1))).toThrow(
      /panels\[0\]\.set: invalid heads: heads\.risk\.sd\[0\] must be > 0/,
    );
    expect(bad((p) => delete (p.set as { novelty?: unknown }).novelty)).toThrow(
      /panels\[0\]\.set\.novelty \(genes, rows\) must accompany panels\[0\]\.set\.cancerType/,
    );
  });
});

describe('a whole pancan33 sample through tcga-33types', () => {
  it('is answered by the stored rsem set exactly as by the set fitted at the request, without a fit', async () => {
    // 41 real pancan33 samples of the reference (every 15th), as the model sees them: z over their 100 genes
    const ref = heads.reference;
    const rows = ref.samples.flatMap((_, i) => (measured(referenceRow(ref, i)).length === 100 ? [i] : []));
    const picked = rows.filter((_, k) => k % 15 === 0);
    const profiles = referenceProfiles(ref, stats).filter((_, i) => picked.includes(i));
    const answer = async (h: ModelHeads) => {
      const p = counting(predictor);
      const started = performance.now();
      const answers = await new HeadServer(p, stats, h).predict(profiles);
      return { answers, rows: p.rows, ms: performance.now() - started };
    };
    const stored = await answer(heads);
    const fitted = await answer({ ...heads, panels: undefined });
    console.log(
      `${profiles.length} pancan33 samples through tcga-33types: stored rsem set ${stored.ms.toFixed(0)} ms (${stored.rows} rows embedded), set fitted at the request ${fitted.ms.toFixed(0)} ms (${fitted.rows} rows)`,
    );
    expect(stored.rows).toBe(profiles.length); // the samples alone: nothing fitted
    expect(fitted.rows).toBe(profiles.length + ref.samples.length); // and the reference through the panel
    let gap = 0; // largest difference of any probability, novelty or risk score
    const compare = (a: SamplePrediction, b: SamplePrediction) => {
      expect(a.heads).toEqual({ id: heads.id, inputGenes: 100, panelMatched: true });
      expect(b.heads.inputGenes).toBe(100);
      const pb = new Map(b.cancerType!.probabilities.map((p) => [p.cancerType, p.probability]));
      expect(a.cancerType!.probabilities).toHaveLength(33);
      for (const p of a.cancerType!.probabilities)
        gap = Math.max(gap, Math.abs(p.probability - pb.get(p.cancerType)!));
      expect(a.cancerType!.predictedType).toBe(b.cancerType!.predictedType);
      gap = Math.max(gap, Math.abs(a.cancerType!.novelty - b.cancerType!.novelty));
      gap = Math.max(gap, Math.abs(a.risk!.score - b.risk!.score));
    };
    expect(stored.answers).toHaveLength(picked.length);
    stored.answers.forEach((a, i) => {
      compare(a, fitted.answers[i]!);
    });
    console.log(`largest difference between the two answers: ${gap}`);
    expect(gap).toBeLessThan(1e-9);
  }, 120_000);
});
