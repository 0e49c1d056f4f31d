import { describe, expect, it } from 'vitest';
import {
  accuracy,
  encodeLabels,
  fitLogisticRegression,
  fitMlp,
  fromRows,
  logisticObjective,
  type Matrix,
  selectRows,
  stratifiedSplit,
} from '../../src/stats/index.ts';
import { blobs } from './synthetic.ts';

function maxAbs(a: Float64Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('multinomial logistic regression', () => {
  it('matches the closed form when features carry no information: probabilities = class frequencies', () => {
    // Features are all zero, so the penalised weights are 0 and the intercepts fit the class frequencies.
    const labels = [...Array(5).fill('a'), ...Array(3).fill('b'), ...Array(2).fill('c')] as string[];
    const x = fromRows(labels.map(() => [0, 0]));
    const model = fitLogisticRegression(x, labels, { standardize: false, l2: 0.1 });
    const proba = model.predictProba(fromRows([[0, 0]]));
    expect(proba.data[0]).toBeCloseTo(0.5, 5);
    expect(proba.data[1]).toBeCloseTo(0.3, 5);
    expect(proba.data[2]).toBeCloseTo(0.2, 5);
    expect(model.predict(fromRows([[0, 0]]))).toEqual(['a']);
  });

  it('analytic gradient matches finite differences, and is ~0 at the fitted optimum (non-separable data)', () => {
    const { x, labels } = blobs(['a', 'b', 'c'], 30, 4, 1.5, 11); // overlapping classes
    const { y } = encodeLabels(labels);
    const l2 = 0.05;
    const f = logisticObjective(x, y, 3, l2);
    const params = Float64Array.from({ length: 15 }, (_, i) => Math.sin(i + 1) * 0.3);
    const grad = new Float64Array(15);
    f(params, grad);
    const h = 1e-6;
    for (let q = 0; q < params.length; q++) {
      const plus = Float64Array.from(params);
      const minus = Float64Array.from(params);
      plus[q]! += h;
      minus[q]! -= h;
      const scratch = new Float64Array(15);
      const numeric = (f(plus, scratch) - f(minus, scratch)) / (2 * h);
      expect(grad[q]).toBeCloseTo(numeric, 6);
    }
    const model = fitLogisticRegression(x, labels, { standardize: false, l2 });
    expect(model.converged).toBe(true);
    const atOptimum = new Float64Array(15);
    const value = f(model.params, atOptimum);
    expect(maxAbs(atOptimum)).toBeLessThan(1e-5);
    // Any perturbation increases the (strictly convex) objective.
    const moved = Float64Array.from(model.params, (v, i) => v + (i % 2 ? 1e-2 : -1e-2));
    expect(f(moved, new Float64Array(15))).toBeGreaterThan(value);
    // Intercept gradient = mean(p - onehot) = 0 at the optimum: predicted class shares equal the observed.
    const proba = model.predictProba(x);
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let i = 0; i < x.rows; i++) s += proba.data[i * 3 + c]!;
      expect(s / x.rows).toBeCloseTo(1 / 3, 6);
    }
  });

  it('reaches > 0.95 accuracy on well-separated synthetic classes', () => {
    const { x, labels } = blobs(['a', 'b', 'c'], 100, 20, 6, 3);
    const split = stratifiedSplit(labels, 0.3, 1);
    const model = fitLogisticRegression(
      selectRows(x, split.train),
      split.train.map((i) => labels[i]!),
    );
    const acc = accuracy(
      split.test.map((i) => labels[i]!),
      model.predict(selectRows(x, split.test)),
    );
    expect(acc).toBeGreaterThan(0.95);
  });
});

describe('MLP', () => {
  function fitAndScore(x: Matrix, labels: string[]) {
    const split = stratifiedSplit(labels, 0.3, 2);
    const model = fitMlp(
      selectRows(x, split.train),
      split.train.map((i) => labels[i]!),
      { seed: 4 },
    );
    return {
      model,
      acc: accuracy(
        split.test.map((i) => labels[i]!),
        model.predict(selectRows(x, split.test)),
      ),
    };
  }

  it('reaches > 0.95 accuracy on well-separated synthetic classes and stops early', () => {
    const { x, labels } = blobs(['a', 'b', 'c'], 100, 20, 6, 5);
    const { model, acc } = fitAndScore(x, labels);
    expect(acc).toBeGreaterThan(0.95);
    expect(model.epochs).toBeLessThan(300);
    expect(model.bestEpoch).toBeGreaterThan(0);
    const proba = model.predictProba(selectRows(x, [0, 1]));
    expect(proba.data[0]! + proba.data[1]! + proba.data[2]!).toBeCloseTo(1, 12);
  });

  it('learns a non-linear (XOR-like) boundary that logistic regression cannot', () => {
    const rows: number[][] = [];
    const labels: string[] = [];
    const { x: noise } = blobs(['n'], 400, 2, 0, 9);
    for (let i = 0; i < 400; i++) {
      const a = i % 2 ? 2 : -2;
      const b = (i >> 1) % 2 ? 2 : -2;
      rows.push([a + 0.5 * noise.data[2 * i]!, b + 0.5 * noise.data[2 * i + 1]!]);
      labels.push(a * b > 0 ? 'same' : 'diff');
    }
    const x = fromRows(rows);
    const { acc } = fitAndScore(x, labels);
    expect(acc).toBeGreaterThan(0.95);
    const split = stratifiedSplit(labels, 0.3, 2);
    const logistic = fitLogisticRegression(
      selectRows(x, split.train),
      split.train.map((i) => labels[i]!),
    );
    const accLogistic = accuracy(
      split.test.map((i) => labels[i]!),
      logistic.predict(selectRows(x, split.test)),
    );
    expect(accLogistic).toBeLessThan(0.75);
  });
});
