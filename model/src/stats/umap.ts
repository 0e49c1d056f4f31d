/**
 * UMAP (McInnes, Healy & Melville 2018) to two dimensions, by the maintained umap-js library (PAIR-code),
 * drawing every random number from the library's seeded generator (random/random.ts createRandom), so a
 * projection is the same for the same rows and seed. Above `fitLimit` rows the layout is fitted on a seeded subsample and the other
 * rows are placed by the fitted model (umap-js transform), which keeps 11,000-sample cohorts in budget.
 */
import { UMAP } from 'umap-js';
import { createRandom, sampleWithoutReplacement } from '../random/random.ts';
import { type Matrix, row, zeros } from './matrix.ts';

export interface UmapOptions {
  seed: number;
  /** Neighbours of each point in the fuzzy graph (capped at rows - 1). */
  neighbours?: number;
  minDist?: number;
  /**
   * Optimisation epochs (default: umap-js's, 500 below 10,000 fitted rows, else 200); a multiple of 3, since
   * umap-js places transformed rows for epochs / 3 epochs and never stops on a fraction.
   */
  epochs?: number;
  /** Rows fitted at most; the rest are transformed. */
  fitLimit?: number;
}

export interface UmapProjection {
  /** [rows, 2] */
  points: Matrix;
  /** Rows the layout was fitted on (the others were placed by transform). */
  fitted: number;
}

export const UMAP_DEFAULTS = { neighbours: 15, minDist: 0.1, fitLimit: 5000 } as const;

/** The rows of `x` as umap-js reads them. */
function vectors(x: Matrix, rows: ArrayLike<number>): number[][] {
  return Array.from(rows as ArrayLike<number>, (i) => Array.from(row(x, i)));
}

/**
 * The UMAP of the rows of `x` ([rows, width]) in two dimensions; null below 3 rows (a fuzzy graph needs two
 * neighbours). `progress` is told the epochs done of the total.
 */
export function fitUmap(
  x: Matrix,
  options: UmapOptions,
  progress?: (epoch: number, epochs: number) => void,
): UmapProjection | null {
  if (options.epochs !== undefined && !(Number.isInteger(options.epochs / 3) && options.epochs > 0))
    throw new RangeError(`UMAP epochs must be a positive multiple of 3, got ${options.epochs}`);
  if (x.rows < 3) return null;
  const fitLimit = Math.max(3, options.fitLimit ?? UMAP_DEFAULTS.fitLimit);
  const random = createRandom(options.seed);
  const all = Array.from({ length: x.rows }, (_, i) => i);
  const fitRows =
    x.rows > fitLimit ? sampleWithoutReplacement(x.rows, fitLimit, random).sort((a, b) => a - b) : all;
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(options.neighbours ?? UMAP_DEFAULTS.neighbours, fitRows.length - 1),
    minDist: options.minDist ?? UMAP_DEFAULTS.minDist,
    ...(options.epochs === undefined ? {} : { nEpochs: options.epochs }),
    random,
  });
  const epochs = umap.initializeFit(vectors(x, fitRows));
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (progress && (e % 50 === 49 || e === epochs - 1)) progress(e + 1, epochs);
  }
  const points = zeros(x.rows, 2); // [rows, 2]
  const place = (rows: readonly number[], at: number[][]) => {
    rows.forEach((r, i) => {
      points.data[r * 2] = at[i]![0]!;
      points.data[r * 2 + 1] = at[i]![1]!;
    });
  };
  place(fitRows, umap.getEmbedding());
  if (fitRows.length < x.rows) {
    const fitted = new Set(fitRows);
    const rest = all.filter((i) => !fitted.has(i));
    place(rest, umap.transform(vectors(x, rest)));
  }
  return { points, fitted: fitRows.length };
}
