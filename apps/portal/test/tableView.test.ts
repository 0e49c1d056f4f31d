// A DataTable's view (search, sort, page, rows per page) in the page URL: written under the table's key, read
// back to the same view, defaults left out, unknown or malformed values ignored.
import { describe, expect, it } from 'vitest';
import {
  type TableColumn,
  type TableView,
  tableViewOf,
  tableViewParams,
} from '../src/components/tableModel.ts';

const COLUMNS: TableColumn[] = [{ label: 'Cancer type' }, { label: 'log2(CPM + 1)', numeric: true }];
const SIZES = [10, 25, 50, 100];

const read = (params: Record<string, string | null>) => (name: string) => params[name] ?? null;

describe('a table view in the URL', () => {
  it('reads back the view it writes, each field under the table key', () => {
    const view: TableView = { search: 'DLBC', sort: { column: 1, descending: true }, page: 2, pageSize: 50 };
    const params = tableViewParams(view, 'values', COLUMNS, 25);
    expect(params).toEqual({
      'values.q': 'DLBC',
      'values.sort': '-log2-cpm-1',
      'values.page': '3',
      'values.rows': '50',
    });
    expect(tableViewOf(read(params), 'values', COLUMNS, 25, SIZES)).toEqual(view);
    // another table's parameters are not this one's
    expect(tableViewOf(read(params), 'samples', COLUMNS, 25, SIZES)).toEqual({
      search: '',
      sort: null,
      page: 0,
      pageSize: 25,
    });
  });

  it('leaves defaults out and ignores what names no column, page or size', () => {
    const view: TableView = { search: '', sort: { column: 0, descending: false }, page: 0, pageSize: 25 };
    expect(tableViewParams(view, 't', COLUMNS, 25)).toEqual({
      't.q': null,
      't.sort': 'cancer-type',
      't.page': null,
      't.rows': null,
    });
    const bad = { 't.sort': '-no-such-column', 't.page': '-4', 't.rows': '7' };
    expect(tableViewOf(read(bad), 't', COLUMNS, 25, SIZES)).toEqual({
      search: '',
      sort: null,
      page: 0,
      pageSize: 25,
    });
  });
});
