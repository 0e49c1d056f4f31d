// API tokens: a random secret shown once, stored as its sha256; each token has one role.
//
// The table is the Prisma model ApiToken (prisma/schema.prisma); the roles are its enum ApiRole.
import { createHash, randomBytes } from 'node:crypto';
import type { Db, PrismaClient } from '../db/prisma.ts';

export type Role = Db.ApiRole;

/** A token as stored, without its hash. */
export interface ApiTokenRecord {
  id: number;
  name: string;
  role: Role;
  createdAt: Date;
  revokedAt: Date | null;
}

/** The roles from least to most rights. */
export const ROLES: readonly Role[] = ['READER', 'CURATOR', 'ADMIN'];

/** True when `role` includes the rights of `needed` (READER < CURATOR < ADMIN). */
export function hasRole(role: Role | null, needed: Role): boolean {
  return role !== null && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

const TOKEN_PREFIX = 'gxb_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The columns a token is shown with (never its hash). */
const RECORD = { id: true, name: true, role: true, createdAt: true, revokedAt: true } as const;

/** Creates a token; returns the secret (shown once) and its stored row. */
export async function createToken(
  prisma: PrismaClient,
  name: string,
  role: Role,
): Promise<{ token: string; row: ApiTokenRecord }> {
  if (!ROLES.includes(role)) throw new Error(`unknown role ${role}`);
  if (name.trim() === '') throw new Error('a token needs a name');
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = await prisma.apiToken.create({
    data: { name: name.trim(), role, tokenHash: hashToken(token) },
    select: RECORD,
  });
  return { token, row };
}

/** The active token with this secret, or null (unknown, malformed or revoked). */
export function verifyToken(prisma: PrismaClient, token: string): Promise<ApiTokenRecord | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return Promise.resolve(null);
  return prisma.apiToken.findFirst({
    where: { tokenHash: hashToken(token), revokedAt: null },
    select: RECORD,
  });
}

/** Every token, active or revoked, by ID. */
export function listTokens(prisma: PrismaClient): Promise<ApiTokenRecord[]> {
  return prisma.apiToken.findMany({ select: RECORD, orderBy: { id: 'asc' } });
}

/** Revokes a token; true when it existed and was active. */
export async function revokeToken(prisma: PrismaClient, id: number): Promise<boolean> {
  const { count } = await prisma.apiToken.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count === 1;
}
