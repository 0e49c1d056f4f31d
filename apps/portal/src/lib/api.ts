// The portal's only way to its data: typed GraphQL operations sent by the portal's server to the API, with
// the token of the user who asked (their session, lib/auth.ts). Never imported by client components.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { unauthorized } from 'next/navigation';
import { loadPortalConfig } from '../config.ts';
import { currentUser, endCurrentSession } from './auth.ts';

/** An error the API answered with (or a failure to reach it), with a message to show. */
export class ApiError extends Error {
  override name = 'ApiError';
  /** True when the API could not be reached or did not answer GraphQL (not an error about the request). */
  constructor(
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string }[];
}

/**
 * Runs one operation with the signed-in user's own token (or the anonymous reader's, when that is on);
 * throws ApiError with the API's first error message, or when nobody is signed in. `token` is for the
 * sign-in itself (the token being checked).
 */
export async function apiRequest<TResult, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<TResult> {
  const config = loadPortalConfig();
  const bearer = token ?? (await currentUser())?.token;
  if (!bearer) throw new ApiError('sign in to see this');
  let response: Response;
  try {
    response = await fetch(config.apiUrl, {
      method: 'POST',
      cache: 'no-store',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify({ query: print(document), variables }),
    });
  } catch (error) {
    throw new ApiError(
      `the GraphQL API at ${config.apiUrl} cannot be reached (${(error as Error).message})`,
      true,
    );
  }
  if (response.status === 401 && token === undefined) {
    // The API no longer accepts this user's token (revoked, or expired): their session ends here.
    await endCurrentSession();
    unauthorized();
  }
  const body = (await response.json().catch(() => ({}))) as GraphQLResponse<TResult>;
  if (body.errors?.length) throw new ApiError(body.errors[0]!.message);
  if (!response.ok || !body.data)
    throw new ApiError(`the GraphQL API answered HTTP ${response.status}`, true);
  return body.data;
}

interface Page<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}

/** A connection's pages in order, at most `limit` nodes in all (for streaming a long table). */
export async function* pagesOf<T>(
  fetchPage: (first: number, after: string | null) => Promise<Page<T> | null>,
  limit = loadPortalConfig().maxTableRows,
): AsyncGenerator<Page<T>> {
  const pageSize = loadPortalConfig().pageSize;
  let after: string | null = null;
  let seen = 0;
  for (;;) {
    const page: Page<T> | null = await fetchPage(Math.min(pageSize, limit - seen), after);
    if (!page) return;
    yield page;
    seen += page.nodes.length;
    if (!page.pageInfo.hasNextPage || seen >= limit) return;
    after = page.pageInfo.endCursor;
  }
}

/** Every node of a connection, page by page (at most `limit`); `truncated` when more exist. */
export async function allPages<T>(
  fetchPage: (first: number, after: string | null) => Promise<Page<T> | null>,
  limit = loadPortalConfig().maxTableRows,
): Promise<{ nodes: T[]; totalCount: number; truncated: boolean }> {
  const nodes: T[] = [];
  let totalCount = 0;
  for await (const page of pagesOf(fetchPage, limit)) {
    totalCount = page.totalCount;
    nodes.push(...page.nodes);
  }
  return { nodes, totalCount, truncated: nodes.length < totalCount };
}
