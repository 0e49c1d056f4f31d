'use client';
import { useId, useMemo, useState } from 'react';
import { saveBlob } from '../lib/download.ts';
import { fileSlug, toTsv } from '../lib/tsv.ts';
// A table with search, sort (click a column header), pagination and TSV download of the matching rows.
import { Link } from './Link.tsx';
import { SimulatedBadge } from './SimulatedBadge.tsx';
import {
  cellText,
  pageOf,
  type SortState,
  searchRows,
  sortRows,
  type TableColumn,
  type TableRow,
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
}

export function DataTable(props: DataTableProps) {
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortState | null>(null);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(props.pageSize ?? 25);
  const ids = { title: useId(), search: useId(), size: useId() };
  const matching = useMemo(() => sortRows(searchRows(props.rows, search), sort), [props.rows, search, sort]);
  const shown = pageOf(matching, page, pageSize);

  const sortBy = (column: number) => {
    setSort((s) =>
      s?.column === column ? { column, descending: !s.descending } : { column, descending: false },
    );
    setPage(0);
  };
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
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(0);
            }}
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
              onChange={(e) => {
                setPageSize(Number(e.target.value));
                setPage(0);
              }}
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
