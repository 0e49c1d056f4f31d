// Principal component analysis of a few hundred embedding vectors: the two leading components by power
// iteration with deflation on the covariance matrix (d × d, d = the model's width, small).

export interface Pca2 {
  /** [n][2]: each row's coordinates on PC1 and PC2. */
  scores: [number, number][];
  /** [2][d]: unit-length component directions (sign fixed so the largest |loading| is positive). */
  components: number[][];
  /** Share of the total variance each component explains (0-1). */
  explained: [number, number];
}

/** [d][d] sample covariance of [n][d] rows (rows centred by `mean`). */
function covariance(rows: number[][], mean: number[]): number[][] {
  const d = mean.length;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const row of rows)
    for (let i = 0; i < d; i++) {
      const a = row[i]! - mean[i]!;
      for (let j = i; j < d; j++) cov[i]![j]! += a * (row[j]! - mean[j]!);
    }
  const scale = 1 / Math.max(1, rows.length - 1);
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      cov[i]![j]! *= scale;
      cov[j]![i] = cov[i]![j]!;
    }
  return cov;
}

const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i]!, 0);

/** The leading eigenvector and eigenvalue of symmetric `m` by power iteration. */
function leadingEigen(m: number[][]): { vector: number[]; value: number } {
  const d = m.length;
  // A deterministic start not orthogonal to typical eigenvectors.
  let v = Array.from({ length: d }, (_, i) => 1 + i / d);
  let value = 0;
  for (let iter = 0; iter < 1000; iter++) {
    const w = m.map((row) => dot(row, v));
    const norm = Math.hypot(...w);
    if (norm === 0) return { vector: v.map(() => 0), value: 0 };
    const next = w.map((x) => x / norm);
    const change = Math.hypot(...next.map((x, i) => x - v[i]!));
    v = next;
    value = norm;
    if (change < 1e-12) break;
  }
  const biggest = v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
  return { vector: biggest < 0 ? v.map((x) => -x) : v, value };
}

/** The first two principal components of [n][d] `rows` (n ≥ 1, all of one width d ≥ 2). */
export function pca2(rows: number[][]): Pca2 {
  const d = rows[0]?.length ?? 0;
  if (rows.length === 0 || d < 2) throw new Error('PCA needs at least one row of at least two values');
  if (rows.some((r) => r.length !== d)) throw new Error(`PCA rows must all have ${d} values`);
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  const cov = covariance(rows, mean);
  const total = cov.reduce((s, row, i) => s + row[i]!, 0);
  const first = leadingEigen(cov);
  const deflated = cov.map((row, i) =>
    row.map((x, j) => x - first.value * first.vector[i]! * first.vector[j]!),
  );
  const second = leadingEigen(deflated);
  const components = [first.vector, second.vector];
  const scores = rows.map((r): [number, number] => {
    const centred = r.map((x, j) => x - mean[j]!);
    return [dot(centred, first.vector), dot(centred, second.vector)];
  });
  const share = (v: number) => (total > 0 ? v / total : 0);
  return { scores, components, explained: [share(first.value), share(second.value)] };
}
