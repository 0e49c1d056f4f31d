/** Intervals on restored values: closed-form checks of the conformal head, and coverage on real samples. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import { loadCountsDir, toExpression } from '../../src/data/inputs.ts';
import { ready } from '../../src/engine/tf.ts';
import { zMatrix } from '../../src/evaluate/fold.ts';
import { loadCheckpoint } from '../../src/gexbert/inference/checkpoint.ts';
import { createOnnxPredictor } from '../../src/gexbert/inference/predictor.ts';
import { splitSamples } from '../../src/gexbert/training/train.ts';
import {
  binOf,
  collectResiduals,
  conformalQuantile,
  fitRestorationIntervals,
  InvalidIntervalsError,
  parseRestorationIntervals,
  type Residual,
  type RestorationIntervals,
  restorationInterval,
} from '../../src/heads/intervals.ts';
import { calibrationRows, MAX_CALIBRATION_SAMPLES } from '../../src/heads/modelHeads.ts';
import { createRandom, randomNormal } from '../../src/random/random.ts';

/** `perGene` normal residuals for each of `sd.length` genes (gene g has sd[g]), all from `inputs` measured genes. */
function normalResiduals(sd: number[], perGene: number, inputs: number, seed: number): Residual[] {
  const random = createRandom(seed);
  const out: Residual[] = [];
  for (let i = 0; i < perGene; i++)
    sd.forEach((s, gene) => {
      out.push({ gene, measuredInputs: inputs, residual: s * randomNormal(random), sample: i });
    });
  return out;
}

function coverage(head: RestorationIntervals, residuals: Residual[]): number {
  let hit = 0;
  for (const r of residuals) {
    const { lower, upper } = restorationInterval(head, r.gene, 5, r.measuredInputs); // restored value 5
    const measured = 5 - r.residual;
    if (measured >= lower && measured <= upper) hit++;
  }
  return hit / residuals.length;
}

describe('conformal head, closed form', () => {
  const sd = Array.from({ length: 40 }, (_, g) => 0.3 + 0.05 * g); // 0.3 .. 2.25
  // no shrinkage: with 400 residuals per gene the per-gene RMS is the sd (k = 10 would pull 0.3 toward ~1.3)
  const head = fitRestorationIntervals(normalResiduals(sd, 400, 500, 1), 0.9, {
    bins: [1_000_000],
    shrinkage: 0,
  });

  it('recovers per-gene sd as scale and the normal 90% quantile (1.645) as the multiplier', () => {
    expect(head.kind).toBe('restoration-intervals');
    expect(head.genes).toBe(40);
    expect(head.calibratedOn).toBe(400);
    sd.forEach((s, g) => {
      expect(head.scale[g]! / s).toBeGreaterThan(0.88);
      expect(head.scale[g]! / s).toBeLessThan(1.12);
    });
    expect(head.multiplier[0]!).toBeGreaterThan(1.6);
    expect(head.multiplier[0]!).toBeLessThan(1.7);
  });

  it('covers ~90% of fresh draws, and each gene about equally', () => {
    const fresh = normalResiduals(sd, 500, 500, 2);
    expect(coverage(head, fresh)).toBeGreaterThan(0.89);
    expect(coverage(head, fresh)).toBeLessThan(0.91);
    const worst = Math.min(
      ...sd.map((_, g) =>
        coverage(
          head,
          fresh.filter((r) => r.gene === g),
        ),
      ),
    );
    expect(worst).toBeGreaterThan(0.83); // per gene, not only marginally, since the scale follows sd
    const interval = restorationInterval(head, 3, 5, 500);
    expect(interval.upper - 5).toBeCloseTo(5 - interval.lower, 10);
  });

  it('uses the finite-sample rank ceil((n+1)q)', () => {
    const scores = Array.from({ length: 19 }, (_, i) => i + 1); // 1..19
    expect(conformalQuantile(scores, 0.9)).toBe(18);
    expect(conformalQuantile([3, 1, 2], 0.9)).toBe(3); // too few for the rank: the largest
    expect(conformalQuantile([], 0.9)).toBeNaN();
  });

  it('shrinks the scale of a gene with few residuals toward the median', () => {
    const rs = normalResiduals([1, 1, 1, 1], 200, 500, 3);
    rs.push({ gene: 4, measuredInputs: 500, residual: 10 }); // one huge residual of gene 4
    const h = fitRestorationIntervals(rs, 0.9, { shrinkage: 10 });
    expect(h.scale[4]!).toBeLessThan(Math.sqrt((100 + 10 * 1.1) / 11) + 1e-9);
    expect(h.scale[4]!).toBeGreaterThan(2.5);
    expect(fitRestorationIntervals(rs, 0.9, { shrinkage: 0 }).scale[4]).toBeCloseTo(10, 10);
  });
});

describe('bins of measured inputs', () => {
  it('picks the first bin whose upper bound holds the count', () => {
    const bins = [16, 64, 256, 1_000_000];
    expect([1, 16, 17, 64, 100, 256, 257, 700, 2_000_000].map((m) => binOf(bins, m))).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 3,
    ]);
  });

  it('fits one multiplier per bin and widens intervals where residuals are larger', () => {
    const sd = [1, 1, 1, 1, 1];
    const rs = [
      ...normalResiduals(sd, 300, 10, 4),
      ...normalResiduals(
        sd.map(() => 2),
        300,
        700,
        5,
      ),
    ];
    const h = fitRestorationIntervals(rs, 0.9); // default bins [16, 64, 256, 1e6]
    expect(h.bins).toEqual([16, 64, 256, 1_000_000]);
    // bin 0 holds the sd-1 residuals, bin 3 the sd-2 ones: scale is their pooled RMS, ~1.58
    expect(h.multiplier[3]! / h.multiplier[0]!).toBeGreaterThan(1.8);
    expect(h.multiplier[3]! / h.multiplier[0]!).toBeLessThan(2.2);
    // empty bins 1 and 2 take the multiplier of the nearest bin with fewer inputs (bin 0)
    expect(h.multiplier[1]).toBe(h.multiplier[0]);
    expect(h.multiplier[2]).toBe(h.multiplier[0]);
    const narrow = restorationInterval(h, 0, 0, 10);
    const wide = restorationInterval(h, 0, 0, 700);
    expect(wide.upper / narrow.upper).toBeCloseTo(h.multiplier[3]! / h.multiplier[0]!, 10);
    expect(
      coverage(
        h,
        normalResiduals(
          sd.map(() => 2),
          400,
          700,
          6,
        ),
      ),
    ).toBeGreaterThan(0.87);
    expect(coverage(h, normalResiduals(sd, 400, 10, 7))).toBeGreaterThan(0.87);
  });

  it('rejects gene indices outside the vocabulary and bad coverage', () => {
    const h = fitRestorationIntervals(normalResiduals([1, 2], 50, 100, 8));
    expect(() => restorationInterval(h, 2, 0, 100)).toThrow(/outside the vocabulary of 2/);
    expect(() => fitRestorationIntervals(normalResiduals([1], 5, 100, 9), 1)).toThrow(/coverage/);
    expect(() => fitRestorationIntervals([])).toThrow(/no residuals/);
  });
});

describe('parseRestorationIntervals', () => {
  const head = fitRestorationIntervals(normalResiduals([0.5, 1, 1.5], 100, 300, 10), 0.9);
  const stored = JSON.parse(JSON.stringify(head)) as Record<string, unknown>;

  it('round-trips a fitted head through JSON', () => {
    expect(parseRestorationIntervals(stored)).toEqual(head);
  });

  it.each([
    [null, /intervals must be an object/],
    [{ ...stored, kind: 'risk' }, /intervals\.kind must be "restoration-intervals"/],
    [{ ...stored, coverage: 1.5 }, /intervals\.coverage must be a number in \(0, 1\)/],
    [{ ...stored, genes: 2.5 }, /intervals\.genes must be an integer/],
    [{ ...stored, scale: [1, 2] }, /intervals\.scale must have 3 numbers, has 2/],
    [{ ...stored, scale: [1, 0, 2] }, /intervals\.scale\[1\] must be a finite number > 0/],
    [{ ...stored, bins: [64, 16, 256, 1e6] }, /intervals\.bins must be strictly ascending/],
    [{ ...stored, bins: 'none' }, /intervals\.bins must be an array/],
    [{ ...stored, multiplier: [1, 1] }, /intervals\.multiplier must have 4 numbers, has 2/],
    [{ ...stored, multiplier: [1, null, 1, 1] }, /intervals\.multiplier\[1\]/],
    [{ ...stored, calibratedOn: 0 }, /intervals\.calibratedOn must be an integer >= 1/],
    [{ ...stored, method: '' }, /intervals\.method must be a non-empty string/],
  ])('rejects a bad field (%#)', (value, message) => {
    expect(() => parseRestorationIntervals(value)).toThrow(InvalidIntervalsError);
    expect(() => parseRestorationIntervals(value)).toThrow(message);
  });
});

describe('real samples (shipped checkpoint, shared TCGA counts)', () => {
  it('nominal 90% intervals calibrated on held-out samples cover 80-97% of other held-out samples at 30% missing', async () => {
    await ready();
    const ckpt = loadCheckpoint(path.resolve(import.meta.dirname, '../../checkpoints/tcga-6types'));
    ckpt.model.dispose();
    const predictor = await createOnnxPredictor(ckpt.config, ckpt.weights);
    try {
      const data = loadCountsDir(path.join(sharedDir(), 'data', 'tcga', 'counts'));
      const n = data.counts.sampleIds.length;
      const z = zMatrix(ckpt.stats, toExpression(data.counts, [...Array(n).keys()]));
      const { train, validation } = splitSamples(n, 0.1, 1); // 262 / 29, as the checkpoint was trained
      expect(validation).toHaveLength(29);
      const half = Math.floor(validation.length / 2);
      // scale from 60 training samples, multiplier from 14 validation samples, tested on the other 15
      const scaleFrom = await collectResiduals(predictor, ckpt.stats, z, train.slice(0, 60), [0.3], 1);
      const cal = await collectResiduals(predictor, ckpt.stats, z, validation.slice(0, half), [0.3], 1);
      const test = await collectResiduals(predictor, ckpt.stats, z, validation.slice(half), [0.3], 2);
      expect(cal).toHaveLength(half * 300); // 30% of 1,000 genes hidden per sample
      expect(new Set(test.map((r) => r.measuredInputs))).toEqual(new Set([700]));
      const head = fitRestorationIntervals(cal, 0.9, { genes: 1000, scaleResiduals: scaleFrom });
      expect(head.calibratedOn).toBe(half);
      const covered = coverage(head, test);
      expect(covered).toBeGreaterThan(0.8);
      expect(covered).toBeLessThan(0.97);
      expect(parseRestorationIntervals(JSON.parse(JSON.stringify(head)))).toEqual(head);
    } finally {
      await predictor.release();
    }
  });
});

describe('calibration samples', () => {
  it('are every reference sample up to MAX_CALIBRATION_SAMPLES, then a seeded sorted subset of that many', () => {
    expect(calibrationRows(3)).toEqual([0, 1, 2]);
    expect(calibrationRows(MAX_CALIBRATION_SAMPLES)).toHaveLength(MAX_CALIBRATION_SAMPLES);
    const rows = calibrationRows(8822);
    expect(rows).toHaveLength(MAX_CALIBRATION_SAMPLES);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.every((r, k) => r >= 0 && r < 8822 && (k === 0 || r > rows[k - 1]!))).toBe(true);
    expect(rows.at(-1)! - rows[0]!).toBeGreaterThan(8000); // spread over the reference, not its start
    expect(calibrationRows(8822)).toEqual(rows);
  });
});
