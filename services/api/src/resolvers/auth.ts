// The caller, and API token management (admin).
import { createToken, listTokens, revokeToken } from '@gexbert/core/auth/tokens';
import { requireRole } from '../context.ts';
import { badInput, parseId } from '../errors.ts';
import type { Resolvers } from '../generated/graphql.ts';

export const authResolvers: Resolvers = {
  Query: {
    viewer: (_, __, { role, token }) => ({ role, tokenName: token?.name ?? null }),
    apiTokens: (_, __, context) => {
      requireRole(context, 'ADMIN');
      return listTokens(context.prisma);
    },
  },
  Mutation: {
    ping: (_, __, context) => {
      requireRole(context, 'CURATOR');
      return true;
    },
    createApiToken: async (_, { name, role }, context) => {
      requireRole(context, 'ADMIN');
      if (!name.trim()) throw badInput('a token needs a name');
      const { token, row } = await createToken(context.prisma, name, role);
      context.tokens.forget();
      return { token, apiToken: row };
    },
    revokeApiToken: async (_, { id }, context) => {
      requireRole(context, 'ADMIN');
      const revoked = await revokeToken(context.prisma, parseId(id, 'token ID'));
      context.tokens.forget();
      return revoked;
    },
  },
  ApiToken: {
    createdAt: (t) => t.createdAt.toISOString(),
    revokedAt: (t) => t.revokedAt?.toISOString() ?? null,
  },
};
