// A cohort's samples, a page at a time from the API: search (a GET form), sort (column header links) and
// pagination (cursor links) live in the URL, so the table works with the keyboard and without client state.
// The TSV link downloads every matching sample in the chosen order; each barcode opens the sample.
import Form from 'next/form';
import { Link } from '../../../components/Link.tsx';
import { SortableHeader } from '../../../components/SortableHeader.tsx';
import { CohortSamplesDocument, type CohortSamplesQuery } from '../../../generated/graphql.ts';
import { apiRequest } from '../../../lib/api.ts';
import { attempt } from '../../../lib/attempt.ts';
import {
  neighbours,
  PAGE_SIZES,
  SAMPLE_COLUMNS,
  type SampleNode,
  type SampleTableState,
  sampleQueryArgs,
  sampleTableQuery,
  sortedBy,
} from '../../../lib/sampleTable.ts';
import { tsvCell } from '../../../lib/tsv.ts';

interface Props {
  cohortId: string;
  state: SampleTableState;
}

export async function SampleTableSection({ cohortId, state }: Props) {
  const page = state.before
    ? { last: state.size, before: state.before }
    : { first: state.size, after: state.after };
  const result = await attempt(
    async () =>
      (await apiRequest(CohortSamplesDocument, { id: cohortId, ...page, ...sampleQueryArgs(state) })).cohort,
  );
  const base = `/cohorts/${cohortId}`;
  const href = (s: SampleTableState) => `${base}${sampleTableQuery(s)}#samples`;
  return (
    <section aria-labelledby="samples" className="table-block" data-testid="sample-table">
      <div className="table-head">
        <h2 id="samples">Samples</h2>
        <div className="actions">
          <Form action={base} scroll={false} className="inline-form" aria-label="Search samples">
            <label htmlFor="sample-search" className="visually-hidden">
              Search samples (barcode, patient, cancer type or sample type)
            </label>
            <input
              id="sample-search"
              type="search"
              name="q"
              placeholder="Barcode, patient, cancer type…"
              defaultValue={state.search}
            />
            {state.sort && <input type="hidden" name="sort" value={state.sort} />}
            {state.sort && state.descending && <input type="hidden" name="dir" value="desc" />}
            <label htmlFor="sample-size">Rows per page</label>
            <select id="sample-size" name="size" defaultValue={state.size}>
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
            <button type="submit">Search</button>
          </Form>
          <a
            className="button-link"
            href={`${base}/samples.tsv${sampleTableQuery({ ...state, after: null, before: null, offset: 0, size: 25 })}`}
            download
          >
            TSV
          </a>
        </div>
      </div>
      {!result.ok ? (
        <p className="error-text" role="alert">
          The samples could not be loaded: {result.message}
        </p>
      ) : !result.data ? (
        <p className="empty">This cohort no longer exists.</p>
      ) : (
        <SamplePage state={state} data={result.data} href={href} />
      )}
    </section>
  );
}

type Cohort = NonNullable<CohortSamplesQuery['cohort']>;

function SamplePage(props: { state: SampleTableState; data: Cohort; href: (s: SampleTableState) => string }) {
  const { state, data, href } = props;
  const samples = data.samples;
  if (data.sampleCount === 0) return <p className="empty">This cohort has no samples.</p>;
  const offset = samples.pageInfo.hasPreviousPage ? state.offset : 0;
  const shown = samples.nodes.length;
  const pages = Math.max(1, Math.ceil(samples.totalCount / state.size));
  const link = neighbours(
    { ...state, offset },
    { startCursor: samples.pageInfo.startCursor, endCursor: samples.pageInfo.endCursor, shown },
  );
  return (
    <>
      <div className="table-scroll">
        <table>
          <SortableHeader
            columns={SAMPLE_COLUMNS}
            sort={state.sort}
            descending={state.descending}
            hrefFor={(param) => href(sortedBy(state, param))}
          />
          <tbody>
            {samples.nodes.map((s) => (
              <tr key={s.id}>
                {SAMPLE_COLUMNS.map((column, i) => (
                  <td key={column.param} className={column.numeric ? 'num' : undefined}>
                    {i === 0 ? <Link href={`/samples/${s.id}`}>{s.barcode}</Link> : cellText(column, s)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {samples.totalCount === 0 && <p className="empty">No samples match “{state.search}”.</p>}
      <nav className="pager" aria-label="Samples pages">
        <PageLink to={samples.pageInfo.hasPreviousPage ? href(link.previous) : null}>Previous</PageLink>
        <span aria-live="polite" data-testid="pager-status">
          Rows {shown ? offset + 1 : 0}–{offset + shown} of {samples.totalCount}
          {samples.totalCount !== data.sampleCount ? ` (of ${data.sampleCount})` : ''} · page{' '}
          {shown ? Math.floor(offset / state.size) + 1 : 1} of {pages}
        </span>
        <PageLink to={samples.pageInfo.hasNextPage ? href(link.next) : null}>Next</PageLink>
      </nav>
    </>
  );
}

/** A pager link, or the same label marked disabled when there is no such page. */
function PageLink(props: { to: string | null; children: string }) {
  if (!props.to)
    return (
      <span className="button-link" aria-disabled="true">
        {props.children}
      </span>
    );
  return (
    <Link className="button-link" href={props.to} scroll={false}>
      {props.children}
    </Link>
  );
}

function cellText(column: (typeof SAMPLE_COLUMNS)[number], s: SampleNode) {
  if (column.field === 'OS_EVENT') return s.patient.osEvent === null ? '–' : s.patient.osEvent ? 'yes' : 'no';
  return tsvCell(column.value(s)) || '–';
}
