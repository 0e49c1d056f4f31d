/**
 * Panels chosen from training samples: the ANOVA F statistic against a hand-computed case, and the
 * platform's restoration panel on real data (the shipped TCGA checkpoint): k distinct vocabulary genes,
 * deterministic, blind to rows it is not given, and restoring the other genes of held-out samples better
 * than random panels of the same size.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { randomGenePanel } from '../../src/data/dataset.ts';
import { anovaF, anovaPanel, panelRestorationError, restorationPanel } from '../../src/evaluate/panel.ts';
import { createOnnxPredictor, type OnnxPredictor } from '../../src/gexbert/inference/predictor.ts';
import { type Matrix, selectRows } from '../../src/stats/matrix.ts';
import { loadTcgaFixture, type TcgaFixture } from './tcgaFold.ts';

describe('anovaF', () => {
  it('matches a hand-computed one-way ANOVA', () => {
    // Column 0: groups a = (1, 2, 3), b = (4, 5, 6): means 2 and 5, grand mean 3.5.
    // SSB = 3 (1.5^2) + 3 (1.5^2) = 13.5 on 1 df; SSW = 2 + 2 = 4 on 4 df; F = 13.5 / 1 = 13.5.
    // Column 1: constant -> 0. Column 2: (0, 0, 0 | 1, 1, 1): no within-group spread -> infinite F.
    const x: Matrix = {
      rows: 6,
      cols: 3,
      data: Float64Array.from([1, 7, 0, 2, 7, 0, 3, 7, 0, 4, 7, 1, 5, 7, 1, 6, 7, 1]),
    };
    const labels = ['a', 'a', 'a', 'b', 'b', 'b'];
    const F = anovaF(x, labels);
    expect(F[0]).toBeCloseTo(13.5, 12);
    expect(F[1]).toBe(0);
    expect(F[2]).toBe(Number.POSITIVE_INFINITY);
    expect(anovaPanel(x, labels, 2)).toEqual([2, 0]);
    expect(() => anovaPanel(x, labels, 4)).toThrow(/k must be an integer in \[1, 3\]/);
  });
});

describe('restorationPanel (real data)', () => {
  let fx: TcgaFixture;
  let predictor: OnnxPredictor;

  beforeAll(async () => {
    fx = await loadTcgaFixture(0.3, 0.2);
    predictor = await createOnnxPredictor(fx.checkpoint.config, fx.checkpoint.weights);
  });

  it('returns k distinct vocabulary genes, deterministically, from the rows it is given only', async () => {
    const small = { seed: 4, samples: 8, candidates: 12, targets: 64 };
    const { stats } = fx.checkpoint;
    const a = await restorationPanel(predictor, stats, fx.zTrain, 6, small);
    expect(a.genes).toHaveLength(6);
    expect(new Set(a.genes).size).toBe(6);
    expect(a.genes.every((g) => Number.isInteger(g) && g >= 0 && g < stats.genes.length)).toBe(true);
    // The error on the selection rows falls as genes are added.
    expect(a.errors.at(-1)!).toBeLessThan(a.errors[0]!);
    // Scramble every test row of the full matrix; the training rows cut from it give the same panel.
    const scrambled: Matrix = { ...fx.z, data: fx.z.data.slice() };
    for (const r of fx.test)
      for (let v = 0; v < fx.z.cols; v++) scrambled.data[r * fx.z.cols + v] = (v % 7) - 3;
    const b = await restorationPanel(predictor, stats, selectRows(scrambled, fx.train), 6, small);
    expect(b.genes).toEqual(a.genes);
    // Other training rows give another panel (the rows are what it looks at).
    const other = await restorationPanel(predictor, stats, fx.zTest, 6, small);
    expect(other.genes).not.toEqual(a.genes);
  });

  it('a 16-gene platform panel restores the other genes of held-out samples better than random panels', async () => {
    const { stats } = fx.checkpoint;
    const chosen = await restorationPanel(predictor, stats, fx.zTrain, 16, { seed: 1 });
    const platform = await panelRestorationError(predictor, stats, fx.zTest, chosen.genes);
    const random: number[] = [];
    for (let d = 0; d < 8; d++)
      random.push(
        await panelRestorationError(
          predictor,
          stats,
          fx.zTest,
          randomGenePanel(stats.genes.length, 16, 50 + d),
        ),
      );
    const meanRandom = random.reduce((s, x) => s + x, 0) / random.length;
    expect(platform).toBeLessThan(meanRandom);
  });
});
