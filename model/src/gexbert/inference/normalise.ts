/**
 * Per-gene normalisation, fitted on the training corpus:
 *   counts -> CPM -> log2(CPM + 1) -> per-gene z-score (mean, sd stored) -> bin over [-zRange, zRange]
 * with `levels` bins plus one missing/masked level (index `levels`). `fromZ` inverts the z-score, so
 * restored values can be reported as z, log2(CPM + 1) or CPM.
 *
 * Also: choosing the gene vocabulary (top-k most variable genes, optionally restricted to an allowed
 * set such as the protein-coding genes, and to genes whose mean log2(CPM + 1) exceeds a floor).
 */

/**
 * The scale of a profile's values.
 * - `counts`: raw read counts. CPM uses the sum of ALL finite values in the profile as library size,
 *   so pass the whole profile (every gene measured), not just the vocabulary genes.
 * - `cpm`: counts per million.  - `log2cpm`: log2(CPM + 1).  - `z`: already normalised by these stats.
 * - `rsem`: RSEM normalised expression (e.g. PanCanAtlas, batch-corrected: a few values slightly below 0).
 *   The same log transform as `cpm` (log2(max(x, 0) + 1), no library-size scaling), then the z-score with
 *   the model's RSEM statistics (`NormStats.rsem`) when it has them, else with its main ones.
 */
export type Unit = 'counts' | 'cpm' | 'rsem' | 'log2cpm' | 'z';
export const units: readonly Unit[] = ['counts', 'cpm', 'rsem', 'log2cpm', 'z'];

/** Samples x genes, row-major; NaN = missing. */
export interface ExpressionMatrix {
  genes: string[];
  nSamples: number;
  values: Float32Array;
  unit: Unit;
}

/** One mean and sd per vocabulary gene of log2 values on one scale (mean NaN: no statistics for the gene). */
export interface GeneMoments {
  mean: Float32Array;
  sd: Float32Array;
}

/**
 * The fitted normalisation: one mean and sd of log2(CPM + 1) per vocabulary gene (from raw counts), and,
 * for a model also trained on RSEM data, one mean and sd of log2(RSEM + 1) per gene that data measures.
 */
export interface NormStats extends GeneMoments {
  /** The vocabulary, in model order (row i of the gene embedding is genes[i]). */
  genes: string[];
  levels: number;
  zRange: number;
  /** Statistics of log2(RSEM + 1); a gene the RSEM data did not measure has mean NaN (not read from RSEM). */
  rsem?: GeneMoments;
}

/** The statistics that z-score values of `unit`: the RSEM ones for RSEM when the model has them. */
export function momentsOf(stats: NormStats, unit: Unit): GeneMoments {
  return unit === 'rsem' && stats.rsem ? stats.rsem : stats;
}

/** Genes with a sd below this are treated as constant: their z is 0. */
const MIN_SD = 1e-6;

/**
 * log2(CPM + 1) of one value, the one definition used by training, serving, the API and evaluation: a count
 * in a library of `librarySize` (the sum of its finite counts; CPM 0 in an empty library), or a value already
 * per million (`librarySize` null); negatives as 0, NaN = missing.
 */
export function log2CpmValue(value: number, librarySize: number | null): number {
  if (!Number.isFinite(value)) return Number.NaN;
  const perMillion = librarySize === null ? value : librarySize > 0 ? (value * 1e6) / librarySize : 0;
  return Math.log2(Math.max(perMillion, 0) + 1);
}

/** One profile's values as log2(CPM + 1), as a new array (the input is not modified). */
export function toLog2Cpm(values: Float32Array, unit: Unit): Float32Array {
  const out = new Float32Array(values.length);
  if (unit === 'z') throw new Error('toLog2Cpm: values are z-scores; use fromZ with the normalisation stats');
  if (unit === 'log2cpm') {
    out.set(values);
    return out;
  }
  // `cpm` and `rsem`: already normalised for library size.
  let librarySize: number | null = null;
  if (unit === 'counts') {
    librarySize = 0;
    for (const v of values) if (Number.isFinite(v)) librarySize += v;
  }
  for (let i = 0; i < values.length; i++) out[i] = log2CpmValue(values[i]!, librarySize);
  return out;
}

/** The whole matrix as log2(CPM + 1) (row by row). */
export function matrixToLog2Cpm(m: ExpressionMatrix): Float32Array {
  const G = m.genes.length;
  if (m.values.length !== m.nSamples * G) {
    throw new Error(`matrix has ${m.values.length} values, expected ${m.nSamples} x ${G}`);
  }
  if (m.unit === 'log2cpm') return m.values.slice();
  const out = new Float32Array(m.values.length);
  for (let s = 0; s < m.nSamples; s++)
    out.set(toLog2Cpm(m.values.subarray(s * G, (s + 1) * G), m.unit), s * G);
  return out;
}

export interface VocabularyOptions {
  /** How many genes to keep. */
  k: number;
  /** Only these genes are eligible (e.g. protein-coding). Default: all. */
  allowed?: ReadonlySet<string>;
  /** Minimum mean log2(CPM + 1) to be eligible. Default 0 (reference runs used 1). */
  minMean?: number;
  /** Genes observed in fewer than this fraction of samples are not eligible. Default 0.5. */
  minObservedFraction?: number;
}

/** Top-k most variable eligible genes (variance of log2(CPM + 1)), most variable first. */
export function selectVocabulary(m: ExpressionMatrix, opts: VocabularyOptions): string[] {
  const lc = matrixToLog2Cpm(m);
  const { mean, variance, count } = columnMoments(lc, m.nSamples, m.genes.length);
  const minMean = opts.minMean ?? 0;
  const minCount = Math.max(2, Math.ceil((opts.minObservedFraction ?? 0.5) * m.nSamples));
  const candidates: number[] = [];
  for (let g = 0; g < m.genes.length; g++) {
    if (opts.allowed && !opts.allowed.has(m.genes[g]!)) continue;
    if (count[g]! < minCount || mean[g]! < minMean || !(variance[g]! > 0)) continue;
    candidates.push(g);
  }
  candidates.sort((a, b) => variance[b]! - variance[a]! || a - b);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const g of candidates) {
    const name = m.genes[g]!;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(name);
    if (out.length >= opts.k) break;
  }
  return out;
}

/** Fit per-gene mean and sd of log2(CPM + 1) on `m` for the genes of `vocabulary`. */
export function fitNormaliser(
  m: ExpressionMatrix,
  vocabulary: string[],
  opts: { levels: number; zRange: number },
): NormStats {
  const index = new Map(m.genes.map((g, i) => [g, i] as const));
  const missing = vocabulary.filter((g) => !index.has(g));
  if (missing.length > 0) {
    throw new Error(
      `fitNormaliser: ${missing.length} vocabulary genes are not in the matrix (e.g. ${missing[0]})`,
    );
  }
  if (new Set(vocabulary).size !== vocabulary.length)
    throw new Error('fitNormaliser: vocabulary has duplicates');
  const { mean, sd } = fitGeneMoments(m, vocabulary, 0);
  return { genes: [...vocabulary], mean, sd, levels: opts.levels, zRange: opts.zRange };
}

/**
 * Per-gene mean and sd of `m`'s log values (its unit's log transform) for the genes of `vocabulary`;
 * a vocabulary gene `m` lacks (or never measures) gets mean `absent`.
 */
export function fitGeneMoments(
  m: ExpressionMatrix,
  vocabulary: readonly string[],
  absent = Number.NaN,
): GeneMoments {
  const index = new Map(m.genes.map((g, i) => [g, i] as const));
  const lc = matrixToLog2Cpm(m);
  const { mean, variance } = columnMoments(lc, m.nSamples, m.genes.length);
  const V = vocabulary.length;
  const out: GeneMoments = { mean: new Float32Array(V).fill(absent), sd: new Float32Array(V) };
  for (let v = 0; v < V; v++) {
    const g = index.get(vocabulary[v]!);
    if (g === undefined || !Number.isFinite(mean[g]!)) continue;
    out.mean[v] = mean[g]!;
    const sd = Math.sqrt(variance[g]!);
    out.sd[v] = Number.isFinite(sd) && sd >= MIN_SD ? sd : 0;
  }
  return out;
}

/** Per-column mean, sample variance and count of finite values. */
function columnMoments(values: Float32Array, nRows: number, nCols: number) {
  const sum = new Float64Array(nCols);
  const count = new Float64Array(nCols);
  for (let r = 0; r < nRows; r++) {
    const o = r * nCols;
    for (let c = 0; c < nCols; c++) {
      const v = values[o + c]!;
      if (Number.isFinite(v)) {
        sum[c]! += v;
        count[c]! += 1;
      }
    }
  }
  const mean = new Float64Array(nCols);
  for (let c = 0; c < nCols; c++) mean[c] = count[c]! > 0 ? sum[c]! / count[c]! : Number.NaN;
  const ss = new Float64Array(nCols);
  for (let r = 0; r < nRows; r++) {
    const o = r * nCols;
    for (let c = 0; c < nCols; c++) {
      const v = values[o + c]!;
      if (Number.isFinite(v)) ss[c]! += (v - mean[c]!) ** 2;
    }
  }
  const variance = new Float64Array(nCols);
  for (let c = 0; c < nCols; c++) variance[c] = count[c]! > 1 ? ss[c]! / (count[c]! - 1) : Number.NaN;
  return { mean, variance, count };
}

/**
 * z-score of one log value of vocabulary gene v, with the statistics of its unit (momentsOf): NaN stays
 * NaN, and a gene without statistics for the unit (mean NaN) gives NaN (not read).
 */
export function zOf(stats: NormStats, v: number, log2cpm: number, unit: Unit = 'counts'): number {
  const moments = momentsOf(stats, unit);
  const mean = moments.mean[v]!;
  if (!Number.isFinite(log2cpm) || !Number.isFinite(mean)) return Number.NaN;
  const sd = moments.sd[v]!;
  return sd > 0 ? (log2cpm - mean) / sd : 0;
}

/**
 * The log value of vocabulary gene v on `unit`'s scale (log2(CPM + 1), or log2(RSEM + 1) for `rsem`) from its
 * z, with that unit's statistics (momentsOf): the inverse of zOf. NaN for a gene without statistics for the unit.
 */
export function log2OfZ(stats: NormStats, v: number, z: number, unit: Unit): number {
  const moments = momentsOf(stats, unit);
  return z * moments.sd[v]! + moments.mean[v]!;
}

/** Bin index of a z value: `levels` equal bins over [-zRange, zRange]; NaN -> the missing level. */
export function levelOf(stats: Pick<NormStats, 'levels' | 'zRange'>, z: number): number {
  if (!Number.isFinite(z)) return stats.levels;
  const t = Math.floor(((z + stats.zRange) / (2 * stats.zRange)) * stats.levels);
  return t < 0 ? 0 : t >= stats.levels ? stats.levels - 1 : t;
}

/** Centre of a bin, in z (the missing level gives NaN). */
export function levelCentre(stats: Pick<NormStats, 'levels' | 'zRange'>, level: number): number {
  if (level < 0 || level >= stats.levels) return Number.NaN;
  return -stats.zRange + ((level + 0.5) * 2 * stats.zRange) / stats.levels;
}

/** A profile mapped onto the vocabulary. */
export interface MappedProfile {
  /** z per vocabulary gene (NaN = missing or not in the profile). */
  z: Float32Array;
  /** Per vocabulary gene, 1 when the profile names it (with a value or as missing), 0 when absent. */
  given: Uint8Array;
  /** Profile genes not in the vocabulary (ignored). */
  unknown: string[];
  /** Vocabulary genes the profile names more than once (the first value is used). */
  duplicates: string[];
}

/**
 * Map a profile ({genes, values, unit}) onto the vocabulary as z-scores.
 * For `counts`, the library size is the sum over all of the profile's finite values.
 */
export function profileToZ(
  stats: NormStats,
  genes: readonly string[],
  values: Float32Array,
  unit: Unit,
): MappedProfile {
  if (genes.length !== values.length) {
    throw new Error(`profile has ${genes.length} genes but ${values.length} values`);
  }
  if (!units.includes(unit))
    throw new Error(`unknown unit ${JSON.stringify(unit)}; expected ${units.join(', ')}`);
  const index = vocabularyIndex(stats);
  const z = new Float32Array(stats.genes.length).fill(Number.NaN);
  const seen = new Uint8Array(stats.genes.length);
  const lc = unit === 'z' ? values : toLog2Cpm(values, unit);
  const unknown: string[] = [];
  const duplicates: string[] = [];
  for (let i = 0; i < genes.length; i++) {
    const v = index.get(genes[i]!);
    if (v === undefined) {
      unknown.push(genes[i]!);
      continue;
    }
    if (seen[v]) {
      duplicates.push(genes[i]!);
      continue;
    }
    seen[v] = 1;
    const x = lc[i]!;
    z[v] = unit === 'z' ? (Number.isFinite(x) ? x : Number.NaN) : zOf(stats, v, x, unit);
  }
  return { z, given: seen, unknown, duplicates };
}

/** Whole matrix -> z over the vocabulary (samples x V, NaN = missing). Used to build training corpora. */
export function matrixToZ(stats: NormStats, m: ExpressionMatrix): Float32Array {
  const V = stats.genes.length;
  const G = m.genes.length;
  const out = new Float32Array(m.nSamples * V).fill(Number.NaN);
  const cols = new Int32Array(V).fill(-1);
  const index = new Map(m.genes.map((g, i) => [g, i] as const));
  stats.genes.forEach((g, v) => {
    cols[v] = index.get(g) ?? -1;
  });
  const lc = m.unit === 'z' ? m.values : matrixToLog2Cpm(m);
  for (let s = 0; s < m.nSamples; s++) {
    for (let v = 0; v < V; v++) {
      const c = cols[v]!;
      if (c < 0) continue;
      const x = lc[s * G + c]!;
      out[s * V + v] = m.unit === 'z' ? x : zOf(stats, v, x, m.unit);
    }
  }
  return out;
}

/** Invert the z-score of vocabulary gene v into the requested unit (`counts` is not invertible). */
export function fromZ(
  stats: NormStats,
  v: number,
  z: number,
  unit: Exclude<Unit, 'counts'> = 'log2cpm',
): number {
  if (unit === 'z') return z;
  const lc = z * stats.sd[v]! + stats.mean[v]!;
  return unit === 'log2cpm' ? lc : 2 ** lc - 1;
}

const indexCache = new WeakMap<NormStats, Map<string, number>>();

/** gene name -> vocabulary index (cached per stats object). */
export function vocabularyIndex(stats: NormStats): Map<string, number> {
  let m = indexCache.get(stats);
  if (!m) {
    m = new Map(stats.genes.map((g, i) => [g, i] as const));
    indexCache.set(stats, m);
  }
  return m;
}
