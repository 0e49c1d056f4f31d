// A cohort's export downloads (the API's /export/cohorts/<id>/… routes, services/api/src/exports): the files'
// names, the API query for a unit choice of the download form, and the R and Python lines that read them.
export const EXPORT_FILES = ['expression.tsv.gz', 'clinical.tsv.gz'] as const;
export type ExportFile = (typeof EXPORT_FILES)[number];

/** The portal's download address of one file (the form adds unit= and genes=). */
export const exportHref = (cohortId: string, file: ExportFile) =>
  `/cohorts/${encodeURIComponent(cohortId)}/export/${file}`;

/** The name the API gives the downloaded file. */
export const exportFileName = (cohortId: string, file: ExportFile) =>
  `cohort-${cohortId}-${file.replace('.tsv.gz', '')}.tsv.gz`;

/**
 * The API's query string for the download form's parameters: unit is a Scale's param (LOG2_CPM: log2(CPM + 1)
 * of the raw counts, or a stored unit as stored), genes a list of symbols or Ensembl IDs. The API checks both.
 */
export function exportQuery(params: URLSearchParams): string {
  const out = new URLSearchParams();
  const unit = params.get('unit')?.trim();
  if (unit === 'LOG2_CPM') out.set('unit', 'RAW_COUNT');
  else if (unit) out.set('unit', unit);
  if (unit) out.set('transform', unit === 'LOG2_CPM' ? 'LOG2_CPM' : 'NONE');
  const genes = params.get('genes')?.trim();
  if (genes) out.set('genes', genes);
  const query = out.toString();
  return query ? `?${query}` : '';
}

/** Lines of R that read the two files into a genes x samples matrix and a clinical data frame. */
export function rSnippet(cohortId: string): string {
  return `expr <- read.delim("${exportFileName(cohortId, 'expression.tsv.gz')}", row.names = 1, check.names = FALSE)
symbols <- expr$symbol; expr$symbol <- NULL   # genes x samples, NA = not measured
clinical <- read.delim("${exportFileName(cohortId, 'clinical.tsv.gz')}", check.names = FALSE)
clinical <- clinical[match(colnames(expr), clinical$sample), ]   # one row per matrix column`;
}

/** Lines of Python (pandas) that do the same. */
export function pythonSnippet(cohortId: string): string {
  return `import pandas as pd
expr = pd.read_csv("${exportFileName(cohortId, 'expression.tsv.gz')}", sep="\\t", index_col=0)
symbols = expr.pop("symbol")   # genes x samples, NaN = not measured
clinical = pd.read_csv("${exportFileName(cohortId, 'clinical.tsv.gz')}", sep="\\t", index_col="sample")
clinical = clinical.loc[expr.columns]   # one row per matrix column`;
}
