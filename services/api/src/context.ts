// The per-request context: the database, the caller's role and the request's DataLoaders.

import { hasRole } from '@gexbert/core/auth/tokens';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import type { JobQueue } from '@gexbert/core/jobs/queue';
import type pg from 'pg';
import type { TokenVerifier } from './auth/tokenVerifier.ts';
import type { ApiConfig } from './config.ts';
import { forbidden } from './errors.ts';
import type { ModelHolder } from './inference/modelHolder.ts';
import type { Loaders } from './loaders.ts';
import type { ApiTokenRow, Role } from './rows.ts';

export interface Context {
  db: pg.Pool;
  prisma: PrismaClient;
  config: ApiConfig;
  role: Role;
  /** The token used, or null for anonymous access. */
  token: ApiTokenRow | null;
  loaders: Loaders;
  /** The server's token checks (cached briefly); cleared when a token is created or revoked here. */
  tokens: TokenVerifier;
  /** Distinguishes this server's database in process-wide caches (gene layouts). */
  cacheKey: string;
  /** The loaded models: the active version, runtimes, batched and cached embeddings (shared by requests). */
  models: ModelHolder;
  /** The job queue (retraining, job listing); null when the server was started without one. */
  queue: JobQueue | null;
}

/** FORBIDDEN unless the caller has at least `role`. */
export function requireRole(context: Context, role: Role): void {
  if (!hasRole(context.role, role))
    throw forbidden(
      `this needs the ${role.toLowerCase()} role; your token has ${context.role.toLowerCase()}`,
    );
}
