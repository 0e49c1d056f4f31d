// Token checks with a short-lived in-process cache: at hundreds of requests per second the token lookup
// would otherwise be a database round trip on every request. A revocation through this server applies at
// once (the cache is cleared); one made elsewhere (another API process, `gexbert token revoke`) applies
// within `ttlMs` (config tokenCacheMs, 0 disables the cache).

import { verifyToken } from '@gexbert/core/auth/tokens';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import type { ApiTokenRow } from '../rows.ts';

const MAX_ENTRIES = 10_000;

export class TokenVerifier {
  private readonly entries = new Map<string, { row: ApiTokenRow | null; expires: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs: number,
  ) {}

  async verify(token: string): Promise<ApiTokenRow | null> {
    if (this.ttlMs <= 0) return verifyToken(this.prisma, token);
    const now = Date.now();
    const hit = this.entries.get(token);
    if (hit && hit.expires > now) return hit.row;
    const row = await verifyToken(this.prisma, token);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(token, { row, expires: now + this.ttlMs });
    return row;
  }

  /** Drop every cached answer (after a token was created or revoked). */
  forget(): void {
    this.entries.clear();
  }
}
