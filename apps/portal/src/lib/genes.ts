// The genes and unit a sample page shows: from its search parameters, or a default set of well-known genes.
import type { ExpressionUnit } from '../generated/graphql.ts';

export const DEFAULT_GENES = [
  'TP53',
  'EGFR',
  'MYC',
  'ERBB2',
  'KRAS',
  'CDH1',
  'VIM',
  'PTPRC',
  'GAPDH',
  'ACTB',
];
export const MAX_GENES = 100;

/** Gene IDs or symbols from free text (commas, spaces or new lines), de-duplicated, at most MAX_GENES. */
export function parseGeneList(text: string | undefined): string[] {
  if (!text?.trim()) return DEFAULT_GENES;
  const seen = new Set<string>();
  for (const token of text.split(/[\s,;]+/)) {
    const gene = token.trim();
    if (gene && !seen.has(gene.toUpperCase())) seen.add(gene.toUpperCase());
  }
  return [...seen].slice(0, MAX_GENES);
}

/** One entry per value of the schema's ExpressionUnit, in the portal's order (tsc refuses one missing or extra). */
const UNIT_SET = {
  RAW_COUNT: true,
  TPM: true,
  FPKM: true,
  FPKM_UQ: true,
  LOG2_COUNT_PLUS1: true,
  LOG2_TPM_PLUS1: true,
  LOG2_FPKM_PLUS1: true,
  LOG2_OTHER: true,
  RSEM: true,
} satisfies Record<ExpressionUnit, true>;

/** Every unit a stored value may have. */
export const UNITS: readonly ExpressionUnit[] = Object.keys(UNIT_SET) as ExpressionUnit[];
