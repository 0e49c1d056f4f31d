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

/** edgeR's .calcFactorTMM for one sample against the reference (both count columns). */
function tmmFactor(
  obs: Float64Array,
  ref: Float64Array,
  nO: number,
  nR: number,
  trim: TmmTrim,
  scratch: Float64Array[],
): number {
  const n0 = obs.length;
  const [logR, absE, v, work] = scratch as [Float64Array, Float64Array, Float64Array, Float64Array];
  let n = 0;
  let maxAbs = 0;
  for (let g = 0; g < n0; g++) {
    const o = obs[g]!;
    const r = ref[g]!;
    const lr = Math.log2(o / nO / (r / nR));
    const ae = (Math.log2(o / nO) + Math.log2(r / nR)) / 2;
    if (!(Number.isFinite(lr) && Number.isFinite(ae) && ae > trim.Acutoff)) continue;
    logR[n] = lr;
    absE[n] = ae;
    v[n] = (nO - o) / nO / o + (nR - r) / nR / r;
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
  const column = (j: number, out = new Float64Array(nRows)) => {
    for (let k = 0; k < nRows; k++) out[k] = data[rowOffsets[k]! + j]!;
    return out;
  };
  const buffer = new Float64Array(nRows);
  let refColumn = options.refColumn;
  if (refColumn === undefined) {
    const f75 = Float64Array.from(
      { length: nSamples },
      (_, j) => selectQuantile(column(j, buffer), nRows, 0.75) / libSize[j]!,
    );
    if (selectQuantile(f75.slice(), nSamples, 0.5) < 1e-20) {
      const rootSums = Array.from({ length: nSamples }, (_, j) =>
        column(j, buffer).reduce((s, x) => s + Math.sqrt(x), 0),
      );
      refColumn = rootSums.reduce((best, x, j) => (x > rootSums[best]! ? j : best), 0);
    } else {
      const mean = f75.reduce((s, x) => s + x, 0) / nSamples;
      const distance = Array.from(f75, (x) => Math.abs(x - mean));
      refColumn = distance.reduce((best, x, j) => (x < distance[best]! ? j : best), 0);
    }
  }
  const ref = column(refColumn);
  const scratch = Array.from({ length: 4 }, () => new Float64Array(nRows));
  const factors = Float64Array.from({ length: nSamples }, (_, j) =>
    tmmFactor(column(j, buffer), ref, libSize[j]!, libSize[refColumn]!, trim, scratch),
  );
  let logMean = 0;
  for (const f of factors) logMean += Math.log(f);
  const scale = Math.exp(logMean / nSamples);
  return factors.map((f) => f / scale);
}
