// API tokens: a random secret shown once, stored as its sha256; each token has one role.
//
// The table is the Prisma model ApiToken (prisma/schema.prisma); the roles are its enum ApiRole.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../db/prisma.ts';

type Queryable = pg.Pool | pg.ClientBase;

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

const COLUMNS = `id, name, role, "createdAt", "revokedAt"`;

/** Creates a token; returns the secret (shown once) and its stored row. */
export async function createToken(
  db: Queryable,
  name: string,
  role: Role,
): Promise<{ token: string; row: ApiTokenRecord }> {
  if (!ROLES.includes(role)) throw new Error(`unknown role ${role}`);
  if (name.trim() === '') throw new Error('a token needs a name');
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const { rows } = await db.query<ApiTokenRecord>(
    `INSERT INTO "ApiToken" (name, role, "tokenHash") VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
    [name.trim(), role, hashToken(token)],
  );
  return { token, row: rows[0]! };
}

/** The active token with this secret, or null (unknown, malformed or revoked). */
export async function verifyToken(db: Queryable, token: string): Promise<ApiTokenRecord | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const { rows } = await db.query<ApiTokenRecord>(
    `SELECT ${COLUMNS} FROM "ApiToken" WHERE "tokenHash" = $1 AND "revokedAt" IS NULL`,
    [hashToken(token)],
  );
  return rows[0] ?? null;
}

/** Every token, active or revoked, by ID. */
export async function listTokens(db: Queryable): Promise<ApiTokenRecord[]> {
  const { rows } = await db.query<ApiTokenRecord>(`SELECT ${COLUMNS} FROM "ApiToken" ORDER BY id`);
  return rows;
}

/** Revokes a token; true when it existed and was active. */
export async function revokeToken(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE "ApiToken" SET "revokedAt" = CURRENT_TIMESTAMP WHERE id = $1 AND "revokedAt" IS NULL`,
    [id],
  );
  return rowCount === 1;
}
