// Download a cohort: its genes x samples matrix in a chosen unit (optionally only some genes) and its clinical
// table, both gzip TSV streamed from the API (route export/[file]), with the R and Python lines that read them.
import { UnitSelect } from '../../../components/UnitSelect.tsx';
import { CohortExportUnitsDocument } from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import { exportHref, pythonSnippet, rSnippet } from '../../../lib/cohortExport.ts';
import { scalesOf } from '../../../lib/genePage.ts';

export async function ExportSection(props: { cohortId: string }) {
  const { cohortId } = props;
  const units = await attempt(
    async () => (await apiRequest(CohortExportUnitsDocument, { id: cohortId })).cohort?.expressionUnits ?? [],
  );
  const scales = units.ok ? scalesOf(units.data) : [];
  return (
    <section aria-labelledby="export">
      <h2 id="export">Download</h2>
      {!units.ok ? (
        <p role="alert" className="error-text">
          The cohort's units could not be loaded: {units.message}
        </p>
      ) : scales.length === 0 ? (
        <p className="empty">This cohort's samples have no expression values to download.</p>
      ) : (
        <form
          method="get"
          action={exportHref(cohortId, 'expression.tsv.gz')}
          className="inline-form"
          aria-label="Download the expression matrix"
        >
          <UnitSelect scales={scales} defaultValue={scales[0]!.param} testId="export-unit" />{' '}
          <label>
            Genes{' '}
            <input
              type="text"
              name="genes"
              placeholder="all genes, or e.g. TP53, ESR1, ENSG00000111640"
              aria-label="Genes to export (symbols or Ensembl IDs; empty for all)"
              size={36}
            />
          </label>{' '}
          <button type="submit" data-testid="export-matrix">
            Download matrix (genes × samples, TSV, gzip)
          </button>
        </form>
      )}
      <p>
        <a href={exportHref(cohortId, 'clinical.tsv.gz')} data-testid="export-clinical" download>
          Download the clinical table
        </a>{' '}
        (one row per sample: patient, cancer type, sample type, overall survival and every stored clinical
        field; TSV, gzip). Both files are streamed, so a cohort of any size downloads; missing values are NA.
      </p>
      <details>
        <summary>Read the files in R or Python</summary>
        <pre data-testid="export-r">{rSnippet(cohortId)}</pre>
        <pre data-testid="export-python">{pythonSnippet(cohortId)}</pre>
      </details>
    </section>
  );
}
