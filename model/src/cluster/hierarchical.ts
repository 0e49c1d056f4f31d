/**
 * Hierarchical clustering for heatmaps: average linkage (UPGMA) on 1 − Pearson correlation or Euclidean
 * distance, computed by the nearest-neighbour chain algorithm (O(n²) time and memory), with row z-scores
 * (NaN = missing, set to the row's mean, 0, for distances). Correlation and the mean/sd are
 * stats/metrics.ts pearson and meanAndSd (one definition of each).
 */
import { meanAndSd, pearson } from '../stats/metrics.ts';

export type ClusterDistance = 'pearson' | 'euclidean';

/**
 * One merge of a clustering, in height order, as scipy's linkage and R's hclust: `left` and `right` below n
 * are leaves (their index in the display `order`'s numbering, see `Clustering`), n + k is the cluster the
 * k-th merge made.
 */
export interface Merge {
  left: number;
  right: number;
  height: number;
  size: number;
}

export interface Clustering {
  /** The leaves (indices of the items clustered) in dendrogram order, left to right. */
  order: number[];
  /**
   * The merges, lowest first; leaves are numbered by their position in `order` (leaf p is order[p]), so the
   * dendrogram draws over the items as displayed. Empty for fewer than two items.
   */
  merges: Merge[];
}

/**
 * Each row's z-scores (value − mean) / sd over its non-missing values (sample sd, n − 1); a constant row (sd 0)
 * is all 0; missing values stay NaN.
 */
export function rowZScores(rows: readonly ArrayLike<number>[]): Float64Array[] {
  return rows.map((row) => {
    const present = Array.from(row).filter((v) => !Number.isNaN(v));
    const { mean, sd } = meanAndSd(present);
    return Float64Array.from(row, (v) => (Number.isNaN(v) ? Number.NaN : sd > 0 ? (v - mean) / sd : 0));
  });
}

/** The columns of rows × columns values, as vectors (NaN kept). */
export function columnsOf(rows: readonly ArrayLike<number>[], columns: number): Float64Array[] {
  return Array.from({ length: columns }, (_, j) => Float64Array.from(rows, (row) => row[j]!));
}

/** NaN as 0 (a z-score's mean), for distances. */
function filled(vector: ArrayLike<number>): Float64Array {
  return Float64Array.from(vector, (v) => (Number.isNaN(v) ? 0 : v));
}

/** The n × n distance matrix (row-major, symmetric, zero diagonal) of the vectors. */
export function distanceMatrix(
  vectors: readonly ArrayLike<number>[],
  distance: ClusterDistance,
): Float64Array {
  const n = vectors.length;
  const items = vectors.map(filled);
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const value =
        distance === 'pearson' ? 1 - pearson(items[i]!, items[j]!) : euclidean(items[i]!, items[j]!);
      d[i * n + j] = value;
      d[j * n + i] = value;
    }
  return d;
}

function euclidean(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < x.length; k++) sum += (x[k]! - y[k]!) ** 2;
  return Math.sqrt(sum);
}

/**
 * Average-linkage clustering of n items from their distance matrix (n × n, overwritten): the distance of
 * two clusters is the mean distance of their members (Lance-Williams update), merged by the nearest-neighbour
 * chain, which gives the same tree as merging the globally closest pair each time. Ties go to the lower index.
 */
export function averageLinkage(n: number, d: Float64Array): Clustering {
  if (n === 0) return { order: [], merges: [] };
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const raw: { a: number; b: number; height: number }[] = [];
  const chain: number[] = [];
  for (let remaining = n; remaining > 1; ) {
    if (chain.length === 0) chain.push(active.indexOf(1));
    for (;;) {
      const x = chain[chain.length - 1]!;
      const previous = chain.length > 1 ? chain[chain.length - 2]! : -1;
      // the previous link first, so ties never make a cycle
      let y = previous;
      let best = previous >= 0 ? d[x * n + previous]! : Number.POSITIVE_INFINITY;
      for (let k = 0; k < n; k++) {
        if (!active[k] || k === x) continue;
        const value = d[x * n + k]!;
        if (value < best) {
          best = value;
          y = k;
        }
      }
      if (y === previous) {
        chain.pop();
        chain.pop();
        // merge y into x's slot (the lower index keeps the cluster)
        const [keep, gone] = x < y ? [x, y] : [y, x];
        raw.push({ a: x, b: y, height: best });
        for (let k = 0; k < n; k++) {
          if (!active[k] || k === keep || k === gone) continue;
          const value =
            (size[keep]! * d[keep * n + k]! + size[gone]! * d[gone * n + k]!) / (size[keep]! + size[gone]!);
          d[keep * n + k] = value;
          d[k * n + keep] = value;
        }
        size[keep] = size[keep]! + size[gone]!;
        active[gone] = 0;
        remaining--;
        break;
      }
      chain.push(y);
    }
  }
  return labelled(n, raw);
}

/** Merges sorted by height (stable) and named as scipy does (union-find), then leaves renumbered by display order. */
function labelled(n: number, raw: { a: number; b: number; height: number }[]): Clustering {
  const sorted = raw.map((m, i) => ({ ...m, i })).sort((p, q) => p.height - q.height || p.i - q.i);
  const parent = Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const sizes = [...new Array<number>(n).fill(1)];
  const merges: Merge[] = sorted.map((m, k) => {
    const [p, q] = [find(m.a), find(m.b)];
    const [left, right] = p < q ? [p, q] : [q, p];
    parent[p] = n + k;
    parent[q] = n + k;
    sizes.push(sizes[left]! + sizes[right]!);
    return { left, right, height: m.height, size: sizes[n + k]! };
  });
  const order: number[] = [];
  const visit = (node: number) => {
    const stack = [node];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x < n) order.push(x);
      else stack.push(merges[x - n]!.right, merges[x - n]!.left);
    }
  };
  visit(n === 1 ? 0 : 2 * n - 2);
  const position = new Array<number>(n);
  order.forEach((leaf, p) => {
    position[leaf] = p;
  });
  const renumber = (x: number) => (x < n ? position[x]! : x);
  return {
    order,
    merges: merges.map((m) => ({ ...m, left: renumber(m.left), right: renumber(m.right) })),
  };
}

/** Clusters vectors (e.g. a heatmap's z-scored rows, or its columns) by average linkage on `distance`. */
export function clusterVectors(vectors: readonly ArrayLike<number>[], distance: ClusterDistance): Clustering {
  return averageLinkage(vectors.length, distanceMatrix(vectors, distance));
}
