import { describe, expect, it } from 'vitest';
import { invertSymmetric, solveSymmetric } from '../../src/survival/index.ts';

function multiply(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number[] {
  const out = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j]! += a[i * n + k]! * b[k * n + j]!;
  return out;
}

describe('symmetric linear algebra', () => {
  // A = B B' + I for a fixed B: symmetric positive definite.
  const n = 4;
  const b = [2, -1, 0.5, 3, 0, 1, -2, 1, 1, 4, 0, -1, 0.3, 0.2, 1, 2];
  const a = multiply(
    b,
    Array.from({ length: n * n }, (_, k) => b[(k % n) * n + Math.floor(k / n)]!),
    n,
  ).map((v, k) => v + (k % (n + 1) === 0 ? 1 : 0));

  it('inverse times the matrix is the identity', () => {
    const product = multiply(a, invertSymmetric(a, n), n);
    product.forEach((v, k) => {
      expect(v).toBeCloseTo(k % (n + 1) === 0 ? 1 : 0, 12);
    });
  });

  it('solve returns x with A x = y', () => {
    const y = [1, -2, 3, 0.5];
    const x = solveSymmetric(a, n, y);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j]! * x[j]!;
      expect(s).toBeCloseTo(y[i]!, 12);
    }
  });

  it('a 2 x 2 closed form, and a singular matrix gets a zero row and column', () => {
    const inv = invertSymmetric([4, 2, 2, 3], 2);
    expect(Array.from(inv).map((v) => v * 8)).toEqual([3, -2, -2, 4].map((v) => expect.closeTo(v, 13)));
    const singular = invertSymmetric([1, 2, 2, 4], 2); // second column = 2 x first
    expect(singular[0]).toBeCloseTo(1, 14);
    expect([singular[1], singular[2], singular[3]]).toEqual([0, 0, 0]);
  });
});
