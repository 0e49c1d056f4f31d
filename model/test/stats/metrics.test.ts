import { describe, expect, it } from 'vitest';
import { accuracy, confusionMatrix, macroF1, pearson, perClassF1, rmse } from '../../src/stats/index.ts';

// Hand-computed case: truth a a b b c c, predicted a b b b c a.
const truth = ['a', 'a', 'b', 'b', 'c', 'c'];
const predicted = ['a', 'b', 'b', 'b', 'c', 'a'];

describe('classification metrics', () => {
  it('accuracy counts exact matches', () => {
    expect(accuracy(truth, predicted)).toBeCloseTo(4 / 6, 12);
    expect(accuracy([1, 2], [2, 1])).toBe(0);
    expect(() => accuracy([1], [1, 2])).toThrow(RangeError);
  });

  it('confusion matrix has true classes as rows, predictions as columns', () => {
    const cm = confusionMatrix(truth, predicted);
    expect(cm.classes).toEqual(['a', 'b', 'c']);
    expect(cm.counts).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    // A class only in the explicit list gets an empty row and column.
    expect(confusionMatrix(['x'], ['x'], ['x', 'y']).counts).toEqual([
      [1, 0],
      [0, 0],
    ]);
  });

  it('macro-F1 averages per-class F1', () => {
    // a: P 1/2, R 1/2, F1 1/2; b: P 2/3, R 1, F1 0.8; c: P 1, R 1/2, F1 2/3.
    const { precision, recall, f1 } = perClassF1(confusionMatrix(truth, predicted));
    expect(precision).toEqual([0.5, 2 / 3, 1]);
    expect(recall).toEqual([0.5, 1, 0.5]);
    expect(f1[0]).toBeCloseTo(0.5, 12);
    expect(f1[1]).toBeCloseTo(0.8, 12);
    expect(f1[2]).toBeCloseTo(2 / 3, 12);
    expect(macroF1(truth, predicted)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    // A class never predicted and never true in the list scores F1 = 0 (scikit-learn's zero_division).
    expect(macroF1(['a', 'a'], ['a', 'a'], ['a', 'b'])).toBeCloseTo(0.5, 12);
  });
});

describe('regression metrics', () => {
  it('Pearson on a hand-computed case', () => {
    // dx = -1.5 -0.5 0.5 1.5, dy = -3 -1 0 4: sxy = 11, sxx = 5, syy = 26.
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3], [5, 5, 5])).toBe(0);
    expect(pearson([1], [1])).toBeNaN();
  });

  it('RMSE on a hand-computed case', () => {
    expect(rmse([1, 2, 3], [1, 4, 0])).toBeCloseTo(Math.sqrt(13 / 3), 12);
    expect(rmse([2, 2], [2, 2])).toBe(0);
  });
});
