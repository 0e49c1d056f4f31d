// The stomach cohort's Lauren comparison as the R fixture ran it: its genes and patients, Intestinal
// (reference) vs Diffuse.
import { loadFixture, readMatrix } from './fixtures.ts';

export interface StadFixture {
  samples: string[];
  group: string[];
  genes: string[];
  limma: Record<'logFC' | 'AveExpr' | 't' | 'P' | 'adjP' | 'B', number[]> & {
    s2_prior: number;
    df_prior: number;
  };
  welch: Record<'t' | 'df' | 'P' | 'adjP', number[]>;
  wilcoxon: Record<'P' | 'adjP', number[]>;
}

export const stadRef = loadFixture<StadFixture>('stad_lauren_limma_welch_wilcoxon.json');

/** Gene-major log2 values of the fixture's genes and patients (columns are "<patient>-01A"). */
export function stadValues(): Float64Array {
  const { columns, rows } = readMatrix('data/tcga/stad_immune/stad_tme_log2.tsv.gz');
  const index = new Map(columns.map((c, j) => [c.slice(0, 12), j]));
  const n = stadRef.samples.length;
  const out = new Float64Array(stadRef.genes.length * n);
  stadRef.genes.forEach((gene, g) => {
    const row = rows.get(gene)!;
    stadRef.samples.forEach((s, k) => {
      out[g * n + k] = row[index.get(s)!]!;
    });
  });
  return out;
}
