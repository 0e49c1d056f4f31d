// CHOL (reference) vs KICH raw counts as the R voom fixture used them: its 2,000 genes and 81 samples
// (CHOL's columns, then KICH's).
import { loadFixture, readMatrix } from './fixtures.ts';

export interface VoomFixture {
  samples: string[];
  group: string[];
  genes: string[];
  tmm_norm_factors: number[];
  lib_size: number[];
  voom_weights_first_gene: number[];
  limma_voom: Record<'logFC' | 'AveExpr' | 't' | 'P' | 'adjP', number[]> & {
    s2_prior: number;
    df_prior: number;
  };
}

export const voomRef = loadFixture<VoomFixture>('chol_kich_voom.json');

/** Gene-major counts of the fixture's genes and samples. */
export function cholKichCounts(): Float64Array {
  const files = ['TCGA_CHOL_Counts.exp.gz', 'TCGA_KICH_Counts.exp.gz'].map((f) =>
    readMatrix(`data/tcga/counts/${f}`),
  );
  const where = new Map<string, { file: number; column: number }>();
  files.forEach((m, file) => {
    m.columns.forEach((c, column) => {
      where.set(c, { file, column });
    });
  });
  const n = voomRef.samples.length;
  const out = new Float64Array(voomRef.genes.length * n);
  const located = voomRef.samples.map((s) => where.get(s)!);
  voomRef.genes.forEach((gene, g) => {
    const rows = files.map((m) => m.rows.get(gene)!);
    located.forEach(({ file, column }, k) => {
      out[g * n + k] = rows[file]![column]!;
    });
  });
  return out;
}
