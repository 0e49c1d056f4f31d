/** Stratified train/test splits and k-fold partitions of sample indices (seeded, class proportions kept). */
import { createRandom, shuffleInPlace } from '../random/random.ts';

/** Groups sample indices by label, labels in sorted order. */
function indicesByLabel(labels: ArrayLike<string | number>): number[][] {
  const groups = new Map<string | number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const list = groups.get(label);
    if (list) list.push(i);
    else groups.set(label, [i]);
  }
  return [...groups.entries()].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)).map(([, v]) => v);
}

/** A train/test partition of sample indices (both sorted ascending). */
export interface Split {
  train: number[];
  test: number[];
}

/**
 * Stratified train/test split: within each class, round(testFraction * n_class) samples (at least one
 * when the class has two or more) go to the test set, chosen by a seeded shuffle.
 */
export function stratifiedSplit(
  labels: ArrayLike<string | number>,
  testFraction: number,
  seed: number,
): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError('testFraction must be in (0, 1)');
  const random = createRandom(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const group of indicesByLabel(labels)) {
    const shuffled = shuffleInPlace([...group], random);
    let nTest = Math.round(testFraction * shuffled.length);
    if (shuffled.length >= 2) nTest = Math.min(shuffled.length - 1, Math.max(1, nTest));
    test.push(...shuffled.slice(0, nTest));
    train.push(...shuffled.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/**
 * Stratified k-fold: each class is shuffled (seeded) and dealt round-robin into `k` folds, so class
 * proportions are preserved. Returns one split per fold (that fold = test, the rest = train).
 */
export function stratifiedKFold(labels: ArrayLike<string | number>, k: number, seed: number): Split[] {
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError('k must be an integer >= 2');
  const random = createRandom(seed);
  const foldOf = new Int32Array(labels.length);
  let next = 0;
  for (const group of indicesByLabel(labels)) {
    for (const i of shuffleInPlace([...group], random)) {
      foldOf[i] = next;
      next = (next + 1) % k;
    }
  }
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < labels.length; i++) (foldOf[i] === f ? test : train).push(i);
    return { train, test };
  });
}
