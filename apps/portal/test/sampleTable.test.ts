// The cohort sample table's URL state: parsing, the query string, sorting and the pager's neighbours.
import { describe, expect, it } from 'vitest';
import {
  neighbours,
  parseSampleTableState,
  sampleQueryArgs,
  sampleTableQuery,
  sortedBy,
} from '../src/lib/sampleTable.ts';

describe('the sample table state in the URL', () => {
  it('defaults to the first 25 samples in ID order, and ignores unknown or malformed values', () => {
    const state = parseSampleTableState({ sort: 'nonsense', size: '7', from: '-3', dir: 'sideways' });
    expect(state).toEqual({
      search: '',
      sort: null,
      descending: false,
      size: 25,
      after: null,
      before: null,
      offset: 0,
    });
    expect(sampleTableQuery(state)).toBe('');
    expect(sampleQueryArgs(state)).toEqual({});
  });

  it('round-trips through the query string and gives the API its search and order', () => {
    const params = { q: ' chol ', sort: 'os-days', dir: 'desc', size: '50', after: 'abc', from: '50' };
    const state = parseSampleTableState(params);
    expect(state).toMatchObject({ search: 'chol', sort: 'os-days', descending: true, size: 50, offset: 50 });
    const again = parseSampleTableState(Object.fromEntries(new URLSearchParams(sampleTableQuery(state))));
    expect(again).toEqual(state);
    expect(sampleQueryArgs(state)).toEqual({
      search: 'chol',
      orderBy: { field: 'OS_TIME', direction: 'DESC' },
    });
  });

  it('sorts ascending on a new column, toggles on the same one, and returns to the first page', () => {
    const state = parseSampleTableState({ sort: 'barcode', after: 'abc', from: '25' });
    expect(sortedBy(state, 'barcode')).toMatchObject({
      sort: 'barcode',
      descending: true,
      after: null,
      offset: 0,
    });
    expect(sortedBy(state, 'patient')).toMatchObject({ sort: 'patient', descending: false, after: null });
  });

  it('pages forward after the last row and back before the first (the first page without a cursor)', () => {
    const state = parseSampleTableState({ size: '10', after: 'c20', from: '20' });
    const page = { startCursor: 's', endCursor: 'e', shown: 10 };
    const { next, previous } = neighbours(state, page);
    expect(next).toMatchObject({ after: 'e', before: null, offset: 30 });
    expect(previous).toMatchObject({ after: null, before: 's', offset: 10 });
    const second = neighbours({ ...state, offset: 10 }, page).previous;
    expect(second).toMatchObject({ after: null, before: null, offset: 0 });
  });
});
