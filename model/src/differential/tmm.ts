/**
 * edgeR's TMM normalisation factors, `calcNormFactors(method = "TMM")` (edgeR 3.40): the reference
 * sample is the one whose upper-quartile/library-size ratio is closest to the mean ratio; each
 * sample's factor is the precision-weighted mean of its log-ratios to the reference over the genes
 * left after trimming 30% of log-ratios and 5% of mean abundances at either end; factors are scaled
 * to a geometric mean of one.
 */
import type { ExpressionMatrix } from './design.ts';
import { midRankWindow, selectQuantile } from './ranks.ts';

export interface TmmOptions {
  /** Library sizes (default the column sums). */
  libSize?: ArrayLike<number>;
  /** Reference sample index (default chosen by upper quartile as edgeR). */
  refColumn?: number;
  logratioTrim?: number;
  sumTrim?: number;
  doWeighting?: boolean;
  Acutoff?: number;
}

/** Column sums of a gene-major count matrix: the library sizes. */
export function columnSums(matrix: ExpressionMatrix): Float64Array {
  const { data, nGenes, nSamples } = matrix;
  const sums = new Float64Array(nSamples);
  for (let g = 0; g < nGenes; g++) {
    const base = g * nSamples;
    for (let j = 0; j < nSamples; j++) sums[j]! += data[base + j]!;
  }
  return sums;
}

interface TmmTrim {
  logratioTrim: number;
  sumTrim: number;
  doWeighting: boolean;
  Acutoff: number;
}

/** The reference sample's terms of the TMM log-ratios and variances, computed once. */
interface TmmReference {
  /** ref / nR, log2(ref / nR) and (nR - ref) / nR / ref per gene. */
  fraction: Float64Array;
  logFraction: Float64Array;
  variance: Float64Array;
}

function tmmReference(ref: Float64Array, nR: number): TmmReference {
  return {
    fraction: ref.map((r) => r / nR),
    logFraction: ref.map((r) => Math.log2(r / nR)),
    variance: ref.map((r) => (nR - r) / nR / r),
  };
}

/** edgeR's .calcFactorTMM for one sample (its count column) against the reference. */
function tmmFactor(
  obs: Float64Array,
  nO: number,
  ref: TmmReference,
  trim: TmmTrim,
  scratch: Float64Array[],
): number {
  const n0 = obs.length;
  const [logR, absE, v, work] = scratch as [Float64Array, Float64Array, Float64Array, Float64Array];
  let n = 0;
  let maxAbs = 0;
  for (let g = 0; g < n0; g++) {
    const o = obs[g]!;
    const fraction = o / nO;
    // As edgeR: log2((obs/nO)/(ref/nR)) and the mean of log2(obs/nO) and log2(ref/nR).
    const lr = Math.log2(fraction / ref.fraction[g]!);
    const ae = (Math.log2(fraction) + ref.logFraction[g]!) / 2;
    if (!(Number.isFinite(lr) && Number.isFinite(ae) && ae > trim.Acutoff)) continue;
    logR[n] = lr;
    absE[n] = ae;
    v[n] = (nO - o) / nO / o + ref.variance[g]!;
    maxAbs = Math.max(maxAbs, Math.abs(lr));
    n++;
  }
  if (maxAbs < 1e-6) return 1;
  const loL = Math.floor(n * trim.logratioTrim) + 1;
  const hiL = n + 1 - loL;
  const loS = Math.floor(n * trim.sumTrim) + 1;
  const hiS = n + 1 - loS;
  // Kept: rank(logR) in [loL, hiL] and rank(absE) in [loS, hiS] (average ranks), as value ranges.
  const byRatio = midRankWindow(logR, n, loL, hiL, work);
  const byAbundance = midRankWindow(absE, n, loS, hiS, work);
  let num = 0;
  let den = 0;
  let count = 0;
  for (let k = 0; k < n; k++) {
    const lr = logR[k]!;
    const ae = absE[k]!;
    if (lr < byRatio.min || lr > byRatio.max || ae < byAbundance.min || ae > byAbundance.max) continue;
    if (trim.doWeighting) {
      num += logR[k]! / v[k]!;
      den += 1 / v[k]!;
    } else {
      num += logR[k]!;
      den += 1;
    }
    count++;
  }
  const f = num / den;
  return count === 0 || Number.isNaN(f) ? 1 : 2 ** f;
}

/** TMM normalisation factors of a gene-major count matrix (genes x samples). */
export function tmmNormFactors(counts: ExpressionMatrix, options: TmmOptions = {}): Float64Array {
  const { data, nGenes, nSamples } = counts;
  const libSize = options.libSize ? Float64Array.from(options.libSize) : columnSums(counts);
  const trim: TmmTrim = {
    logratioTrim: options.logratioTrim ?? 0.3,
    sumTrim: options.sumTrim ?? 0.05,
    doWeighting: options.doWeighting ?? true,
    Acutoff: options.Acutoff ?? -1e10,
  };
  // Genes with no positive count are dropped first.
  const rows: number[] = [];
  for (let g = 0; g < nGenes; g++) {
    for (let j = 0; j < nSamples; j++) {
      if (data[g * nSamples + j]! > 0) {
        rows.push(g);
        break;
      }
    }
  }
  if (rows.length === 0 || nSamples === 1) return new Float64Array(nSamples).fill(1);
  const nRows = rows.length;
  const rowOffsets = Int32Array.from(rows, (g) => g * nSamples);
  // Columns are read in blocks of adjacent samples, so that each gene's row is read contiguously.
  const BLOCK = 32;
  const block = new Float64Array(BLOCK * nRows);
  const eachColumn = (visit: (j: number, column: Float64Array) => void) => {
    for (let j0 = 0; j0 < nSamples; j0 += BLOCK) {
      const width = Math.min(BLOCK, nSamples - j0);
      for (let k = 0; k < nRows; k++) {
        const base = rowOffsets[k]! + j0;
        for (let b = 0; b < width; b++) block[b * nRows + k] = data[base + b]!;
      }
      for (let b = 0; b < width; b++) visit(j0 + b, block.subarray(b * nRows, (b + 1) * nRows));
    }
  };
  let refColumn = options.refColumn;
  if (refColumn === undefined) {
    const f75 = new Float64Array(nSamples);
    eachColumn((j, column) => {
      f75[j] = selectQuantile(column, nRows, 0.75) / libSize[j]!;
    });
    if (selectQuantile(f75.slice(), nSamples, 0.5) < 1e-20) {
      const rootSums = new Float64Array(nSamples);
      eachColumn((j, column) => {
        rootSums[j] = column.reduce((s, x) => s + Math.sqrt(x), 0);
      });
      refColumn = rootSums.reduce((best, x, j) => (x > rootSums[best]! ? j : best), 0);
    } else {
      const mean = f75.reduce((s, x) => s + x, 0) / nSamples;
      const distance = Array.from(f75, (x) => Math.abs(x - mean));
      refColumn = distance.reduce((best, x, j) => (x < distance[best]! ? j : best), 0);
    }
  }
  const refCounts = Float64Array.from(rowOffsets, (offset) => data[offset + refColumn]!);
  const ref = tmmReference(refCounts, libSize[refColumn]!);
  const scratch = Array.from({ length: 4 }, () => new Float64Array(nRows));
  const factors = new Float64Array(nSamples);
  eachColumn((j, column) => {
    factors[j] = tmmFactor(column, libSize[j]!, ref, trim, scratch);
  });
  let logMean = 0;
  for (const f of factors) logMean += Math.log(f);
  const scale = Math.exp(logMean / nSamples);
  return factors.map((f) => f / scale);
}
