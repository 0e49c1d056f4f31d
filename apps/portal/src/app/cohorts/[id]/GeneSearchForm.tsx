// The gene search box of a cohort's pages: a GET form to /cohorts/<id>/genes?q=… (symbol, previous
// symbol, Ensembl ID or Entrez ID).
export function GeneSearchForm(props: { cohortId: string; text?: string }) {
  return (
    <form
      method="get"
      action={`/cohorts/${encodeURIComponent(props.cohortId)}/genes`}
      className="inline-form"
      aria-label="Gene search"
    >
      <label>
        Gene{' '}
        <input
          type="search"
          name="q"
          defaultValue={props.text}
          placeholder="TP53, P53, 7157 or ENSG00000141510"
          aria-label="Gene symbol, alias, Ensembl ID or Entrez ID"
          required
        />
      </label>{' '}
      <button type="submit">Find gene</button>
    </form>
  );
}
