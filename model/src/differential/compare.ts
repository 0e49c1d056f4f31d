/**
 * Differential expression between two groups of samples, gene by gene: limma (moderated t),
 * limma-voom on raw counts (TMM), Welch t-tests or Wilcoxon rank-sum tests, each with
 * Benjamini-Hochberg adjusted p-values, as R (limma 3.54, edgeR 3.40, stats) computes them.
 */
import { adjustBH } from './bh.ts';
import { designColumns, type ExpressionValues, toMatrix, twoGroupDesign } from './design.ts';
import { eBayes, fitTwoGroups, type TwoGroupFit } from './limma.ts';
import { columnSums, tmmNormFactors } from './tmm.ts';
import { voom } from './voom.ts';
import { welchTests } from './welch.ts';
import { wilcoxonTests } from './wilcoxon.ts';

export type DifferentialMethod = 'limma' | 'voom' | 'welch' | 'wilcoxon';

export interface CompareGroupsOptions {
  /**
   * Genes x samples: a gene-major Float64Array (nGenes * groups.length) or one row per gene. log2
   * expression for limma, Welch and Wilcoxon; raw counts for voom. NaN is a missing value (not for voom).
   */
  values: ExpressionValues;
  /** One label per sample; null/undefined leaves the sample out. Exactly two labels are compared. */
  groups: ArrayLike<string | null | undefined>;
  method: DifferentialMethod;
  /** The reference group (default: the first label in sorted order, as R's factor levels). */
  reference?: string;
  /** Gene names (default "1", "2", ...). */
  genes?: ArrayLike<string>;
  /** limma/voom: assumed proportion of differentially expressed genes, for B (default 0.01). */
  proportion?: number;
}

export interface DifferentialRow {
  gene: string;
  /** Compared minus reference mean (voom: weighted means of log2-CPM). */
  logFC: number;
  /** Mean over the samples of both groups (voom: of log2-CPM). */
  aveExpr: number;
  /** Moderated t (limma, voom), Welch t, or Wilcoxon W (R's statistic). */
  statistic: number;
  pValue: number;
  /** Benjamini-Hochberg adjusted p-value. */
  adjPValue: number;
  /** limma/voom: log-odds of differential expression. */
  B?: number;
  /** Degrees of freedom of the t statistic (limma, voom: residual + prior; Welch: Satterthwaite). */
  df?: number;
}

export interface DifferentialResult {
  method: DifferentialMethod;
  reference: string;
  comparison: string;
  nReference: number;
  nComparison: number;
  rows: DifferentialRow[];
  /** limma/voom: the empirical Bayes prior (limma's df.prior and s2.prior). */
  prior?: { df: number; variance: number };
  /** voom: library sizes and TMM normalisation factors of the compared samples, in input order. */
  libSize?: Float64Array;
  normFactors?: Float64Array;
}

interface Columns {
  logFC: Float64Array;
  aveExpr: Float64Array;
  statistic: Float64Array;
  pValue: Float64Array;
  B?: Float64Array;
  df?: Float64Array;
}

/** Differential expression of every gene between the two groups. */
export function compareGroups(options: CompareGroupsOptions): DifferentialResult {
  const { method, groups } = options;
  const matrix = toMatrix(options.values, groups.length);
  const design = twoGroupDesign(groups, options.reference);
  const names = options.genes;
  if (names && names.length !== matrix.nGenes) {
    throw new RangeError(`${names.length} gene names for ${matrix.nGenes} genes`);
  }
  const result: DifferentialResult = {
    method,
    reference: design.reference,
    comparison: design.comparison,
    nReference: design.nReference,
    nComparison: design.nComparison,
    rows: [],
  };
  let columns: Columns;
  if (method === 'limma' || method === 'voom') {
    let fit: TwoGroupFit;
    if (method === 'voom') {
      const counts = designColumns(matrix, design);
      const libSize = columnSums(counts.matrix);
      const normFactors = tmmNormFactors(counts.matrix, { libSize });
      const v = voom(
        counts.matrix,
        counts.design,
        libSize.map((l, j) => l * normFactors[j]!),
      );
      fit = fitTwoGroups(v.E, counts.design, v.weights);
      result.libSize = libSize;
      result.normFactors = normFactors;
    } else {
      fit = fitTwoGroups(matrix, design);
    }
    const moderated = eBayes(fit, options.proportion === undefined ? {} : { proportion: options.proportion });
    result.prior = { df: moderated.dfPrior, variance: moderated.s2Prior };
    columns = {
      logFC: fit.coefficient,
      aveExpr: fit.aveExpr,
      statistic: moderated.t,
      pValue: moderated.pValue,
      B: moderated.B,
      df: moderated.dfTotal,
    };
  } else if (method === 'welch' || method === 'wilcoxon') {
    const means = fitTwoGroups(matrix, design);
    const test =
      method === 'welch'
        ? welchTests(means.moments)
        : (({ W, pValue }) => ({ t: W, pValue, df: undefined }))(wilcoxonTests(matrix, design));
    columns = { logFC: means.coefficient, aveExpr: means.aveExpr, statistic: test.t, pValue: test.pValue };
    if (test.df) columns.df = test.df;
  } else {
    throw new RangeError(`unknown method ${method as string}`);
  }
  const adjusted = adjustBH(columns.pValue);
  result.rows = Array.from({ length: matrix.nGenes }, (_, g) => {
    const row: DifferentialRow = {
      gene: names ? names[g]! : String(g + 1),
      logFC: columns.logFC[g]!,
      aveExpr: columns.aveExpr[g]!,
      statistic: columns.statistic[g]!,
      pValue: columns.pValue[g]!,
      adjPValue: adjusted[g]!,
    };
    if (columns.B) row.B = columns.B[g]!;
    if (columns.df) row.df = columns.df[g]!;
    return row;
  });
  return result;
}
