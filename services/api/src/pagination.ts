// Relay-style cursor pagination over integer keys: cursors are opaque base64url of "<type>:<id>".
import { badInput } from './errors.ts';
import type { Connection } from './rows.ts';

export interface PageLimits {
  defaultPageSize: number;
  maxPageSize: number;
}

export interface PageRequest {
  /** Rows to return. */
  first: number;
  /** Return rows with a key greater than this (0 = from the start). */
  afterId: number;
}

export function encodeCursor(type: string, id: number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(type: string, cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^([A-Za-z]+):(\d{1,12})$/.exec(text);
  if (!match || match[1] !== type) throw badInput(`invalid cursor ${JSON.stringify(cursor)} for ${type}`);
  return Number(match[2]);
}

/** Validates first/after; BAD_USER_INPUT when `first` is out of range or the cursor is not this type's. */
export function pageRequest(
  type: string,
  args: { first?: number | null; after?: string | null },
  limits: PageLimits,
): PageRequest {
  const first = args.first ?? limits.defaultPageSize;
  if (!Number.isInteger(first) || first < 0 || first > limits.maxPageSize)
    throw badInput(`first must be between 0 and ${limits.maxPageSize} (the maximum page size), got ${first}`);
  return { first, afterId: args.after ? decodeCursor(type, args.after) : 0 };
}

/**
 * A connection from up to first + 1 rows ordered by key (the extra row only says there is a next page).
 * `keyOf` gives a row's key.
 */
export function connection<T>(
  type: string,
  page: PageRequest,
  rows: readonly T[],
  totalCount: number,
  keyOf: (row: T) => number,
): Connection<T> {
  const nodes = rows.slice(0, page.first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(type, keyOf(node)), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: rows.length > page.first,
      hasPreviousPage: page.afterId > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
