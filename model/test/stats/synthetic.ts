/** Seeded synthetic data for the evaluation tests. */
import { createRandom, randomNormal } from '../../src/random/random.ts';
import { type Matrix, zeros } from '../../src/stats/index.ts';

/** Gaussian blobs: `perClass` samples of each class around a random centre at distance ~`separation`. */
export function blobs(
  classes: string[],
  perClass: number,
  p: number,
  separation: number,
  seed: number,
): { x: Matrix; labels: string[] } {
  const random = createRandom(seed);
  const centres = classes.map(() =>
    Array.from({ length: p }, () => (randomNormal(random) * separation) / Math.sqrt(p)),
  );
  const x = zeros(classes.length * perClass, p);
  const labels: string[] = [];
  classes.forEach((label, c) => {
    for (let s = 0; s < perClass; s++) {
      const i = c * perClass + s;
      labels.push(label);
      for (let j = 0; j < p; j++) x.data[i * p + j] = centres[c]![j]! + randomNormal(random);
    }
  });
  return { x, labels };
}

/**
 * Low-rank data X = scores * loadings + noise, n x p, rank r; component c has standard deviation
 * `scales[c]` and the loadings are orthonormal (Gram-Schmidt of random vectors). Returns the loadings too.
 */
export function lowRank(
  n: number,
  p: number,
  scales: number[],
  noise: number,
  seed: number,
): { x: Matrix; loadings: Float64Array[] } {
  const random = createRandom(seed);
  const loadings: Float64Array[] = [];
  for (let c = 0; c < scales.length; c++) {
    const v = Float64Array.from({ length: p }, () => randomNormal(random));
    for (const u of loadings) {
      let d = 0;
      for (let j = 0; j < p; j++) d += u[j]! * v[j]!;
      for (let j = 0; j < p; j++) v[j]! -= d * u[j]!;
    }
    let norm = 0;
    for (let j = 0; j < p; j++) norm += v[j]! ** 2;
    for (let j = 0; j < p; j++) v[j]! /= Math.sqrt(norm);
    loadings.push(v);
  }
  const x = zeros(n, p);
  for (let i = 0; i < n; i++) {
    const scores = scales.map((s) => s * randomNormal(random));
    for (let j = 0; j < p; j++) {
      let v = 3 + noise * randomNormal(random);
      scores.forEach((s, c) => {
        v += s * loadings[c]![j]!;
      });
      x.data[i * p + j] = v;
    }
  }
  return { x, loadings };
}
