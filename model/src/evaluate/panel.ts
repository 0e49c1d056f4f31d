/**
 * Gene panels chosen from training samples only: the platform's panel, by GexBERT restoration, and a
 * supervised comparison panel (top ANOVA F on the training labels).
 *
 * The platform's panel is built greedily: starting empty, each step adds the candidate gene(s) whose
 * addition to the panel most lowers the decoder's error in restoring the other vocabulary genes from the
 * panel alone (the restoration importance of a gene given the genes already chosen). A step scores a fresh
 * random subset of the remaining genes (stochastic greedy, Mirzasoleiman et al. 2015), on a fixed random
 * subset of training rows and a fixed random set of target genes, so candidates are compared on the same
 * rows and targets:
 *
 *   error(S)  = mean over rows r and targets h not in S of (restored z_rh from S - z_rh)^2
 *   step      : S <- S + argmin_c error(S + c)    over c in a random subset of the genes not in S
 *
 * The first 16 genes are added one at a time, then 4 per step up to 64 genes, then 16 per step; so the
 * panels are nested: the k = 16 panel is the start of the k = 64 panel, which starts the k = 256 one.
 */

import { OMIT, type Predictor, type Profile, restore, zProfiles } from '../gexbert/inference/infer.ts';
import type { NormStats } from '../gexbert/inference/normalise.ts';
import { TARGET_CLIP } from '../gexbert/training/batch.ts';
import { Rng } from '../random/rng.ts';
import { encodeLabels } from '../stats/classify.ts';
import type { Matrix } from '../stats/matrix.ts';

export interface RestorationPanelOptions {
  seed: number;
  /** Training rows the restoration error is measured on (a seeded subset; default 24). */
  samples?: number;
  /** Target genes whose restoration is scored (a seeded subset of the vocabulary; default 128). */
  targets?: number;
  /** Candidate genes scored per step (default 32). */
  candidates?: number;
  log?: (line: string) => void;
}

export interface RestorationPanel {
  /** Vocabulary indices, in the order they were added. */
  genes: number[];
  /** error(S) on the selection rows after each step (z units). */
  errors: number[];
  /** Training rows it was measured on, decoder passes (profiles) it took, and seconds. */
  samples: number;
  profiles: number;
  seconds: number;
}

const PANEL_DEFAULTS = { samples: 24, targets: 128, candidates: 32 };

/** Restoration targets: z clipped as in training. */
function target(z: number): number {
  return Math.min(TARGET_CLIP, Math.max(-TARGET_CLIP, z));
}

/**
 * Per vocabulary gene, the mean squared restoration error (z units, over `z`'s rows) when only `panel` is
 * input; NaN for the panel's own genes.
 */
export async function restorationErrors(
  predictor: Predictor,
  stats: NormStats,
  z: Matrix,
  panel: ArrayLike<number>,
): Promise<Float64Array> {
  const V = stats.genes.length;
  if (z.cols !== V) throw new RangeError(`panel: z has ${z.cols} columns, the vocabulary ${V} genes`);
  const inPanel = new Uint8Array(V);
  for (const g of Array.from(panel)) inPanel[g] = 1;
  const profiles = zProfiles(z, stats.genes, (_, v) => inPanel[v] === 1);
  const { values } = await restore(predictor, stats, profiles, stats.genes, {
    ...OMIT,
    unit: 'z',
    batchSize: 64,
  });
  const err = new Float64Array(V);
  values.forEach((restored, i) => {
    for (let h = 0; h < V; h++) {
      const d = restored[h]! - target(z.data[i * V + h]!);
      err[h]! += d * d;
    }
  });
  for (let h = 0; h < V; h++) err[h] = inPanel[h] ? Number.NaN : err[h]! / Math.max(1, z.rows);
  return err;
}

/** Mean restoration MSE (z units) of the genes outside `panel`, from `panel` alone, over the rows of `z`. */
export async function panelRestorationError(
  predictor: Predictor,
  stats: NormStats,
  z: Matrix,
  panel: ArrayLike<number>,
): Promise<number> {
  const err = await restorationErrors(predictor, stats, z, panel);
  let s = 0;
  let n = 0;
  for (const e of err)
    if (!Number.isNaN(e)) {
      s += e;
      n += 1;
    }
  return s / Math.max(1, n);
}

/** Genes added per greedy step to a panel of `size` genes: 1 up to 16 genes, 4 up to 64, then 16. */
function stepSize(size: number): number {
  return size < 16 ? 1 : size < 64 ? 4 : 16;
}

/**
 * The platform's panel of `k` vocabulary genes, chosen greedily by restoration error on the rows of `z`
 * (pass training rows only). Deterministic for a seed.
 */
export async function restorationPanel(
  predictor: Predictor,
  stats: NormStats,
  z: Matrix,
  k: number,
  options: RestorationPanelOptions,
): Promise<RestorationPanel> {
  const V = stats.genes.length;
  if (z.cols !== V) throw new RangeError(`panel: z has ${z.cols} columns, the vocabulary ${V} genes`);
  if (!(Number.isInteger(k) && k >= 1 && k < V))
    throw new RangeError(`panel: k must be an integer in [1, ${V - 1}], got ${k}`);
  const o = { ...PANEL_DEFAULTS, ...options };
  const started = Date.now();
  const rows = sampleIndices(z.rows, o.samples, new Rng(o.seed, 'panel/rows'));
  const targets = sampleIndices(V, o.targets, new Rng(o.seed, 'panel/targets'));
  const rng = new Rng(o.seed, 'panel/candidates');
  const genes: number[] = [];
  const errors: number[] = [];
  let profiles = 0;
  while (genes.length < k) {
    const add = Math.min(stepSize(genes.length), k - genes.length);
    const chosen = new Set(genes);
    const pool = Int32Array.from(Array.from({ length: V }, (_, g) => g).filter((g) => !chosen.has(g)));
    const nc = rng.sampleInPlace(pool, Math.max(add, o.candidates));
    const candidates = Array.from(pool.subarray(0, nc)).sort((a, b) => a - b);
    const scores = await candidateErrors(predictor, stats, z, rows, targets, genes, candidates);
    profiles += candidates.length * rows.length;
    const best = candidates
      .map((c, i) => [c, scores[i]!] as const)
      .sort((a, b) => a[1] - b[1] || a[0] - b[0])
      .slice(0, add);
    genes.push(...best.map(([c]) => c));
    errors.push(best[0]![1]);
    if (genes.length % 16 === 0 || genes.length === k)
      o.log?.(`panel selection: ${genes.length}/${k} genes, restoration MSE ${best[0]![1].toFixed(3)}`);
  }
  return { genes, errors, samples: rows.length, profiles, seconds: (Date.now() - started) / 1000 };
}

/** error(panel + c) for every candidate c, on the given rows and targets (targets in the panel excluded). */
async function candidateErrors(
  predictor: Predictor,
  stats: NormStats,
  z: Matrix,
  rows: number[],
  targets: number[],
  panel: number[],
  candidates: number[],
): Promise<Float64Array> {
  const V = stats.genes.length;
  const profiles: Profile[] = [];
  for (const c of candidates) {
    for (const r of rows) {
      const values = new Float32Array(V).fill(Number.NaN);
      for (const g of [...panel, c]) values[g] = z.data[r * V + g]!;
      profiles.push({ genes: stats.genes, values, unit: 'z' });
    }
  }
  const targetGenes = targets.map((h) => stats.genes[h]!);
  const { values } = await restore(predictor, stats, profiles, targetGenes, {
    ...OMIT,
    unit: 'z',
    batchSize: 64,
  });
  const inPanel = new Uint8Array(V);
  for (const g of panel) inPanel[g] = 1;
  return Float64Array.from(candidates, (c, ci) => {
    let s = 0;
    let n = 0;
    rows.forEach((r, ri) => {
      const restored = values[ci * rows.length + ri]!;
      targets.forEach((h, t) => {
        if (inPanel[h] || h === c) return;
        const d = restored[t]! - target(z.data[r * V + h]!);
        s += d * d;
        n += 1;
      });
    });
    return s / Math.max(1, n);
  });
}

/** `n` of `total` indices (all when n >= total), drawn from `rng`, ascending. */
function sampleIndices(total: number, n: number, rng: Rng): number[] {
  const pool = Int32Array.from({ length: total }, (_, i) => i);
  const k = rng.sampleInPlace(pool, Math.min(n, total));
  return Array.from(pool.subarray(0, k)).sort((a, b) => a - b);
}

/** Indices of the `k` highest scores (ties: lower index first), highest first. */
export function topScores(scores: ArrayLike<number>, k: number): number[] {
  if (!(Number.isInteger(k) && k >= 1 && k <= scores.length))
    throw new RangeError(`panel: k must be an integer in [1, ${scores.length}], got ${k}`);
  return Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, k);
}

/** One-way ANOVA F statistic of every column of `x` across the label groups (0 for a constant column). */
export function anovaF(x: Matrix, labels: ArrayLike<string>): Float64Array {
  if (labels.length !== x.rows) throw new RangeError(`panel: ${labels.length} labels for ${x.rows} rows`);
  const { classes, y } = encodeLabels(labels);
  const K = classes.length;
  const n = x.rows;
  const F = new Float64Array(x.cols);
  if (K < 2 || n <= K) return F;
  const count = new Float64Array(K);
  for (const c of y) count[c]! += 1;
  for (let j = 0; j < x.cols; j++) {
    const sum = new Float64Array(K);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = x.data[i * x.cols + j]!;
      sum[y[i]!]! += v;
      total += v;
    }
    const grand = total / n;
    let within = 0;
    for (let i = 0; i < n; i++) {
      const d = x.data[i * x.cols + j]! - sum[y[i]!]! / count[y[i]!]!;
      within += d * d;
    }
    let between = 0;
    for (let c = 0; c < K; c++) between += count[c]! * (sum[c]! / count[c]! - grand) ** 2;
    if (between === 0) continue;
    F[j] = within === 0 ? Number.POSITIVE_INFINITY : between / (K - 1) / (within / (n - K));
  }
  return F;
}

/** The supervised comparison panel: the `k` genes of highest ANOVA F across the training labels. */
export function anovaPanel(z: Matrix, labels: ArrayLike<string>, k: number): number[] {
  return topScores(anovaF(z, labels), k);
}
