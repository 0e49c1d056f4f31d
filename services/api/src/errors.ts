// GraphQL errors with the codes clients act on. Errors raised while resolving fields keep HTTP 200 (other
// fields of the same request may have succeeded); only a refused request (no or bad token) sets its status.
// `graphql/index.js`, not `graphql`: the same CommonJS build Apollo Server loads (under Vitest a bare
// `graphql` resolves to the .mjs build, and two copies of graphql refuse each other's schema objects).
import { GraphQLError } from 'graphql/index.js';

export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} not found`, { extensions: { code: 'NOT_FOUND' } });
}

/** A numeric database ID from a GraphQL ID; BAD_USER_INPUT when it is not one. */
export function parseId(id: string | number, what = 'ID'): number {
  const n = typeof id === 'number' ? id : /^\d{1,9}$/.test(id) ? Number(id) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw badInput(`${what} ${JSON.stringify(id)} is not a valid ID`);
  return n;
}
