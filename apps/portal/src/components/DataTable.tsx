'use client';
// A table with search, sort (click a column header), pagination and TSV download of the matching rows. What the
// reader does to it (search, sort, page, rows per page) lives in the page URL under the table's key
// (tableViewParams), so a copied link or a reload shows the same rows.
import { useSearchParams } from 'next/navigation';
import { useId, useMemo, useState } from 'react';
import { saveBlob } from '../lib/download.ts';
import { fileSlug, toTsv } from '../lib/tsv.ts';
import { setUrlParams } from '../lib/urlParams.ts';
import { Link } from './Link.tsx';
import { SimulatedBadge } from './SimulatedBadge.tsx';
import {
  cellText,
  pageOf,
  searchRows,
  sortRows,
  type TableColumn,
  type TableRow,
  type TableView,
  tableViewOf,
  tableViewParams,
} from './tableModel.ts';

const PAGE_SIZES = [10, 25, 50, 100];

export interface DataTableProps {
  title: string;
  columns: TableColumn[];
  rows: TableRow[];
  pageSize?: number;
  emptyText: string;
  note?: string;
  testId?: string;
  /** Names the table's parameters in the page URL (default: its title's slug); unique on its page. */
  urlKey?: string;
}

export function DataTable(props: DataTableProps) {
  // null outside a Next.js page (a component rendered on its own, as the portal's unit tests do): defaults
  const params = useSearchParams() as ReturnType<typeof useSearchParams> | null;
  const key = props.urlKey ?? fileSlug(props.title);
  const defaultSize = props.pageSize ?? 25;
  const [view, setView] = useState<TableView>(() =>
    tableViewOf((name) => params?.get(name) ?? null, key, props.columns, defaultSize, PAGE_SIZES),
  );
  const { search, sort, pageSize } = view;
  const ids = { title: useId(), search: useId(), size: useId() };
  const matching = useMemo(() => sortRows(searchRows(props.rows, search), sort), [props.rows, search, sort]);
  const shown = pageOf(matching, view.page, pageSize);
  const change = (next: Partial<TableView>) => {
    const changed = { ...view, ...next };
    setView(changed);
    setUrlParams(tableViewParams(changed, key, props.columns, defaultSize));
  };
  const setPage = (page: number) => change({ page });

  const sortBy = (column: number) =>
    change({
      sort:
        sort?.column === column ? { column, descending: !sort.descending } : { column, descending: false },
      page: 0,
    });
  const download = () => {
    const text = toTsv(
      props.columns.map((c) => c.label),
      matching.map((row) => row.cells.map((cell) => cell.value)),
    );
    saveBlob(new Blob([text], { type: 'text/tab-separated-values' }), `${fileSlug(props.title)}.tsv`);
  };
  const first = matching.length ? shown.page * pageSize + 1 : 0;
  const last = Math.min(matching.length, (shown.page + 1) * pageSize);

  return (
    <section className="table-block" aria-labelledby={ids.title} data-testid={props.testId}>
      <div className="table-head">
        <h3 id={ids.title}>{props.title}</h3>
        <div className="actions">
          <label htmlFor={ids.search} className="visually-hidden">
            Search {props.title}
          </label>
          <input
            id={ids.search}
            type="search"
            placeholder="Search…"
            value={search}
            onChange={(e) => change({ search: e.target.value, page: 0 })}
          />
          <button type="button" onClick={download} disabled={!matching.length}>
            TSV
          </button>
        </div>
      </div>
      {props.note && <p className="muted">{props.note}</p>}
      {props.rows.length === 0 ? (
        <p className="empty">{props.emptyText}</p>
      ) : (
        <>
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  {props.columns.map((column, i) => (
                    <th
                      key={column.label}
                      scope="col"
                      className={column.numeric ? 'num' : undefined}
                      aria-sort={
                        sort?.column === i ? (sort.descending ? 'descending' : 'ascending') : undefined
                      }
                    >
                      <button type="button" className="sort" onClick={() => sortBy(i)}>
                        {column.label}
                        <span aria-hidden="true">
                          {sort?.column === i ? (sort.descending ? ' ▼' : ' ▲') : ''}
                        </span>
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.rows.map((row) => (
                  <tr key={row.key} className={row.tone ? `row-${row.tone}` : undefined} data-tone={row.tone}>
                    {row.cells.map((cell, i) => (
                      <td
                        key={props.columns[i]?.label ?? i}
                        className={props.columns[i]?.numeric ? 'num' : undefined}
                      >
                        {cell.href ? <Link href={cell.href}>{cellText(cell)}</Link> : cellText(cell)}
                        {cell.badge ? (
                          <>
                            {' '}
                            <SimulatedBadge text={cell.badge} />
                          </>
                        ) : null}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {matching.length === 0 && <p className="empty">No rows match “{search}”.</p>}
          <nav className="pager" aria-label={`${props.title} pages`}>
            <button type="button" onClick={() => setPage(shown.page - 1)} disabled={shown.page === 0}>
              Previous
            </button>
            <span aria-live="polite" data-testid="pager-status">
              Rows {first}–{last} of {matching.length}
              {matching.length !== props.rows.length ? ` (of ${props.rows.length})` : ''} · page{' '}
              {shown.page + 1} of {shown.pages}
            </span>
            <button
              type="button"
              onClick={() => setPage(shown.page + 1)}
              disabled={shown.page >= shown.pages - 1}
            >
              Next
            </button>
            <label htmlFor={ids.size}>Rows per page</label>
            <select
              id={ids.size}
              value={pageSize}
              onChange={(e) => change({ pageSize: Number(e.target.value), page: 0 })}
            >
              {PAGE_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </nav>
        </>
      )}
    </section>
  );
}
