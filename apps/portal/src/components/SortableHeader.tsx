// A table's header row whose labels are links sorting by their column (ascending first, then toggling);
// the sort lives in the URL, so it works with the keyboard and without client state.
import { Link } from './Link.tsx';

export interface SortableColumn {
  label: string;
  /** The column's name in the URL. */
  param: string;
  numeric?: boolean;
}

export function SortableHeader(props: {
  columns: readonly SortableColumn[];
  sort: string | null;
  descending: boolean;
  /** The page sorted by this column. */
  hrefFor: (param: string) => string;
}) {
  return (
    <thead>
      <tr>
        {props.columns.map((column) => {
          const sorted = props.sort === column.param;
          return (
            <th
              key={column.param}
              scope="col"
              className={column.numeric ? 'num' : undefined}
              aria-sort={sorted ? (props.descending ? 'descending' : 'ascending') : undefined}
            >
              <Link className="sort" href={props.hrefFor(column.param)} scroll={false}>
                {column.label}
                <span aria-hidden="true">{sorted ? (props.descending ? ' ▼' : ' ▲') : ''}</span>
              </Link>
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
